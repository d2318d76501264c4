#pragma once
// How trace files write times and lengths: plain numbers in a unit (s, ms, min, h),
// ISO 8601 date-times with or without a zone, and Slurm's elapsed "[D-]HH:MM:SS". Used
// by the trace readers (traces.h, trace_declared.h); they add file, line and column to
// a refusal.
//
//   std::string why;
//   parse_iso8601("2021-03-04T10:00:00+08:00", why)  -> 1614823200 (seconds since 1970, UTC)
//   parse_elapsed("1-02:03:04", why)                  -> 93784
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podsim::scheduler {

enum class TimeUnit { kSeconds, kMilliseconds, kMinutes, kHours };

// Seconds in one unit: 1, 0.001, 60, 3600.
double unit_seconds(TimeUnit unit);
// "s", "ms", "min", "h".
const char* unit_name(TimeUnit unit);

// A finite decimal number, the whole string ("12", "-3.5", "1e3"); nullopt otherwise.
std::optional<double> parse_number(std::string_view s);

// A whole number, also written as a decimal ("8", "8.0", "1e1"): pandas writes a column of
// counts as floats once one of its cells is missing (Acme's, PAI's exports; an SWF log
// rewritten from a DataFrame). Nullopt for a fraction (8.5), text, or beyond +-2^53
// (where a double no longer holds every whole number).
std::optional<int64_t> parse_whole(std::string_view s);

// Seconds since 1970-01-01 UTC of an ISO 8601 date-time: "YYYY-MM-DD", then optionally
// 'T' or ' ' and "HH:MM[:SS[.fraction]]", then optionally a zone "Z", "+HH", "+HH:MM" or
// "+HHMM" (or '-'). Without a zone the time is read as UTC (traces rarely say; the
// replay only uses differences, so one fixed zone is what matters). A date or time that
// does not exist (2020-02-30, 24:00:00) is refused with the reason in `why`.
std::optional<double> parse_iso8601(std::string_view s, std::string& why);

// Seconds of an elapsed time as Slurm's sacct writes it: "[D-]HH:MM:SS" or "MM:SS"
// (minutes and seconds below 60, hours below 24 when days are given).
std::optional<double> parse_elapsed(std::string_view s, std::string& why);

}  // namespace podsim::scheduler
