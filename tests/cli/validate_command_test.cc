// `podsim validate`'s summary: median and largest absolute relative error, and the share
// within 15%, against issue 14's targets (median <= 5%, at least 90% within 15%).
#include "cli/validate_command.h"

#include <doctest/doctest.h>

#include <vector>

namespace podsim::cli {
namespace {

TEST_CASE("summarize: signs are dropped, odd count takes the middle value") {
  const ValidationSummary s = summarize({-0.20, 0.05, 0.03});
  CHECK(s.figures == 3);
  CHECK(s.median == doctest::Approx(0.05));
  CHECK(s.max == doctest::Approx(0.20));
  CHECK(s.within_15 == 2);
  CHECK_FALSE(s.met);  // 2 of 3 within 15% is 67%, short of 90%
}

TEST_CASE("summarize: even count takes the mean of the middle two") {
  const ValidationSummary s = summarize({0.02, -0.04, 0.10, -0.12});
  CHECK(s.median == doctest::Approx(0.07));
  CHECK(s.max == doctest::Approx(0.12));
  CHECK_FALSE(s.met);  // median past 5% though every figure is within 15%
}

TEST_CASE("summarize: met at a 5% median with 90% of the figures within 15%, boundaries included") {
  // Ten figures: nine within 15% (the boundary 0.15 counts), one far out; median 5%.
  std::vector<double> e = {0.01, -0.02, 0.03, -0.04, 0.05, -0.05, 0.06, 0.1, -0.15, 0.6};
  ValidationSummary s = summarize(e);
  CHECK(s.median == doctest::Approx(0.05));
  CHECK(s.within_15 == 9);
  CHECK(s.met);
  e[8] = -0.151;  // now 8 of 10 within 15%
  CHECK_FALSE(summarize(e).met);
  e[8] = -0.15;
  e[6] = 0.07;  // median (0.05 + 0.07) / 2 = 6%
  e[5] = -0.07;
  CHECK_FALSE(summarize(e).met);
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
