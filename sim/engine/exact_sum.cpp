// Exact summation of doubles (see exact_sum.hpp): every double is an integer multiple of 2^-1074,
// so a sum of doubles is an integer times 2^-1074, kept here in 32-bit limbs held in int64 words.
// A term adds its (at most 53-bit) significand to three adjacent limbs; the words absorb 2^31 such
// parts before carries must be propagated, which add() does every 2^20. value() rounds the
// integer once.

#include <mistakesim/exact_sum.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace mistakesim {

void ExactSum::add(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto biased = static_cast<int>((bits >> 52) & 0x7ffu);
  std::uint64_t significand = bits & ((std::uint64_t{1} << 52) - 1);
  const bool negative = (bits >> 63) != 0;
  if (biased == 0x7ff) {
    if (significand != 0) {
      nan_ = true;
    } else if (negative) {
      minus_inf_ = true;
    } else {
      plus_inf_ = true;
    }
    return;
  }
  if (biased == 0 && significand == 0) return;  // +-0
  // x * 2^1074 = significand * 2^position (a subnormal has position 0, no implicit bit).
  int position = 0;
  if (biased != 0) {
    significand |= std::uint64_t{1} << 52;
    position = biased - 1;
  }
  if (pending_ >= kMaxPending) normalize();
  const int i = position / 32;
  const int shift = position % 32;
  constexpr std::uint64_t kLow32 = 0xffffffffu;
  const std::uint64_t low = (significand << shift) & kLow32;  // wraps: only the low 32 bits are kept
  const std::uint64_t rest = significand >> (32 - shift);
  const auto part = [negative](std::uint64_t v) {
    return negative ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
  };
  limbs_[i] += part(low);
  limbs_[i + 1] += part(rest & kLow32);
  limbs_[i + 2] += part(rest >> 32);
  ++pending_;
}

void ExactSum::add(const ExactSum& other) {
  nan_ = nan_ || other.nan_;
  plus_inf_ = plus_inf_ || other.plus_inf_;
  minus_inf_ = minus_inf_ || other.minus_inf_;
  if (pending_ + other.pending_ >= kMaxPending) normalize();
  for (int i = 0; i < kLimbs; ++i) limbs_[i] += other.limbs_[i];
  pending_ += other.pending_ + 1;  // other's limbs count as (at most) one more normalized part
}

void ExactSum::subtract(const ExactSum& other) {
  nan_ = nan_ || other.nan_;
  plus_inf_ = plus_inf_ || other.minus_inf_;
  minus_inf_ = minus_inf_ || other.plus_inf_;
  if (pending_ + other.pending_ >= kMaxPending) normalize();
  for (int i = 0; i < kLimbs; ++i) limbs_[i] -= other.limbs_[i];
  pending_ += other.pending_ + 1;
}

void ExactSum::normalize() {
  for (int i = 0; i + 1 < kLimbs; ++i) {
    const std::int64_t carry = limbs_[i] >> 32;  // floor(limb / 2^32): arithmetic shift (C++20)
    limbs_[i] -= carry * (std::int64_t{1} << 32);
    limbs_[i + 1] += carry;
  }
  pending_ = 0;
}

double ExactSum::value() const {
  if (nan_ || (plus_inf_ && minus_inf_)) return std::numeric_limits<double>::quiet_NaN();
  if (plus_inf_) return std::numeric_limits<double>::infinity();
  if (minus_inf_) return -std::numeric_limits<double>::infinity();
  ExactSum s = *this;
  s.normalize();
  const bool negative = s.limbs_[kLimbs - 1] < 0;
  if (negative) {  // magnitude: negate every limb, then carry again
    for (std::int64_t& limb : s.limbs_) limb = -limb;
    s.normalize();
  }
  int h = kLimbs - 1;
  while (h >= 0 && s.limbs_[h] == 0) --h;
  if (h < 0) return 0.0;
  // The top 64 bits of the magnitude, the lowest one ORed with every bit below them (sticky): the
  // conversion to double then rounds as the whole integer would. Scaling by 2^(low - 1074) is
  // exact unless the result is subnormal, and then w is below 2^53 and converted exactly: the
  // integer is rounded once either way.
  const auto limb_bits = [&s](int i) { return static_cast<std::uint64_t>(s.limbs_[i]); };
  const auto bit = [&](int k) { return (limb_bits(k / 32) >> (k % 32)) & 1u; };
  const int top = 32 * h + static_cast<int>(std::bit_width(limb_bits(h))) - 1;
  const int low = std::max(top - 63, 0);
  std::uint64_t w = 0;
  for (int k = top; k >= low; --k) w = (w << 1) | bit(k);
  bool sticky = false;
  for (int i = 0; i < low / 32 && !sticky; ++i) sticky = s.limbs_[i] != 0;
  for (int k = (low / 32) * 32; k < low && !sticky; ++k) sticky = bit(k) != 0;
  if (sticky) w |= 1u;
  const double magnitude = std::ldexp(static_cast<double>(w), low - 1074);
  return negative ? -magnitude : magnitude;
}

}  // namespace mistakesim
