#pragma once
// Strong types for the quantities a model mixes up most easily: bytes, bandwidth
// (bytes per second), and FLOP rates. A Bandwidth cannot be passed where Bytes are
// expected; Bytes / Bandwidth gives seconds as a plain double for SimTime::seconds_ceil.
//
//   Bytes b = Bytes::giga(1);                 // 1e9 bytes (decimal, as vendors quote)
//   Bandwidth bw = Bandwidth::gbytes_per_s(50);  // 50 GB/s per direction
//   SimTime t = SimTime::seconds_ceil(b / bw);
//
// Values are doubles: collectives split messages into fractional pieces (S/n), and
// rates come out of max-min sharing as fractions anyway.
#include <compare>

namespace podsim::engine {

template <typename Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double v) : v_(v) {}
  constexpr double value() const { return v_; }
  constexpr auto operator<=>(const Quantity&) const = default;
  constexpr Quantity operator+(Quantity o) const { return Quantity(v_ + o.v_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(v_ - o.v_); }
  constexpr Quantity& operator+=(Quantity o) { v_ += o.v_; return *this; }
  constexpr Quantity& operator-=(Quantity o) { v_ -= o.v_; return *this; }
  constexpr Quantity operator*(double k) const { return Quantity(v_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(v_ / k); }
  constexpr double operator/(Quantity o) const { return v_ / o.v_; }  // ratio

 private:
  double v_ = 0;
};

template <typename Tag>
constexpr Quantity<Tag> operator*(double k, Quantity<Tag> q) { return q * k; }

struct BytesTag {};
struct BandwidthTag {};
struct FlopRateTag {};

// An amount of data. Decimal multiples (1 GB = 1e9 B), as link and HBM specs are quoted.
struct Bytes : Quantity<BytesTag> {
  using Quantity::Quantity;
  constexpr Bytes(Quantity<BytesTag> q) : Quantity(q) {}  // NOLINT: arithmetic results
  static constexpr Bytes kilo(double k) { return Bytes(k * 1e3); }
  static constexpr Bytes mega(double m) { return Bytes(m * 1e6); }
  static constexpr Bytes giga(double g) { return Bytes(g * 1e9); }
  static constexpr Bytes gibi(double g) { return Bytes(g * 1073741824.0); }
};

// Bytes per second, per direction unless a name says otherwise.
struct Bandwidth : Quantity<BandwidthTag> {
  using Quantity::Quantity;
  constexpr Bandwidth(Quantity<BandwidthTag> q) : Quantity(q) {}  // NOLINT
  static constexpr Bandwidth bytes_per_s(double b) { return Bandwidth(b); }
  static constexpr Bandwidth gbytes_per_s(double g) { return Bandwidth(g * 1e9); }
  // Line rates are quoted in bits: 400 Gb/s = 50 GB/s.
  static constexpr Bandwidth gbits_per_s(double g) { return Bandwidth(g * 1e9 / 8.0); }
};

// Floating-point (or integer) operations per second.
struct FlopRate : Quantity<FlopRateTag> {
  using Quantity::Quantity;
  constexpr FlopRate(Quantity<FlopRateTag> q) : Quantity(q) {}  // NOLINT
  static constexpr FlopRate tera(double t) { return FlopRate(t * 1e12); }
};

// Seconds to move `b` at `bw`. REQUIRES: bw > 0.
constexpr double seconds_to_transfer(Bytes b, Bandwidth bw) { return b.value() / bw.value(); }

}  // namespace podsim::engine
