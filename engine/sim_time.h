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
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace podsim::engine {

class SimTime {
 public:
  constexpr SimTime() = default;

  static constexpr SimTime nanos(int64_t ns) { return SimTime(ns); }
  static constexpr SimTime micros(int64_t us) { return SimTime(us * 1'000); }
  static constexpr SimTime millis(int64_t ms) { return SimTime(ms * 1'000'000); }
  // Rounds to the nearest nanosecond. REQUIRES: s is finite and within range.
  static SimTime seconds(double s) { return from_ns_double(s * 1e9, /*round_up=*/false); }
  // Rounds up, so a transfer or computation never finishes before its work is done
  // ("durations from bytes/rate round up", DESIGN.md).
  static SimTime seconds_ceil(double s) { return from_ns_double(s * 1e9, /*round_up=*/true); }
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t ns() const { return ns_; }
  constexpr double to_seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(SimTime o) const { return SimTime(ns_ + o.ns_); }
  constexpr SimTime operator-(SimTime o) const { return SimTime(ns_ - o.ns_); }
  constexpr SimTime& operator+=(SimTime o) { ns_ += o.ns_; return *this; }
  constexpr SimTime& operator-=(SimTime o) { ns_ -= o.ns_; return *this; }
  constexpr SimTime operator*(int64_t k) const { return SimTime(ns_ * k); }

  // Human-readable, unit chosen by magnitude: "1.250 ms", "3.000 d".
  std::string to_string() const;

 private:
  constexpr explicit SimTime(int64_t ns) : ns_(ns) {}
  static SimTime from_ns_double(double ns, bool round_up) {
    if (!std::isfinite(ns) || ns >= 9.2e18 || ns <= -9.2e18)
      throw std::invalid_argument("SimTime: value out of range (" + std::to_string(ns) + " ns)");
    return SimTime(static_cast<int64_t>(round_up ? std::ceil(ns) : std::llround(ns)));
  }
  int64_t ns_ = 0;
};

}  // namespace podsim::engine
