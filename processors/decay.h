#pragma once

#include <cmath>

#include "schemas/time.h"
#include "state/customer_state.h"

namespace cx {

// Exponential decay, exact for points added out of order: the value at t of points p_i added
// at t_i is sum p_i * 2^(-(t - t_i) / half_life), whatever the order of the additions.

// The value of `score` at `t` (no extrapolation before score.at).
[[nodiscard]] inline double DecayedValue(const DecayingScore& score, EventTime t,
                                         Duration half_life) {
  if (score.value == 0 || t <= score.at || half_life.ms <= 0) return score.value;
  return score.value *
         std::exp2(-static_cast<double>((t - score.at).ms) / static_cast<double>(half_life.ms));
}

// std::lround (halves away from zero), inlined: the library call was ≈ 0.7 % of a replay's
// instructions (scores and alert details round several times per step). x - trunc(x) is exact
// in binary floating point, so the comparison with 0.5 decides exactly as lround does; values
// beyond ±2^62 and NaN take the library call.
[[nodiscard]] inline long RoundHalfAway(double x) {
  if (!(std::fabs(x) < 0x1p62)) return std::lround(x);
  const long whole = static_cast<long>(x);  // truncates toward zero
  const double fraction = x - static_cast<double>(whole);
  return whole + static_cast<long>(fraction >= 0.5) - static_cast<long>(fraction <= -0.5);
}

// Adds `points` at time `t`.
inline void AddDecaying(DecayingScore& score, double points, EventTime t, Duration half_life) {
  if (score.at == EventTime::Min()) {
    score.value = points;
    score.at = t;
  } else if (t >= score.at) {
    score.value = DecayedValue(score, t, half_life) + points;
    score.at = t;
  } else if (half_life.ms > 0) {
    score.value += points * std::exp2(-static_cast<double>((score.at - t).ms) /
                                      static_cast<double>(half_life.ms));
  } else {
    score.value += points;
  }
}

}  // namespace cx
