// The scenario fingerprint a report prints (scenario/fingerprint.h): the scenario as run
// (file + overrides + seed), not its layout; FNV-1a checked on a published vector.
#include <doctest/doctest.h>

#include <string>

#include "scenario/fingerprint.h"

namespace podsim::scenario {
namespace {

const char* const kScenario = R"(name: "fp"
seed: 1
cluster { pools { preset: "nvl72" count: 1 } }
)";

TEST_CASE("FNV-1a 64 matches the reference algorithm") {
  // Offset basis cbf29ce484222325, prime 100000001b3 (Fowler, Noll, Vo). The reference
  // FNV-1a 64 of "a" is af63dc4c8601ec8c; add() hashes "1:a" (length-prefixed), which
  // the same loop in Python gives as 45540418180aba49.
  Fnv1a empty;
  CHECK(empty.hex() == "cbf29ce484222325");
  Fnv1a one;
  one.add("a");
  CHECK(one.hex() == "45540418180aba49");
  Fnv1a a, b;
  a.add("ab");
  a.add("c");
  b.add("a");
  b.add("bc");
  CHECK(a.hex() != b.hex());
}

TEST_CASE("the scenario fingerprint: same scenario, overrides and seed -> same, any change -> another") {
  const std::string base = scenario_fingerprint(ScenarioFile::parse("a.textproto", kScenario));
  CHECK(base.size() == 16);
  // Comments, layout and path do not enter it.
  CHECK(scenario_fingerprint(ScenarioFile::parse("elsewhere/b.textproto", std::string("# note\n\n") + kScenario)) == base);
  // An override does, and so does the seed.
  ScenarioFile overridden = ScenarioFile::parse("a.textproto", kScenario);
  overridden.apply_override("cluster.pools[0].count=2");
  CHECK(scenario_fingerprint(overridden) != base);
  ScenarioFile reseeded = ScenarioFile::parse("a.textproto", kScenario);
  reseeded.apply_override("seed=2");
  CHECK(scenario_fingerprint(reseeded) != base);
  // Setting a field to the value it has is the same scenario.
  ScenarioFile same = ScenarioFile::parse("a.textproto", kScenario);
  same.apply_override("seed=1");
  CHECK(scenario_fingerprint(same) == base);
}

}  // namespace
}  // namespace podsim::scenario
