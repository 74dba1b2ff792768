// The last, partial vector of a batch, for the engine's Highway kernels (Highway 1.0.3 has no
// LoadN/StoreN). Included per target from inside the kernels' files (Highway's -inl.h convention).
//
// Where the CPU masks memory accesses lane by lane (AVX-512 for every lane size, AVX2 for 32- and
// 64-bit lanes: vpmaskmov), a masked load or store of the first `left` lanes: nothing past them is
// read or written. Elsewhere (SSE4, the scalar target, bytes on AVX2) Highway's masked load would
// read the whole vector, so the lanes go through a copy padded with zeros.

#if defined(MISTAKESIM_PARTIAL_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISTAKESIM_PARTIAL_INL_H_
#undef MISTAKESIM_PARTIAL_INL_H_
#else
#define MISTAKESIM_PARTIAL_INL_H_
#endif

#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>

HWY_BEFORE_NAMESPACE();
namespace mistakesim::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D>
constexpr bool kMaskedMemory = HWY_TARGET == HWY_AVX3 || (HWY_TARGET == HWY_AVX2 && sizeof(hn::TFromD<D>) >= 4);

//! p[0..left) in the first lanes, zeros in the others (left < Lanes(d)).
template <class D>
HWY_INLINE hn::Vec<D> LoadFirst(D d, const hn::TFromD<D>* p, std::size_t left) {
  if constexpr (kMaskedMemory<D>) {
    return hn::MaskedLoad(hn::FirstN(d, left), d, p);
  } else {
    HWY_ALIGN hn::TFromD<D> pad[HWY_MAX_BYTES / sizeof(hn::TFromD<D>)] = {};
    std::copy(p, p + left, pad);
    return hn::LoadU(d, pad);
  }
}

//! p[0..N) of a batch with `left` entries from p: a whole vector, or LoadFirst.
template <class D>
HWY_INLINE hn::Vec<D> LoadUpTo(D d, const hn::TFromD<D>* p, std::size_t left) {
  return left >= hn::Lanes(d) ? hn::LoadU(d, p) : LoadFirst(d, p, left);
}

//! Stores the first min(left, N) lanes of v at p.
template <class D>
HWY_INLINE void StoreUpTo(D d, hn::Vec<D> v, hn::TFromD<D>* p, std::size_t left) {
  if (left >= hn::Lanes(d)) {
    hn::StoreU(v, d, p);
  } else if constexpr (kMaskedMemory<D>) {
    hn::BlendedStore(v, hn::FirstN(d, left), d, p);
  } else {
    HWY_ALIGN hn::TFromD<D> pad[HWY_MAX_BYTES / sizeof(hn::TFromD<D>)];
    hn::StoreU(v, d, pad);
    std::copy(pad, pad + left, p);
  }
}

}  // namespace mistakesim::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // MISTAKESIM_PARTIAL_INL_H_
