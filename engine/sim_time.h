#pragma once
// Simulated time: an integer count of nanoseconds.
//
// Integer time makes ties exact and runs reproducible: two events scheduled for the
// same instant compare equal on every machine, and the event queue breaks the tie by
// insertion order. int64 nanoseconds cover about 292 years.
//
// A SimTime is built only through the unit helpers (SimTime::seconds(1.5),
// SimTime::micros(3)); there is no constructor from a bare number, so a latency in
// microseconds can never be read as nanoseconds.
//
// Overflow-safe: conversions and arithmetic saturate at max() ("never") and -max()
// instead of wrapping, so no sum of long durations can come out negative and schedule
// an event in the past. A duration that saturates is later than end_of_time(), the
// latest instant a run simulates (Simulator::run stops there), so an event "never"
// is never run. NaN has no time: converting one is an internal error.
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <string>

#include "engine/check.h"
#include "engine/error.h"

namespace podsim::engine {

class SimTime {
 public:
  constexpr SimTime() = default;

  static constexpr SimTime nanos(int64_t ns) { return SimTime(ns); }
  static constexpr SimTime micros(int64_t us) { return SimTime(us) * 1'000; }
  static constexpr SimTime millis(int64_t ms) { return SimTime(ms) * 1'000'000; }
  // Rounds to the nearest nanosecond; saturates at +-max(). REQUIRES: s is not NaN.
  static SimTime seconds(double s) { return from_ns_double(s * 1e9, /*round_up=*/false); }
  // Rounds up, so a transfer or computation never finishes before its work is done
  // ("durations from bytes/rate round up", DESIGN.md).
  static SimTime seconds_ceil(double s) { return from_ns_double(s * 1e9, /*round_up=*/true); }
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<int64_t>::max()); }
  // The latest instant any run simulates: 2^62 ns, about 146 years, far past every
  // input (scenario times are at most 1e9 s) and far below max(), so that a saturated
  // "never" stays after it.
  static constexpr SimTime end_of_time() { return SimTime(int64_t{1} << 62); }

  constexpr int64_t ns() const { return ns_; }
  constexpr double to_seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const SimTime&) const = default;
  // Saturating (see the top of the file).
  constexpr SimTime operator+(SimTime o) const {
    int64_t r;
    if (__builtin_add_overflow(ns_, o.ns_, &r)) [[unlikely]] return o.ns_ > 0 ? max() : -max();
    return SimTime(r);
  }
  constexpr SimTime operator-(SimTime o) const {
    int64_t r;
    if (__builtin_sub_overflow(ns_, o.ns_, &r)) [[unlikely]] return o.ns_ < 0 ? max() : -max();
    return SimTime(r);
  }
  constexpr SimTime operator-() const { return SimTime(ns_ == std::numeric_limits<int64_t>::min() ? max().ns_ : -ns_); }
  constexpr SimTime& operator+=(SimTime o) { return *this = *this + o; }
  constexpr SimTime& operator-=(SimTime o) { return *this = *this - o; }
  constexpr SimTime operator*(int64_t k) const {
    int64_t r;
    if (__builtin_mul_overflow(ns_, k, &r)) [[unlikely]] return (ns_ < 0) == (k < 0) ? max() : -max();
    return SimTime(r);
  }

  // Human-readable, unit chosen by magnitude: "1.250 ms", "3.000 d".
  std::string to_string() const;

 private:
  constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
  static SimTime from_ns_double(double ns, bool round_up) {
    PODSIM_CHECK(!std::isnan(ns), "a simulated time computed as NaN seconds");
    // 9.2e18 is just below 2^63 (9.223e18): a value under it, rounded, fits int64.
    if (ns >= 9.2e18) return max();
    if (ns <= -9.2e18) return -max();
    return SimTime(static_cast<int64_t>(round_up ? std::ceil(ns) : std::llround(ns)));
  }
  int64_t ns_ = 0;
};

// Inputs that make some duration longer than a run can simulate (past
// SimTime::end_of_time()). A UserError: the catcher adds which job or system it was.
class EndOfTimeError : public UserError {
 public:
  using UserError::UserError;
};

}  // namespace podsim::engine
