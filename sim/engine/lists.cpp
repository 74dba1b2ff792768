// Branch-free list building for the engine kernel (lists.hpp): a scalar version and an AVX-512 one
// that compress 16 opportunities at a time. Both compute the same integer tests, so their lists are
// identical (tests/test_lists.cpp compares both with a plain reading of each contract; ctest runs the
// kernel tests again with MISTAKESIM_ISA=scalar, model/isa.hpp).
//
// The AVX-512 path compresses into a register and stores the whole vector (past the end of the list,
// hence kSlack): on Zen 4 a compressing store to memory is microcoded and much slower.

#include "engine/lists.hpp"
#include "model/isa.hpp"

#include <mistakesim/random.hpp>

// GCC 12 warns that the AVX-512 intrinsics' internal "undefined" vectors may be used
// uninitialized (GCC bug 105593, a false positive in avx512fintrin.h).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <bit>

namespace mistakesim::detail {
namespace {

bool has_avx512() { return isa() == Isa::avx512; }

//! passes() in 16 lanes.
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __mmask16 passes16(__m512i f, const FlagTest& t) {
  const __m512i mask = _mm512_set1_epi32(static_cast<int>(t.mask)),
                want = _mm512_set1_epi32(static_cast<int>(t.want));
  const __m512i mask2 = _mm512_set1_epi32(static_cast<int>(t.mask2));
  const __m512i want2 = _mm512_set1_epi32(static_cast<int>(t.want2));
  return _mm512_cmpeq_epi32_mask(_mm512_and_si512(f, mask), want) &
         _mm512_cmpneq_epi32_mask(_mm512_and_si512(f, mask2), want2);
}

std::size_t select_scalar(const std::uint8_t* flags, std::size_t from, std::size_t n, FlagTest test,
                          std::uint32_t base, std::uint32_t* index, std::uint32_t* flags_out,
                          std::size_t count) {
  for (std::size_t e = from; e < n; ++e) {
    index[count] = base + static_cast<std::uint32_t>(e);
    if (flags_out != nullptr) flags_out[count] = flags[e];
    count += passes(flags[e], test);
  }
  return count;
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) std::size_t select_avx512(
    const std::uint8_t* flags, std::size_t n, FlagTest test, std::uint32_t base, std::uint32_t* index,
    std::uint32_t* flags_out, std::size_t& done) {
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  std::size_t count = 0, e = 0;
  for (; e < n; e += 16) {  // the last, partial group with a masked load
    const __mmask16 in = __mmask16(first_lanes(n - e));
    const __m512i f = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(in, flags + e));
    const __mmask16 pass = in & passes16(f, test);
    const __m512i i = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(base + e)), iota);
    _mm512_storeu_si512(index + count, _mm512_maskz_compress_epi32(pass, i));
    if (flags_out != nullptr) _mm512_storeu_si512(flags_out + count, _mm512_maskz_compress_epi32(pass, f));
    count += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(pass)));
  }
  done = e;
  return count;
}

//! w < threshold for 16 words, threshold in [0, 2^32].
__attribute__((target("avx512f,avx512bw,avx512vl"))) inline __mmask16 below(__m512i w,
                                                                            std::uint64_t threshold) {
  if (threshold == 0) return 0;
  return _mm512_cmple_epu32_mask(
      w, _mm512_set1_epi32(static_cast<int>(static_cast<std::uint32_t>(threshold - 1))));
}

std::size_t decide_scalar(const std::uint32_t* index, const std::uint32_t* flags, const std::uint32_t* w0,
                          const std::uint32_t* w1, const std::uint32_t* w2, const std::uint32_t* w3,
                          std::size_t from, std::size_t n, std::uint32_t base, const EventRule& rule,
                          OccurrenceLists& out, std::size_t count) {
  for (std::size_t j = from; j < n; ++j) {
    const std::uint32_t i = index[j];
    const std::uint32_t f = flags[j];
    const bool occurs = bernoulli(w0[j], rule.occur);
    const bool noticed = bernoulli(w1[j], rule.noticed);
    const bool alive = (f & kAlive) != 0;
    const bool loses = alive & bernoulli(w2[j], rule.lose);
    const bool recovers = loses & noticed & rule.has_recovery;
    const bool discounted = alive & !loses;
    const bool churns = ((f & (kRepeat | kChurned)) == kRepeat) & bernoulli(w3[j], rule.churn);
    out.e[count] = i - base;
    out.what[count] = noticed * kNoticed | loses * kLoses | recovers * kRecovers | discounted * kDiscounted |
                      churns * kChurns;
    count += occurs;
    const bool need[kAmountLists] = {
        occurs, occurs, occurs && discounted, occurs && recovers, occurs && recovers, occurs && churns};
    for (std::size_t l = 0; l < kAmountLists; ++l) {
      if (!out.take[l]) continue;  // the same for the whole list: predictable
      out.list[l][*out.size[l]] = i;
      *out.size[l] += need[l];
    }
  }
  return count;
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) std::size_t decide_avx512(
    const std::uint32_t* index, const std::uint32_t* flags, const std::uint32_t* w0, const std::uint32_t* w1,
    const std::uint32_t* w2, const std::uint32_t* w3, std::size_t n, std::uint32_t base,
    const EventRule& rule, OccurrenceLists& out, std::size_t& done) {
  const __m512i alive_bit = _mm512_set1_epi32(static_cast<int>(kAlive));
  const __m512i churn_mask = _mm512_set1_epi32(static_cast<int>(kRepeat | kChurned));
  const __m512i churn_want = _mm512_set1_epi32(static_cast<int>(kRepeat));
  const __m512i vbase = _mm512_set1_epi32(static_cast<int>(base));
  std::size_t count = 0, j = 0;
  for (; j < n; j += 16) {  // the last, partial group with masked loads
    const __mmask16 in = __mmask16(first_lanes(n - j));
    const __m512i i = _mm512_maskz_loadu_epi32(in, index + j);
    const __m512i f = _mm512_maskz_loadu_epi32(in, flags + j);
    const __mmask16 occurs = in & below(_mm512_maskz_loadu_epi32(in, w0 + j), rule.occur);
    const __mmask16 noticed = below(_mm512_maskz_loadu_epi32(in, w1 + j), rule.noticed);
    const __mmask16 alive = _mm512_test_epi32_mask(f, alive_bit);
    const __mmask16 loses = alive & below(_mm512_maskz_loadu_epi32(in, w2 + j), rule.lose);
    const __mmask16 recovers = rule.has_recovery ? __mmask16(loses & noticed) : __mmask16(0);
    const __mmask16 discounted = alive & static_cast<__mmask16>(~loses);
    const __mmask16 churns = _mm512_cmpeq_epi32_mask(_mm512_and_si512(f, churn_mask), churn_want) &
                             below(_mm512_maskz_loadu_epi32(in, w3 + j), rule.churn);
    __m512i what = _mm512_maskz_mov_epi32(noticed, _mm512_set1_epi32(static_cast<int>(kNoticed)));
    what = _mm512_mask_or_epi32(what, loses, what, _mm512_set1_epi32(static_cast<int>(kLoses)));
    what = _mm512_mask_or_epi32(what, recovers, what, _mm512_set1_epi32(static_cast<int>(kRecovers)));
    what = _mm512_mask_or_epi32(what, discounted, what, _mm512_set1_epi32(static_cast<int>(kDiscounted)));
    what = _mm512_mask_or_epi32(what, churns, what, _mm512_set1_epi32(static_cast<int>(kChurns)));
    _mm512_storeu_si512(out.e + count, _mm512_maskz_compress_epi32(occurs, _mm512_sub_epi32(i, vbase)));
    _mm512_storeu_si512(out.what + count, _mm512_maskz_compress_epi32(occurs, what));
    count += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(occurs)));
    const __mmask16 need[kAmountLists] = {occurs,
                                          occurs,
                                          static_cast<__mmask16>(occurs & discounted),
                                          static_cast<__mmask16>(occurs & recovers),
                                          static_cast<__mmask16>(occurs & recovers),
                                          static_cast<__mmask16>(occurs & churns)};
    for (std::size_t l = 0; l < kAmountLists; ++l) {
      if (!out.take[l]) continue;
      _mm512_storeu_si512(out.list[l] + *out.size[l], _mm512_maskz_compress_epi32(need[l], i));
      *out.size[l] += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(need[l])));
    }
  }
  done = j;
  return count;
}

void pipeline_scalar(const std::uint32_t* fit_w, const std::uint32_t* repeat_w, const std::uint32_t* pilot_w,
                     const std::uint32_t* close_w, std::size_t from, std::size_t n, const PipelineRule& rule,
                     std::uint8_t* flags) {
  for (std::size_t e = from; e < n; ++e) {
    const unsigned fit = bernoulli(fit_w[e], rule.fit);
    const unsigned repeat = bernoulli(repeat_w[e], rule.repeat);
    const unsigned pilot = bernoulli(pilot_w[e], rule.pilot);
    const unsigned closes = fit & static_cast<unsigned>(bernoulli(close_w[e], rule.close));
    flags[e] = static_cast<std::uint8_t>(fit * kFit | repeat * kRepeat | pilot * kPilot |
                                         closes * (kCloses | kAlive));
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) void pipeline_avx512(
    const std::uint32_t* fit_w, const std::uint32_t* repeat_w, const std::uint32_t* pilot_w,
    const std::uint32_t* close_w, std::size_t n, const PipelineRule& rule, std::uint8_t* flags) {
  for (std::size_t e = 0; e < n; e += 16) {
    const __mmask16 in = __mmask16(first_lanes(n - e));
    const __mmask16 fit = below(_mm512_maskz_loadu_epi32(in, fit_w + e), rule.fit);
    const __mmask16 repeat = below(_mm512_maskz_loadu_epi32(in, repeat_w + e), rule.repeat);
    const __mmask16 pilot = below(_mm512_maskz_loadu_epi32(in, pilot_w + e), rule.pilot);
    const __mmask16 closes = fit & below(_mm512_maskz_loadu_epi32(in, close_w + e), rule.close);
    __m512i f = _mm512_maskz_mov_epi32(fit, _mm512_set1_epi32(static_cast<int>(kFit)));
    f = _mm512_mask_or_epi32(f, repeat, f, _mm512_set1_epi32(static_cast<int>(kRepeat)));
    f = _mm512_mask_or_epi32(f, pilot, f, _mm512_set1_epi32(static_cast<int>(kPilot)));
    f = _mm512_mask_or_epi32(f, closes, f, _mm512_set1_epi32(static_cast<int>(kCloses | kAlive)));
    _mm_mask_storeu_epi8(flags + e, in, _mm512_cvtepi32_epi8(f));
  }
}

void expand_scalar(const std::uint8_t* flags, std::size_t from, std::size_t n, FlagTest test,
                   const double* values, std::size_t k, double* out) {
  for (std::size_t e = from; e < n; ++e) {
    const bool take = passes(flags[e], test);
    out[e] = take ? values[k] : 0.0;
    k += take;
  }
}

__attribute__((target("avx512f,avx512bw,avx512vl"))) std::size_t expand_avx512(const std::uint8_t* flags,
                                                                               std::size_t n, FlagTest test,
                                                                               const double* values,
                                                                               double* out, std::size_t& k) {
  std::size_t e = 0;
  k = 0;
  for (; e + 16 <= n; e += 16) {
    const __m512i f = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(flags + e)));
    const __mmask16 take = passes16(f, test);
    const auto lo = static_cast<__mmask8>(take), hi = static_cast<__mmask8>(take >> 8);
    _mm512_storeu_pd(out + e, _mm512_maskz_expand_pd(lo, _mm512_loadu_pd(values + k)));
    k += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(lo)));
    _mm512_storeu_pd(out + e + 8, _mm512_maskz_expand_pd(hi, _mm512_loadu_pd(values + k)));
    k += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(hi)));
  }
  return e;
}

}  // namespace

void pipeline_flags(const std::uint32_t* fit, const std::uint32_t* repeat, const std::uint32_t* pilot,
                    const std::uint32_t* close, std::size_t n, const PipelineRule& rule, std::uint8_t* flags,
                    bool vector) {
  const bool avx512 = has_avx512();
  if (avx512 && vector) {
    pipeline_avx512(fit, repeat, pilot, close, n, rule, flags);
  } else {
    pipeline_scalar(fit, repeat, pilot, close, 0, n, rule, flags);
  }
}

void expand_values(const std::uint8_t* flags, std::size_t n, FlagTest test, const double* values, double* out,
                   bool vector) {
  const bool avx512 = has_avx512();
  std::size_t done = 0, k = 0;
  if (avx512 && vector) done = expand_avx512(flags, n, test, values, out, k);
  expand_scalar(flags, done, n, test, values, k, out);
}

std::size_t select_opportunities(const std::uint8_t* flags, std::size_t n, FlagTest test, std::uint32_t base,
                                 std::uint32_t* index, std::uint32_t* flags_out, bool vector) {
  const bool avx512 = has_avx512();
  std::size_t done = 0, count = 0;
  if (avx512 && vector) count = select_avx512(flags, n, test, base, index, flags_out, done);
  return select_scalar(flags, done, n, test, base, index, flags_out, count);
}

std::size_t decide_occurrences(const std::uint32_t* index, const std::uint32_t* flags,
                               const std::uint32_t* w0, const std::uint32_t* w1, const std::uint32_t* w2,
                               const std::uint32_t* w3, std::size_t n, std::uint32_t base,
                               const EventRule& rule, OccurrenceLists& out, bool vector) {
  const bool avx512 = has_avx512();
  std::size_t done = 0, count = 0;
  if (avx512 && vector) count = decide_avx512(index, flags, w0, w1, w2, w3, n, base, rule, out, done);
  return decide_scalar(index, flags, w0, w1, w2, w3, done, n, base, rule, out, count);
}

}  // namespace mistakesim::detail
