#pragma once
// The engine kernel's branch-free bookkeeping: which opportunities of a chunk a mistake visits, which
// of them it happens to, and which amounts those occurrences need. Highway kernels (model/simd.hpp):
// integer comparisons and bit tests only, so every target produces exactly the same lists.

#include <cstddef>
#include <cstdint>

namespace mistakesim::detail {

inline constexpr std::size_t kChunk = 256;  //!< opportunities whose draws are computed together
inline constexpr std::size_t kSlack = 64;   //!< room past the end of every list (whole-vector stores)

//! An opportunity's state in a chunk (bits of its flags).
enum : std::uint32_t { kFit = 1, kRepeat = 2, kPilot = 4, kCloses = 8, kAlive = 16, kChurned = 32 };

//! What happens at an occurrence of a mistake (bits of its `what`).
enum : std::uint32_t { kNoticed = 1, kLoses = 2, kRecovers = 4, kDiscounted = 8, kChurns = 16 };

//! A test on an opportunity's flags f: passes iff (f & mask) == want and (f & mask2) != want2.
struct FlagTest {
  std::uint32_t mask = 0, want = 0;
  std::uint32_t mask2 = 0, want2 = 1;  //!< by default the second condition always holds
};

inline bool passes(std::uint32_t f, const FlagTest& t) {
  return ((f & t.mask) == t.want) & ((f & t.mask2) != t.want2);
}

//! The opportunities of a chunk that pass `test`, in order: writes base + e to index[k] and flags[e]
//! to flags_out[k] (unless flags_out is null) for the k-th passing e < n, and returns their number.
//! Both outputs need room for n + kSlack entries (whole vectors are stored past the last entry).
std::size_t select_opportunities(const std::uint8_t* flags, std::size_t n, FlagTest test, std::uint32_t base,
                                 std::uint32_t* index, std::uint32_t* flags_out);

//! Each opportunity's flags from its pipeline words (docs/model.md): fit, repeat and pilot are
//! Bernoulli draws against their thresholds (random.hpp, bernoulli_threshold); a fit closes (and its
//! deal is alive) when its close word is below the close threshold. flags needs n + kSlack bytes.
struct PipelineRule {
  std::uint64_t fit = 0, repeat = 0, pilot = 0, close = 0;
};
void pipeline_flags(const std::uint32_t* fit, const std::uint32_t* repeat, const std::uint32_t* pilot,
                    const std::uint32_t* close, std::size_t n, const PipelineRule& rule, std::uint8_t* flags);

//! Whether a word's comparison with this Bernoulli threshold has the same outcome for every word
//! (0: never a success; 2^32: always), so that the words need not be computed.
inline bool word_free(std::uint64_t threshold) { return threshold == 0 || threshold > 0xFFFFFFFFu; }
inline bool word_free(const PipelineRule& r) {
  return word_free(r.fit) && word_free(r.repeat) && word_free(r.pilot) && word_free(r.close);
}
//! The flags pipeline_flags gives every opportunity when word_free(rule): the same for every word.
inline std::uint8_t word_free_flags(const PipelineRule& rule) {
  const bool fit = rule.fit != 0, closes = fit && rule.close != 0;
  return static_cast<std::uint8_t>((fit ? kFit : 0u) | (rule.repeat != 0 ? kRepeat : 0u) |
                                   (rule.pilot != 0 ? kPilot : 0u) | (closes ? kCloses | kAlive : 0u));
}

//! The inverse of select_opportunities: out[index[k] - base] = values[k] for k < count, and +0.0 in
//! the other entries of out[0..n). (Highway 1.0.3 has no Expand: a store per listed entry.)
void expand_values(const std::uint32_t* index, std::size_t count, std::uint32_t base, const double* values,
                   std::size_t n, double* out);

//! A mistake's year-level figures as Bernoulli thresholds (random.hpp, bernoulli_threshold).
struct EventRule {
  std::uint64_t occur = 0, noticed = 0, lose = 0, churn = 0;
  bool has_recovery = false;
};
//! Whether decide_occurrences' outcome is the same for every event word (word_free thresholds): then
//! the words need not be computed (it still reads them: any initialised words do).
inline bool word_free(const EventRule& r) {
  return word_free(r.occur) && word_free(r.noticed) && word_free(r.lose) && word_free(r.churn);
}

//! The amounts an occurrence may need, each listed when `take` (the amount is random).
enum AmountList : std::size_t {
  kWastedHours,
  kDirectCost,
  kDiscount,
  kRecoveryHours,
  kRecoverySaved,
  kCustomerValue,
  kAmountLists
};

//! Where decide_occurrences writes: the occurrences (chunk index e and `what` bits), and per amount
//! the opportunity indices that need it, appended at size[l]. Every array needs kSlack entries of
//! room past what it can hold.
struct OccurrenceLists {
  std::uint32_t* e = nullptr;
  std::uint32_t* what = nullptr;
  std::uint32_t* list[kAmountLists] = {};
  std::size_t* size[kAmountLists] = {};
  bool take[kAmountLists] = {};
};

//! One mistake over the n opportunities it visits (index[j], their flags[j] and event words w0..w3
//! [occur, noticed, lose, churn], docs/model.md): writes each occurrence, in order, with what happens
//! there - noticed; loses (the deal is alive and the lose word says so); recovers (loses, noticed, and
//! the mistake has a recovery); discounted (alive and not lost); churns (a repeat customer not yet
//! churned, and the churn word says so) - and lists the amounts they need: wasted hours and direct
//! cost for every occurrence, a discount for a discounted one, recovery hours and saved share for a
//! recovery, the customer's value for a churn. Returns the number of occurrences.
std::size_t decide_occurrences(const std::uint32_t* index, const std::uint32_t* flags,
                               const std::uint32_t* w0, const std::uint32_t* w1, const std::uint32_t* w2,
                               const std::uint32_t* w3, std::size_t n, std::uint32_t base,
                               const EventRule& rule, OccurrenceLists& out);

}  // namespace mistakesim::detail
