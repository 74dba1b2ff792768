// Branch-free list building for the engine kernel (lists.hpp), written once with Highway: a vector
// of opportunities at a time, the passing lanes compressed into a register (CompressLanes,
// model/compress-inl.h) and the whole vector stored at the end of the list (hence kSlack).
// Highway's CompressStore is not used: on AVX-512 it is a compressing store to memory, microcoded
// and much slower on Zen 4.
//
// Highway 1.0.3 has no LoadN: the last, partial vector of a list is read by model/partial-inl.h
// (a masked load, or a copy padded with zeros), its lanes past the end masked off (FirstN).

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/lists.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/highway.h>

#include "model/compress-inl.h"
#include "model/partial-inl.h"

#include "engine/lists.hpp"

#include <algorithm>

HWY_BEFORE_NAMESPACE();
namespace mistakesim::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<std::uint32_t>;
using V = hn::Vec<D>;
using M = hn::Mask<D>;
constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(std::uint32_t);
static_assert(kMaxLanes <= kSlack, "a whole vector of 32-bit entries fits in the lists' slack");

//! passes() lane by lane.
HWY_INLINE M Passes(V f, const FlagTest& t) {
  const D d;
  return hn::And(hn::Eq(hn::And(f, hn::Set(d, t.mask)), hn::Set(d, t.want)),
                 hn::Not(hn::Eq(hn::And(f, hn::Set(d, t.mask2)), hn::Set(d, t.want2))));
}

//! w < threshold lane by lane, threshold in [0, 2^32].
HWY_INLINE M Below(V w, std::uint64_t threshold) {
  const D d;
  if (threshold > 0xFFFFFFFFu) return hn::Eq(w, w);
  return hn::Lt(w, hn::Set(d, static_cast<std::uint32_t>(threshold)));
}

//! flags[from..from + N) as 32-bit lanes (zeros past n).
HWY_INLINE V LoadFlags(const std::uint8_t* flags, std::size_t from, std::size_t n) {
  const D d;
  const hn::Rebind<std::uint8_t, D> d8;
  return hn::PromoteTo(d, LoadUpTo(d8, flags + from, n - from));
}

//! p[from..from + N) (zeros past n).
HWY_INLINE V LoadWords(const std::uint32_t* p, std::size_t from, std::size_t n) {
  return LoadUpTo(D(), p + from, n - from);
}

std::size_t Select(const std::uint8_t* flags, std::size_t n, FlagTest test, std::uint32_t base,
                   std::uint32_t* index, std::uint32_t* flags_out) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  std::size_t count = 0;
  for (std::size_t e = 0; e < n; e += N) {
    const V f = LoadFlags(flags, e, n);
    const M pass = hn::And(hn::FirstN(d, n - e), Passes(f, test));
    const V i = hn::Add(hn::Iota(d, 0), hn::Set(d, base + static_cast<std::uint32_t>(e)));
    hn::StoreU(CompressLanes(d, i, pass), d, index + count);
    if (flags_out != nullptr) hn::StoreU(CompressLanes(d, f, pass), d, flags_out + count);
    count += hn::CountTrue(d, pass);
  }
  return count;
}

void Pipeline(const std::uint32_t* fit_w, const std::uint32_t* repeat_w, const std::uint32_t* pilot_w,
              const std::uint32_t* close_w, std::size_t n, const PipelineRule& rule, std::uint8_t* flags) {
  const D d;
  const hn::Rebind<std::uint8_t, D> d8;
  const hn::RebindToSigned<D> di;
  const std::size_t N = hn::Lanes(d);
  for (std::size_t e = 0; e < n; e += N) {
    const M fit = Below(LoadWords(fit_w, e, n), rule.fit);
    const M repeat = Below(LoadWords(repeat_w, e, n), rule.repeat);
    const M pilot = Below(LoadWords(pilot_w, e, n), rule.pilot);
    const M closes = hn::And(fit, Below(LoadWords(close_w, e, n), rule.close));
    const V f = hn::Or(
        hn::Or(hn::IfThenElseZero(fit, hn::Set(d, kFit)), hn::IfThenElseZero(repeat, hn::Set(d, kRepeat))),
        hn::Or(hn::IfThenElseZero(pilot, hn::Set(d, kPilot)),
               hn::IfThenElseZero(closes, hn::Set(d, kCloses | kAlive))));
    StoreUpTo(d8, hn::DemoteTo(d8, hn::BitCast(di, f)), flags + e, n - e);  // every flag fits in a byte
  }
}

std::size_t Decide(const std::uint32_t* index, const std::uint32_t* flags, const std::uint32_t* w0,
                   const std::uint32_t* w1, const std::uint32_t* w2, const std::uint32_t* w3, std::size_t n,
                   std::uint32_t base, const EventRule& rule, OccurrenceLists& out) {
  const D d;
  const std::size_t N = hn::Lanes(d);
  const V alive_bit = hn::Set(d, kAlive);
  const V churn_mask = hn::Set(d, kRepeat | kChurned), churn_want = hn::Set(d, kRepeat);
  const V vbase = hn::Set(d, base);
  std::size_t count = 0;
  for (std::size_t j = 0; j < n; j += N) {
    const V i = LoadWords(index, j, n);
    const V f = LoadWords(flags, j, n);
    const M occurs = hn::And(hn::FirstN(d, n - j), Below(LoadWords(w0, j, n), rule.occur));
    const M noticed = Below(LoadWords(w1, j, n), rule.noticed);
    const M alive = hn::TestBit(f, alive_bit);
    const M loses = hn::And(alive, Below(LoadWords(w2, j, n), rule.lose));
    const M recovers = rule.has_recovery ? hn::And(loses, noticed) : hn::FirstN(d, 0);
    const M discounted = hn::AndNot(loses, alive);
    const M churns =
        hn::And(hn::Eq(hn::And(f, churn_mask), churn_want), Below(LoadWords(w3, j, n), rule.churn));
    const V what = hn::Or(hn::Or(hn::IfThenElseZero(noticed, hn::Set(d, kNoticed)),
                                 hn::IfThenElseZero(loses, hn::Set(d, kLoses))),
                          hn::Or(hn::Or(hn::IfThenElseZero(recovers, hn::Set(d, kRecovers)),
                                        hn::IfThenElseZero(discounted, hn::Set(d, kDiscounted))),
                                 hn::IfThenElseZero(churns, hn::Set(d, kChurns))));
    hn::StoreU(CompressLanes(d, hn::Sub(i, vbase), occurs), d, out.e + count);
    hn::StoreU(CompressLanes(d, what, occurs), d, out.what + count);
    count += hn::CountTrue(d, occurs);
    const M need[kAmountLists] = {occurs,
                                  occurs,
                                  hn::And(occurs, discounted),
                                  hn::And(occurs, recovers),
                                  hn::And(occurs, recovers),
                                  hn::And(occurs, churns)};
    for (std::size_t l = 0; l < kAmountLists; ++l) {
      if (!out.take[l]) continue;  // the same for the whole list: predictable
      hn::StoreU(CompressLanes(d, i, need[l]), d, out.list[l] + *out.size[l]);
      *out.size[l] += hn::CountTrue(d, need[l]);
    }
  }
  return count;
}

}  // namespace mistakesim::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "model/simd.hpp"

namespace mistakesim::detail {

HWY_EXPORT(Select);
HWY_EXPORT(Pipeline);
HWY_EXPORT(Decide);

std::size_t select_opportunities(const std::uint8_t* flags, std::size_t n, FlagTest test, std::uint32_t base,
                                 std::uint32_t* index, std::uint32_t* flags_out) {
  apply_target_choice();
  return HWY_DYNAMIC_DISPATCH(Select)(flags, n, test, base, index, flags_out);
}

void pipeline_flags(const std::uint32_t* fit, const std::uint32_t* repeat, const std::uint32_t* pilot,
                    const std::uint32_t* close, std::size_t n, const PipelineRule& rule,
                    std::uint8_t* flags) {
  apply_target_choice();
  HWY_DYNAMIC_DISPATCH(Pipeline)(fit, repeat, pilot, close, n, rule, flags);
}

std::size_t decide_occurrences(const std::uint32_t* index, const std::uint32_t* flags,
                               const std::uint32_t* w0, const std::uint32_t* w1, const std::uint32_t* w2,
                               const std::uint32_t* w3, std::size_t n, std::uint32_t base,
                               const EventRule& rule, OccurrenceLists& out) {
  apply_target_choice();
  return HWY_DYNAMIC_DISPATCH(Decide)(index, flags, w0, w1, w2, w3, n, base, rule, out);
}

void expand_values(const std::uint32_t* index, std::size_t count, std::uint32_t base, const double* values,
                   std::size_t n, double* out) {
  std::fill_n(out, n, 0.0);
  for (std::size_t k = 0; k < count; ++k) out[index[k] - base] = values[k];
}

}  // namespace mistakesim::detail
#endif  // HWY_ONCE
