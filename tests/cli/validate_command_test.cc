// `podsim validate`'s summary: median and largest absolute relative error against the
// issue #5 targets (median <= 10%, every figure <= 25%).
#include "cli/validate_command.h"

#include <doctest/doctest.h>

namespace podsim::cli {
namespace {

TEST_CASE("summarize: signs are dropped, odd count takes the middle value") {
  const ValidationSummary s = summarize({-0.20, 0.05, 0.08});
  CHECK(s.figures == 3);
  CHECK(s.median == doctest::Approx(0.08));
  CHECK(s.max == doctest::Approx(0.20));
  CHECK(s.met);
}

TEST_CASE("summarize: even count takes the mean of the middle two") {
  const ValidationSummary s = summarize({0.02, -0.04, 0.10, -0.12});
  CHECK(s.median == doctest::Approx(0.07));
  CHECK(s.max == doctest::Approx(0.12));
  CHECK(s.met);
}

TEST_CASE("summarize: a single figure past 25% misses the target") {
  CHECK_FALSE(summarize({0.01, 0.01, -0.26}).met);
  CHECK(summarize({0.01, 0.01, -0.25}).met);
}

TEST_CASE("summarize: a median past 10% misses the target though no figure passes 25%") {
  const ValidationSummary s = summarize({0.11, -0.12, 0.2});
  CHECK(s.median == doctest::Approx(0.12));
  CHECK_FALSE(s.met);
}

TEST_CASE("summarize: counts the figures within 15% (issue 14's target), boundary included") {
  const ValidationSummary s = summarize({0.15, -0.151, 0.02, -0.14, 0.3});
  CHECK(s.within_15 == 3);
}

TEST_CASE("refusal_reason: the first line of the error, never an empty reason") {
  CHECK(refusal_reason("a.textproto:3:1: plan: does not fit") == "a.textproto:3:1: plan: does not fit");
  CHECK(refusal_reason("podsim: unknown command 'x'\nusage: ...") == "podsim: unknown command 'x'");
  CHECK(refusal_reason("") == "no reason given");
}

}  // namespace
}  // namespace podsim::cli
