#include "scheduler/trace_time.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>

namespace podsim::scheduler {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible
// low-level date algorithms", days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap_year(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` decimal digits at `s[at]`, advancing `at`.
std::optional<int> digits(std::string_view s, size_t& at, size_t n) {
  if (at + n > s.size()) return std::nullopt;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  at += n;
  return v;
}

bool eat(std::string_view s, size_t& at, char c) {
  if (at < s.size() && s[at] == c) {
    ++at;
    return true;
  }
  return false;
}

}  // namespace

double unit_seconds(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMilliseconds: return 1e-3;
    case TimeUnit::kMinutes: return 60;
    case TimeUnit::kHours: return 3600;
    case TimeUnit::kSeconds: break;
  }
  return 1;
}

const char* unit_name(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMilliseconds: return "ms";
    case TimeUnit::kMinutes: return "min";
    case TimeUnit::kHours: return "h";
    case TimeUnit::kSeconds: break;
  }
  return "s";
}

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_whole(std::string_view s) {
  const std::optional<double> v = parse_number(s);
  constexpr double kLargestExact = 9007199254740992.0;  // 2^53
  if (!v || *v != std::floor(*v) || std::fabs(*v) > kLargestExact) return std::nullopt;
  return static_cast<int64_t>(*v);
}

std::optional<double> parse_iso8601(std::string_view s, std::string& why) {
  size_t at = 0;
  const auto y = digits(s, at, 4);
  if (!y || !eat(s, at, '-')) return std::nullopt;
  const auto mo = digits(s, at, 2);
  if (!mo || !eat(s, at, '-')) return std::nullopt;
  const auto d = digits(s, at, 2);
  if (!d) return std::nullopt;
  int h = 0, mi = 0, se = 0;
  double fraction = 0, zone_s = 0;
  if (at < s.size()) {
    if (s[at] != 'T' && s[at] != ' ') return std::nullopt;
    ++at;
    const auto hh = digits(s, at, 2);
    if (!hh || !eat(s, at, ':')) return std::nullopt;
    const auto mm = digits(s, at, 2);
    if (!mm) return std::nullopt;
    h = *hh;
    mi = *mm;
    if (eat(s, at, ':')) {
      const auto ss = digits(s, at, 2);
      if (!ss) return std::nullopt;
      se = *ss;
      if (eat(s, at, '.') || eat(s, at, ',')) {  // ISO 8601 allows either decimal sign
        double scale = 0.1;
        const size_t from = at;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
          fraction += (s[at] - '0') * scale;
          scale /= 10;
          ++at;
        }
        if (at == from) return std::nullopt;
      }
    }
    if (eat(s, at, 'Z')) {
    } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
      const double sign = s[at] == '+' ? 1 : -1;
      ++at;
      const auto zh = digits(s, at, 2);
      if (!zh) return std::nullopt;
      int zm = 0;
      if (at < s.size()) {
        eat(s, at, ':');
        const auto m = digits(s, at, 2);
        if (!m) return std::nullopt;
        zm = *m;
      }
      if (*zh > 14 || zm > 59) {
        why = fmt::format("{:02}:{:02} is not a zone offset", *zh, zm);
        return std::nullopt;
      }
      zone_s = sign * (*zh * 3600 + zm * 60);
    }
  }
  if (at != s.size()) return std::nullopt;
  if (*y < 1) {  // once refused without a reason, as if the text were not a date
    why = "year 0000 is before the calendar's year 1";
    return std::nullopt;
  }
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
  if (*mo < 1 || *mo > 12) {
    why = fmt::format("there is no month {}", *mo);
    return std::nullopt;
  }
  if (*d < 1 || *d > days_in_month(*y, *mo)) {
    why = fmt::format("{} {} has {} days", kMonths[*mo - 1], *y, days_in_month(*y, *mo));
    return std::nullopt;
  }
  if (h > 23 || mi > 59 || se > 59) {
    why = fmt::format("{:02}:{:02}:{:02} is not a time of day", h, mi, se);
    return std::nullopt;
  }
  // A zone east of UTC is ahead of it: 10:00+08:00 is 02:00Z.
  return static_cast<double>(days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d)) * 86400 +
                             h * 3600 + mi * 60 + se) +
         fraction - zone_s;
}

std::optional<double> parse_elapsed(std::string_view s, std::string& why) {
  size_t at = 0;
  int64_t days = -1;
  const size_t dash = s.find('-');
  if (dash != std::string_view::npos) {
    int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + dash, v);
    if (ec != std::errc() || p != s.data() + dash || v < 0 || v > 100000) return std::nullopt;
    days = v;
    at = dash + 1;
  }
  // Up to three ':'-separated fields of one or more digits.
  int64_t f[3] = {0, 0, 0};
  int n = 0;
  for (;;) {
    int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data() + at, s.data() + s.size(), v);
    if (ec != std::errc() || p == s.data() + at || v < 0 || v > 1000000000) return std::nullopt;
    if (n == 3) return std::nullopt;
    f[n++] = v;
    at = static_cast<size_t>(p - s.data());
    if (at == s.size()) break;
    if (!eat(s, at, ':')) return std::nullopt;
  }
  if (n < 2 || (days >= 0 && n != 3)) return std::nullopt;
  const int64_t hours = n == 3 ? f[0] : 0, minutes = f[n - 2], seconds = f[n - 1];
  if (minutes > 59 || seconds > 59 || (days >= 0 && hours > 23)) {
    why = "minutes and seconds must be below 60, hours below 24 after a day count";
    return std::nullopt;
  }
  return static_cast<double>(std::max<int64_t>(days, 0) * 86400 + hours * 3600 + minutes * 60 + seconds);
}

}  // namespace podsim::scheduler
