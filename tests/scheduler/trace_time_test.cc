#include "scheduler/trace_time.h"

#include <doctest/doctest.h>

using namespace podsim::scheduler;

TEST_CASE("time units in seconds") {
  CHECK(unit_seconds(TimeUnit::kSeconds) == 1);
  CHECK(unit_seconds(TimeUnit::kMilliseconds) == 1e-3);
  CHECK(unit_seconds(TimeUnit::kMinutes) == 60);
  CHECK(unit_seconds(TimeUnit::kHours) == 3600);
  CHECK(std::string(unit_name(TimeUnit::kMinutes)) == "min");
}

TEST_CASE("numbers are whole finite decimals") {
  CHECK(parse_number("12") == 12);
  CHECK(parse_number("-3.5") == -3.5);
  CHECK(parse_number("1e3") == 1000);
  CHECK_FALSE(parse_number(""));
  CHECK_FALSE(parse_number("12s"));
  CHECK_FALSE(parse_number("inf"));
  CHECK_FALSE(parse_number("nan"));
  CHECK_FALSE(parse_number("1e400"));  // out of range of a double
}

TEST_CASE("whole numbers, also as pandas writes them") {
  CHECK(parse_whole("8") == 8);
  CHECK(parse_whole("8.0") == 8);
  CHECK(parse_whole("-1.00") == -1);
  CHECK(parse_whole("1e1") == 10);
  CHECK(parse_whole("9007199254740992") == 9007199254740992);  // 2^53
  CHECK_FALSE(parse_whole("8.5"));
  CHECK_FALSE(parse_whole("1e300"));  // whole, but no int64
  CHECK_FALSE(parse_whole("8 GPUs"));
  CHECK_FALSE(parse_whole(""));
}

TEST_CASE("ISO 8601 times by hand") {
  std::string why;
  // 2021-01-01 is day 18,628 since 1970 (1609459200 / 86400); March 4 is 31 + 28 + 3 days
  // later: 18,690 days = 1,614,816,000 s at midnight UTC.
  CHECK(parse_iso8601("2021-03-04", why) == 1614816000);
  CHECK(parse_iso8601("2021-03-04T02:00:00Z", why) == 1614816000 + 7200);
  CHECK(parse_iso8601("2021-03-04 02:00:00", why) == 1614816000 + 7200);  // no zone: UTC
  CHECK(parse_iso8601("2021-03-04T10:00:00+08:00", why) == 1614816000 + 7200);  // 10:00 in UTC+8 is 02:00Z
  CHECK(parse_iso8601("2021-03-04T10:00+0800", why) == 1614816000 + 7200);
  CHECK(parse_iso8601("2021-03-03T21:00:00-05", why) == 1614816000 + 7200);  // 21:00 in UTC-5 is 02:00Z next day
  CHECK(parse_iso8601("1970-01-01T00:00:01.25Z", why) == 1.25);
  CHECK(parse_iso8601("1970-01-01T00:00:01,5", why) == 1.5);
  CHECK(parse_iso8601("2000-02-29T23:59:59", why) == 951868799);  // 2000 is a leap year (divisible by 400)

  why.clear();
  CHECK_FALSE(parse_iso8601("2100-02-29", why));  // 2100 is not (divisible by 100)
  CHECK(why == "February 2100 has 28 days");
  why.clear();
  CHECK_FALSE(parse_iso8601("2021-13-01", why));
  CHECK(why == "there is no month 13");
  why.clear();
  CHECK_FALSE(parse_iso8601("2021-03-04T24:00:00", why));
  CHECK(why == "24:00:00 is not a time of day");
  why.clear();
  CHECK_FALSE(parse_iso8601("2021-03-04T10:00:00+15:00", why));
  CHECK(why == "15:00 is not a zone offset");
  why.clear();
  CHECK_FALSE(parse_iso8601("0000-01-01 00:00:00", why));
  CHECK(why == "year 0000 is before the calendar's year 1");
  for (const char* bad : {"", "2021", "2021-3-4", "2021-03-04T", "2021-03-04T10", "2021-03-04T10:00:00x",
                          "2021-03-04T10:00:00.", "2021-03-04T10:00:00+8", "12345", "2021-03-04T10:00:00Z "}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_iso8601(bad, why));
  }
}

TEST_CASE("Slurm elapsed times by hand") {
  std::string why;
  CHECK(parse_elapsed("1-02:03:04", why) == 86400 + 2 * 3600 + 3 * 60 + 4);  // 93,784 s
  CHECK(parse_elapsed("02:03:04", why) == 7384);
  CHECK(parse_elapsed("61:00:00", why) == 61 * 3600);  // hours may pass 24 without a day count
  CHECK(parse_elapsed("05:30", why) == 330);           // MM:SS
  CHECK_FALSE(parse_elapsed("1-02:03", why));          // a day count needs HH:MM:SS
  CHECK_FALSE(parse_elapsed("1-24:00:00", why));
  CHECK_FALSE(parse_elapsed("00:60", why));
  CHECK_FALSE(parse_elapsed("5", why));
  CHECK_FALSE(parse_elapsed("1:2:3:4", why));
  CHECK_FALSE(parse_elapsed("-1:00:00", why));
  CHECK_FALSE(parse_elapsed("01:00:00x", why));
}
