#pragma once
// An exact sum of doubles, for run totals that must not depend on how the trials were grouped.
//
// A run's per-mistake totals are summed by parallel blocks, and a precision run appends runs of
// different lengths. A floating-point sum would depend on that grouping in its last bits; this one
// keeps every addition exact (a fixed-point integer spanning the whole double range, in 32-bit
// limbs) and rounds once, when the value is read. So the total of the same trials has the same
// bits whatever the thread count, the block size or the order in which partial sums are combined.

#include <array>
#include <cstdint>

namespace mistakesim {

//! Sum of doubles with no rounding until value(): order- and grouping-independent.
//! About 560 bytes; add() is a few integer operations.
class ExactSum {
 public:
  //! Adds x exactly. A NaN, or +inf and -inf both, make value() NaN; one infinity makes it that infinity.
  void add(double x);
  //! Adds another sum's terms exactly (the same as adding them one by one, in any order).
  void add(const ExactSum& other);
  //! Subtracts another sum's terms exactly.
  void subtract(const ExactSum& other);
  //! The exact sum rounded once to the nearest double (ties to even); +-inf if it overflows; +0
  //! for no terms. Exact for up to 2^64 terms.
  double value() const;

 private:
  // Limb i holds bits [32 i, 32 i + 32) of the fixed-point integer sum * 2^1074. 66 limbs cover
  // every double's bits (2^-1074 to 2^1024); two more leave room for the carries of 2^64 terms.
  static constexpr int kLimbs = 68;
  //! Unpropagated 32-bit parts a limb may hold before carries are propagated (an int64 word would
  //! take 2^31; carrying is 68 operations, so it may as well come often).
  static constexpr std::uint64_t kMaxPending = std::uint64_t{1} << 20;
  void normalize();  //!< propagates carries: limbs 0..kLimbs-2 in [0, 2^32), the top one signed

  std::array<std::int64_t, kLimbs> limbs_{};
  std::uint64_t pending_ = 0;  //!< additions since the last normalize()
  bool nan_ = false, plus_inf_ = false, minus_inf_ = false;
};

}  // namespace mistakesim
