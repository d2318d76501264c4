// The scenario's cluster section -> topology parameters (scenario/cluster_from_proto.h):
// presets and overrides, and every bad field reported at FILE:LINE:COL (or at the --set
// that changed it) with its field path.
#include "scenario/cluster_from_proto.h"

#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "tests/test_util.h"

using podsim::scenario::ScenarioFile;

namespace {

std::string error_of(const ScenarioFile& f) {
  return podsim::testing::error_of([&] { podsim::scenario::cluster_params(f); });
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a good cluster section becomes parameters with the overrides applied") {
  const ScenarioFile f = ScenarioFile::parse("good.textproto",
                                             "name: \"g\"\n"
                                             "cluster {\n"
                                             "  pools {\n"
                                             "    preset: \"cloudmatrix384\"\n"
                                             "    count: 16\n"
                                             "    cloudmatrix384 { l1_link_gbytes_per_s: 25 }\n"
                                             "    device { bf16_tflops: 708 }\n"
                                             "  }\n"
                                             "  fat_tree { tiers: 3 oversubscription: 1 }\n"
                                             "}\n");
  const auto p = podsim::scenario::cluster_params(f);
  REQUIRE(p.pools.size() == 1);
  CHECK(p.pools[0].count == 16);
  const auto& cm = std::get<podsim::topologies::CloudMatrix384Params>(p.pools[0].system);
  CHECK(cm.l1_link_gbytes_per_s == 25);
  CHECK(cm.l2_link_gbytes_per_s == 28);  // untouched: the preset's default
  CHECK(p.pools[0].device.bf16_tflops == 708);
  REQUIRE(p.fat_tree.has_value());
  CHECK(p.fat_tree->tiers == 3);
  CHECK(p.fat_tree->radix == 64);
}

TEST_CASE("a bad parameter is reported at its FILE:LINE:COL with its field path") {
  const ScenarioFile f = ScenarioFile::parse("bad.textproto",
                                             "name: \"b\"\n"
                                             "cluster {\n"
                                             "  pools {\n"
                                             "    preset: \"cloudmatrix384\"\n"
                                             "    cloudmatrix384 {\n"
                                             "      l2_link_gbytes_per_s: 0\n"
                                             "    }\n"
                                             "  }\n"
                                             "}\n");
  CHECK(error_of(f) ==
        "bad.textproto:6:7: cluster.pools[0].cloudmatrix384.l2_link_gbytes_per_s: expected GB/s in [1e-3, 1e5], got 0");
}

TEST_CASE("unknown presets, wrong override families, missing fabrics, a taper without spines") {
  const ScenarioFile f = ScenarioFile::parse("many.textproto",
                                             "cluster {\n"
                                             "  pools { preset: \"nvl144\" }\n"
                                             "  pools { preset: \"nvl72\" hgx { gpus: 4 } }\n"
                                             "}\n");
  const std::string err = error_of(f);
  CHECK(has(err, "many.textproto:2:11: cluster.pools[0].preset: unknown preset 'nvl144' (expected one of: "
                 "cloudmatrix384,"));
  CHECK(has(err, "many.textproto:3:27: cluster.pools[1].hgx: preset 'nvl72' takes its overrides in 'nvlink', not 'hgx'"));

  const ScenarioFile two = ScenarioFile::parse("two.textproto", "cluster {\n  pools { preset: \"nvl72\" count: 2 }\n}\n");
  CHECK(error_of(two) == "two.textproto:2:27: cluster.pools[0].count: 2 systems need a scale-out fabric to join them "
                         "(add fat_tree { tiers: 2 })");
  // Pools of one system each: no pool's count is to blame; the second pool is where a
  // second system came in (the cluster block's first line named nothing to change).
  const ScenarioFile ones = ScenarioFile::parse(
      "ones.textproto", "cluster {\n  pools { preset: \"nvl72\" }\n  pools { preset: \"nvl72\" }\n}\n");
  CHECK(error_of(ones) == "ones.textproto:3:3: cluster.pools[1]: 2 pools of one system each need a scale-out fabric "
                          "to join them (add fat_tree { tiers: 2 } to cluster)");
  const ScenarioFile three = ScenarioFile::parse("three.textproto",
                                                 "name: \"x\"\n"
                                                 "cluster {\n"
                                                 "  pools { name: \"a\" preset: \"nvl72\" }\n"
                                                 "  pools { name: \"b\" preset: \"hgx-h100\" count: 1 }\n"
                                                 "  pools { name: \"c\" preset: \"cloudmatrix384\" }\n"
                                                 "}\n");
  CHECK(error_of(three) == "three.textproto:4:3: cluster.pools[1]: 3 pools of one system each need a scale-out "
                           "fabric to join them (add fat_tree { tiers: 2 } to cluster)");
  // A second pool added by --set is named by its --set.
  ScenarioFile added = ScenarioFile::parse("one.textproto", "cluster { pools { preset: \"nvl72\" } }\n");
  added.apply_override("cluster.pools[1].preset=hgx-h100");
  CHECK(error_of(added) == "--set cluster.pools[1].preset: cluster.pools[1]: 2 pools of one system each need a "
                           "scale-out fabric to join them (add fat_tree { tiers: 2 } to cluster)");
  // A --set that made the pool too many is named, not the file (or the preset) it changed.
  ScenarioFile set = ScenarioFile::parse("p.textproto", "cluster { pools { preset: \"hgx-h100\" } }\n");
  set.apply_override("cluster.pools[0].count=20000");
  CHECK(error_of(set) == "--set cluster.pools[0].count: cluster.pools[0].count: 20000 systems need a scale-out "
                         "fabric to join them (add fat_tree { tiers: 2 })");
  // Too large to build (~7.9 TB): the pool that needs the most memory is named, here by
  // its --set.
  ScenarioFile huge = ScenarioFile::parse("h.textproto",
                                          "cluster {\n  pools { preset: \"nvl72\" count: 500 }\n"
                                          "  pools { preset: \"cloudmatrix384\" }\n  fat_tree { tiers: 3 }\n}\n");
  huge.apply_override("cluster.pools[1].count=1000000");
  const std::string e = error_of(huge);
  CHECK(e.starts_with("--set cluster.pools[1].count: cluster.pools[1].count: building this cluster (3.84e+08 devices) "
                      "needs ~7.94 TB (measured per device by family"));
  CHECK(e.ends_with("expected fewer systems"));

  const ScenarioFile tapered = ScenarioFile::parse("u.textproto",
                                                   "cluster {\n"
                                                   "  pools { preset: \"hgx-h100\" count: 100 }\n"
                                                   "  fat_tree { radix: 64 spine_oversubscription: 3 }\n"
                                                   "}\n");
  CHECK(has(error_of(tapered), "u.textproto:3:24: cluster.fat_tree.spine_oversubscription: 3 needs spine uplinks, "
                               "which a 2-tier tree has not (set tiers: 3)"));

  const ScenarioFile empty = ScenarioFile::parse("e.textproto", "name: \"e\"\n");
  CHECK(error_of(empty) == "e.textproto: cluster.pools: missing (expected at least one pool, e.g. cluster { pools { "
                           "preset: \"nvl72\" } })");
}

TEST_CASE("a parameter changed by --set is reported at the --set") {
  ScenarioFile f = ScenarioFile::parse("s.textproto", "cluster { pools { preset: \"nvl72\" } }\n");
  f.apply_override("cluster.pools[0].nvlink.link_gbytes_per_s=-50");
  CHECK(error_of(f) == "--set cluster.pools[0].nvlink.link_gbytes_per_s: cluster.pools[0].nvlink.link_gbytes_per_s: "
                       "expected GB/s in [1e-3, 1e5], got -50");
}
