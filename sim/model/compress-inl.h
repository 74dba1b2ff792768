// Compress (the lanes of a mask moved to the front, in order) for the engine's Highway kernels,
// included per target from inside HWY_NAMESPACE's files (Highway's -inl.h convention).
//
// Highway 1.0.3's Compress builds its index table as a local constexpr array on AVX2 and SSE4 (and
// on AVX-512 for 64-bit lanes), which GCC 12 copies to the stack on every call (1 KB for 32-bit
// lanes on AVX2, 2 KB for doubles on AVX-512: a `rep movsq` that was half of the list building's
// time on AVX2). Here the table is static, 8 byte indices per mask of up to 8 lanes, read with one
// load and applied with TableLookupLanes; AVX-512's 32-bit lanes keep the native compress
// (vpcompressd into a register), the one-lane scalar target Highway's own.

#ifndef MISTAKESIM_COMPRESS_TABLE
#define MISTAKESIM_COMPRESS_TABLE
#include <array>
#include <cstdint>

namespace mistakesim::detail {

//! For each mask of 8 lanes, the lane indices: the set lanes in order, then the others in order
//! (so that for a mask of the first 4 lanes only, the first 4 indices are all below 4).
inline constexpr auto kCompressIndices = [] {
  std::array<std::array<std::uint8_t, 8>, 256> t{};
  for (unsigned m = 0; m < 256; ++m) {
    unsigned pos = 0;
    for (unsigned pass = 0; pass < 2; ++pass)
      for (unsigned i = 0; i < 8; ++i)
        if (((m >> i) & 1u) == (pass == 0 ? 1u : 0u)) t[m][pos++] = static_cast<std::uint8_t>(i);
  }
  return t;
}();

}  // namespace mistakesim::detail
#endif

#if defined(MISTAKESIM_COMPRESS_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef MISTAKESIM_COMPRESS_INL_H_
#undef MISTAKESIM_COMPRESS_INL_H_
#else
#define MISTAKESIM_COMPRESS_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace mistakesim::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

//! hn::Compress(v, m) for 32- and 64-bit lanes.
template <class D>
HWY_INLINE hn::Vec<D> CompressLanes(D d, hn::Vec<D> v, hn::Mask<D> m) {
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_AVX3
#if HWY_TARGET == HWY_AVX3
  if constexpr (sizeof(hn::TFromD<D>) == 4) return hn::Compress(v, m);  // vpcompressd
  else {
#endif
  static_assert(hn::MaxLanes(D()) <= 8, "one byte of mask bits");
  std::uint8_t bits[8] = {};
  hn::StoreMaskBits(d, m, bits);
  const hn::Rebind<std::uint8_t, D> d8;
  const hn::RebindToUnsigned<D> du;
  hn::Vec<decltype(du)> idx;
  if constexpr (sizeof(hn::TFromD<D>) == 4) {
    idx = hn::PromoteTo(du, hn::LoadU(d8, kCompressIndices[bits[0]].data()));
  } else {
    const hn::Rebind<std::uint32_t, D> d32;
    idx = hn::PromoteTo(du, hn::PromoteTo(d32, hn::LoadU(d8, kCompressIndices[bits[0]].data())));
  }
  return hn::TableLookupLanes(v, hn::IndicesFromVec(d, hn::BitCast(hn::RebindToSigned<D>(), idx)));
#if HWY_TARGET == HWY_AVX3
  }
#endif
#else
  (void)d;
  return hn::Compress(v, m);
#endif
}

}  // namespace mistakesim::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // MISTAKESIM_COMPRESS_INL_H_
