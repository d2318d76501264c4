#pragma once
// Repeated floating-point addition and subtraction in O(1) per binade, bit for bit.
//
// The max-min solver (maxmin.h) adds or subtracts a class's rate once per flow of a
// (class, link) pair, m times in a row, so that every load and remaining capacity is
// the one a list of flows gives: x_{j+1} = fl(x_j - v) under round-to-nearest-even.
// The chain is serial (one subtraction's latency per flow): on the 256-rank
// all-to-all-v on `nvl`, whose pairs carry ~11 flows each, it was a third of the CPU.
//
// While x_j stays in one binade [B, 2B), every x_j is a multiple of its ulp u, so
//     fl(x_j - v) = x_j - q u,   q = the integer nearest to v / u,
// whenever x_j - q u >= B + u (then x_j - v lies in (B, 2B) too and its nearest
// multiple of u is x_j - q u: |v - q u| < u/2), unless v / u is exactly halfway
// between two integers (a tie, which rounds by the parity of x_j). So n steps inside
// the binade are one integer multiply-subtract on x's significand, and a step that
// leaves the binade (or a tie, a negative or tiny x) is taken as the plain
// subtraction. Addition is the mirror image: fl(x_j + v) = x_j + q u while
// x_j + q u <= 2B - u. The results equal the serial loops' bit for bit
// (maxmin_test.cc checks them against the loops on random and edge-case operands).
#include <bit>
#include <cstdint>

namespace podsim::engine {

namespace sums_detail {

// Chains shorter than this run as plain loops: the arithmetic below costs about as
// much as seven dependent additions. So do chains that move x by more than a quarter
// (x <= 4 m v): they cross binades, each crossing a plain step and a new start, and a
// link's last flows drain its remaining capacity to ~0 that way (on `cm`, where most
// long chains are a saturating link's, taking them made the solver 10% slower).
constexpr uint32_t kMinChain = 8;
constexpr uint32_t kMinDrain = 48;
constexpr uint64_t kHidden = uint64_t{1} << 52;
constexpr uint64_t kFraction = kHidden - 1;

// x's biased exponent if x is positive and normal and its ulp u = 2^(E-52) and
// 1/u are normal too, else 0 (such x take the plain path).
inline uint64_t usable_exponent(double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  const uint64_t e = bits >> 52;  // sign bit set: e >= 2048
  return e > 60 && e < 2000 ? e : 0;
}

// The integer q nearest to v / u for u = 2^(e - 1023 - 52), v in [0, 2^52 u);
// false on a tie.
inline bool quantize(double v, uint64_t e, uint64_t& q) {
  const double inv_u = std::bit_cast<double>((2098 - e) << 52);  // 2^(52 - (e - 1023))
  const double t = v * inv_u;                                  // exact: a power of 2
  const auto whole = static_cast<uint64_t>(t);
  const double frac = t - static_cast<double>(whole);          // exact: t < 2^52
  if (frac == 0.5) return false;
  q = whole + (frac > 0.5 ? 1 : 0);
  return true;
}

// min(m, floor(room / q)) for q >= 1: most chains fit their binade whole, so the
// division is taken only when they do not.
inline uint64_t steps(uint64_t room, uint64_t q, uint64_t m) {
  uint64_t all = 0;
  if (!__builtin_mul_overflow(m, q, &all) && all <= room) return m;
  return room / q;
}

// The long chains, out of line: inlined, they cost the solver's loops registers
// (10% more CPU on the 128-rank all-to-all-v on `cm`, whose pairs carry one flow).
[[gnu::noinline]] inline double subtract_chain(double x, double v, uint32_t m) {
  while (m > 0) {
    const uint64_t e = usable_exponent(x);
    const double binade = std::bit_cast<double>(e << 52);  // B
    uint64_t q = 0;
    // v < x - B: at least one step might stay in the binade.
    if (e != 0 && v < x - binade && quantize(v, e, q)) {
      if (q == 0) return x;  // v < u/2: x never moves
      const uint64_t sig = (std::bit_cast<uint64_t>(x) & kFraction);  // X - 2^52
      // Steps that keep X - n q >= 2^52 + 1.
      if (sig >= 1) {
        const uint64_t n = steps(sig - 1, q, m);
        if (n > 0) {
          x = std::bit_cast<double>((e << 52) | (sig - n * q));
          m -= static_cast<uint32_t>(n);
          if (m == 0) return x;
        }
      }
    }
    x -= v;  // leaves the binade, or a tie, or an x the integer path does not take
    --m;
  }
  return x;
}

[[gnu::noinline]] inline double add_chain(double x, double v, uint32_t m) {
  while (m > 0) {
    const uint64_t e = usable_exponent(x);
    const double binade = std::bit_cast<double>(e << 52);  // B
    uint64_t q = 0;
    // v < B: quantize's range; q u <= 2B - u - x limits the steps below.
    if (e != 0 && v < binade && quantize(v, e, q)) {
      if (q == 0) return x;  // v < u/2: x never moves
      const uint64_t sig = (std::bit_cast<uint64_t>(x) & kFraction);  // X - 2^52
      // Steps that keep X + n q <= 2^53 - 1, i.e. sig + n q <= 2^52 - 1.
      const uint64_t n = steps(kFraction - sig, q, m);
      if (n > 0) {
        x = std::bit_cast<double>((e << 52) | (sig + n * q));
        m -= static_cast<uint32_t>(n);
        if (m == 0) return x;
      }
    }
    x += v;
    --m;
  }
  return x;
}

}  // namespace sums_detail

// x after m times x -= v, each rounded (round to nearest, ties to even). REQUIRES: v >= 0.
inline double subtract_repeated(double x, double v, uint32_t m) {
  if (m >= sums_detail::kMinChain && (x > 4 * v * m || m >= sums_detail::kMinDrain)) [[unlikely]]
    return sums_detail::subtract_chain(x, v, m);
  for (uint32_t j = 0; j < m; ++j) x -= v;
  return x;
}

// x after m times x += v, each rounded (round to nearest, ties to even). REQUIRES: v >= 0.
inline double add_repeated(double x, double v, uint32_t m) {
  if (m >= sums_detail::kMinChain && (x > 4 * v * m || m >= sums_detail::kMinDrain)) [[unlikely]]
    return sums_detail::add_chain(x, v, m);
  for (uint32_t j = 0; j < m; ++j) x += v;
  return x;
}

}  // namespace podsim::engine
