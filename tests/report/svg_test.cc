// The report's drawing primitives, against hand calculations.
#include "report/svg.h"

#include <doctest/doctest.h>

#include <cmath>

#include "report/axis.h"

namespace podsim::report {
namespace {

TEST_CASE("escape turns markup characters into entities and leaves the rest") {
  CHECK(escape(R"(a<b & "c" 'd'>)") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  CHECK(escape("Ascend 910C · 384") == "Ascend 910C · 384");  // UTF-8 passes through
  CHECK(escape("&amp;") == "&amp;amp;");                      // escaping twice is visible, never lost
}

TEST_CASE("format_number: fixed decimals, thousands separators, no negative zero") {
  CHECK(format_number(15802, 0) == "15,802");
  CHECK(format_number(1437.74, 1) == "1,437.7");
  CHECK(format_number(999.96, 1) == "1,000.0");
  CHECK(format_number(-1234567.891, 2) == "-1,234,567.89");
  CHECK(format_number(-0.04, 1) == "0.0");
  CHECK(format_number(0.25, 2) == "0.25");
  CHECK(format_number(123, 0) == "123");
}

TEST_CASE("nice_number rounds to 1, 2, 5 or 10 times a power of ten") {
  // Heckbert's thresholds: round: f < 1.5 -> 1, < 3 -> 2, < 7 -> 5, else 10;
  // ceiling: f <= 1 -> 1, <= 2 -> 2, <= 5 -> 5, else 10.
  CHECK(nice_number(1437.74, false) == doctest::Approx(2000));  // f = 1.44 <= 2
  CHECK(nice_number(500, true) == doctest::Approx(500));        // f = 5 < 7
  CHECK(nice_number(0.25, true) == doctest::Approx(0.2));       // f = 2.5 < 3
  CHECK(nice_number(0.7, false) == doctest::Approx(1));         // f = 7 > 5 -> 10 x 0.1
  CHECK(nice_number(7.5, true) == doctest::Approx(10));         // f = 7.5 >= 7
}

TEST_CASE("nice_ticks covers the range with a nice step") {
  SUBCASE("a makespan in hours") {
    // range = nice(1437.74, ceil) = 2000; step = nice(2000 / 4, round) = 500;
    // floor(0 / 500) = 0 .. ceil(1437.74 / 500) = 3.
    const Ticks t = nice_ticks(0, 1437.74, 5);
    CHECK(t.step == doctest::Approx(500));
    REQUIRE(t.values.size() == 4);
    CHECK(t.values[3] == doctest::Approx(1500));
    CHECK(t.decimals == 0);
  }
  SUBCASE("a fraction") {
    // range = nice(0.7, ceil) = 1; step = nice(0.25, round) = 0.2; ticks 0 .. 0.8.
    const Ticks t = nice_ticks(0, 0.7, 5);
    CHECK(t.step == doctest::Approx(0.2));
    REQUIRE(t.values.size() == 5);
    CHECK(t.values[3] == doctest::Approx(0.6));
    CHECK(t.values[4] == doctest::Approx(0.8));
    CHECK(t.decimals == 1);
  }
  SUBCASE("percentages") {
    // range = 100; step = nice(20, round) = 20 (f = 2 < 3).
    const Ticks t = nice_ticks(0, 100, 6);
    CHECK(t.step == doctest::Approx(20));
    CHECK(t.values.size() == 6);
  }
  SUBCASE("a range across zero") {
    // range = nice(11.1, ceil) = 20; step = nice(5, round) = 5; floor(-3.2/5) = -1 .. ceil(7.9/5) = 2.
    const Ticks t = nice_ticks(-3.2, 7.9, 5);
    REQUIRE(t.values.size() == 4);
    CHECK(t.values.front() == doctest::Approx(-5));
    CHECK(t.values.back() == doctest::Approx(10));
  }
  SUBCASE("a single value widens to +-1") {
    // [4, 6]: range = 2, step = nice(0.5, round) = 0.5.
    const Ticks t = nice_ticks(5, 5, 5);
    CHECK(t.values.size() == 5);
    CHECK(t.values.front() == doctest::Approx(4));
    CHECK(t.decimals == 1);
  }
  SUBCASE("tick values are multiples of the step, not running sums") {
    const Ticks t = nice_ticks(0, 0.7, 5);
    CHECK(format_number(t.values[3], t.decimals) == "0.6");
  }
}

TEST_CASE("scales map domain to pixels") {
  const LinearScale y(0, 100, 400, 0);  // y axis pointing up
  CHECK(y(25) == doctest::Approx(300));
  CHECK(y.k() == doctest::Approx(-4));
  const LogScale x(1, 1000, 0, 300);  // 100 px per decade
  CHECK(x(10) == doctest::Approx(100));
  CHECK(x(316.227766) == doctest::Approx(250));
  CHECK(x(0.5) == doctest::Approx(0));  // below the domain: clamped
}

TEST_CASE("log_time_ticks keeps the ladder marks inside the range") {
  const LogScale x(10, 100000, 0, 400);
  const std::vector<Tick> t = log_time_ticks(x, 10, 100000);
  // 10 s, 1 min, 10 min, 1 h, 10 h (36,000 s); 1 d = 86,400 s is also <= 100,000.
  REQUIRE(t.size() == 6);
  CHECK(t.front().label == "10 s");
  CHECK(t.back().label == "1 d");
  CHECK(t[3].px == doctest::Approx(400 * (std::log10(3600.0) - 1) / 4));
  // 1,000 s to 100,000 s holds only 1 h, 10 h and 1 d of the decades: the fine ladder
  // adds 30 min, 2 h, 5 h.
  const std::vector<Tick> fine = log_time_ticks(LogScale(1000, 100000, 0, 200), 1000, 100000);
  REQUIRE(fine.size() == 6);
  CHECK(fine.front().label == "30 min");
  CHECK(fine[2].label == "2 h");
}

TEST_CASE("Svg writes escaped, one-decimal markup") {
  Svg svg(100, 50, "a <chart>", "x");
  svg.rect(1.25, 2, 3.04, -1, "c0", "job \"a\"");
  svg.text(5, 6, "5 < 6", "t", Anchor::kMiddle);
  const std::string s = std::move(svg).finish();
  CHECK(s.find(R"(aria-label="a &lt;chart&gt;")") != std::string::npos);
  // 1.25 prints as 1.2 (fmt rounds half to even on the binary value) and a negative
  // height clamps to 0.
  CHECK(s.find(R"(<rect x="1.2" y="2.0" width="3.0" height="0.0" class="c0"><title>job &quot;a&quot;</title></rect>)") !=
        std::string::npos);
  CHECK(s.find(R"(text-anchor="middle">5 &lt; 6</text>)") != std::string::npos);
  CHECK(s.substr(s.size() - 7) == "</svg>\n");
}

}  // namespace
}  // namespace podsim::report
