// Node lists (Cluster.node_lists; scenario/node_list.h): a CSV of machines becomes pools
// of one-server systems, one per GPU type and GPU count, and bad lists are refused with
// their file and line. The shipped sample (data/nodes/k8s-node-list-synthetic) counted
// by hand: 4 H100 x 8, 2 H800 x 8, 2 H800 x 4, one machine without GPUs, 2 T4 x 2.
#include "scenario/node_list.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "engine/error.h"
#include "io/cluster_results.h"
#include "scenario/cluster_from_proto.h"
#include "scenario/cluster_run.h"
#include "scenario/scenario_file.h"
#include "tests/test_util.h"

using podsim::scenario::ScenarioFile;
namespace topo = podsim::topologies;

namespace {

const std::string kSample = std::string(PODSIM_SOURCE_DIR) + "/data/nodes/k8s-node-list-synthetic/nodes.csv";

using podsim::testing::TempDir;
using podsim::testing::error_of;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A scenario beside `dir`'s node list, so that its relative path resolves.
ScenarioFile scenario(const std::string& node_list) {
  return ScenarioFile::parse(std::string(PODSIM_SOURCE_DIR) + "/scenarios/x.textproto",
                             "name: \"n\"\ncluster {\n  node_lists {\n" + node_list +
                                 "  }\n  fat_tree { tiers: 2 radix: 16 rail_optimized: false }\n}\n");
}

const char* kSampleList =
    "    path: \"../data/nodes/k8s-node-list-synthetic/nodes.csv\"\n"
    "    gpus: \"gpu\" gpu_type: \"model\"\n"
    "    types { match: \"H100\" server { preset: \"hgx-h100\" } }\n"
    "    types { match: \"H800\" server { preset: \"hgx-h800\" } }\n";

}  // namespace

TEST_CASE("the sample's machines group by GPU type and count, in order of first appearance") {
  const podsim::scenario::NodeList l = podsim::scenario::read_node_list(kSample, {.gpus = "gpu", .gpu_type = "model"});
  REQUIRE(l.groups.size() == 4);
  CHECK((l.groups[0].gpu_type == "H100" && l.groups[0].gpus == 8 && l.groups[0].machines == 4));
  CHECK((l.groups[1].gpu_type == "H800" && l.groups[1].gpus == 8 && l.groups[1].machines == 2));
  CHECK((l.groups[2].gpu_type == "H800" && l.groups[2].gpus == 4 && l.groups[2].machines == 2));
  CHECK((l.groups[3].gpu_type == "T4" && l.groups[3].gpus == 2 && l.groups[3].machines == 2));
  CHECK(l.groups[2].first_line == 9);  // synth-node-07: line 9 of the file (header = line 1)
  CHECK(l.skipped.at("no GPUs") == 1);
}

TEST_CASE("skipped machines are counted by reason and list, and printed once in the run summary") {
  using podsim::scenario::SkippedMachines;
  SkippedMachines skipped;
  podsim::scenario::cluster_params(scenario(std::string(kSampleList) + "    skip_unknown_types: true\n"), &skipped);
  // The sample's machine without GPUs and its two T4 machines (no entry for T4).
  const SkippedMachines want{{"GPU type 'T4' has no entry in types (cluster.node_lists[0])", 2},
                             {"no GPUs (cluster.node_lists[0])", 1}};
  CHECK(skipped == want);

  // A run reads its cluster section more than once (checks, run size, build); the
  // summary counts each machine once.
  const ScenarioFile f = ScenarioFile::load(PODSIM_SOURCE_DIR "/scenarios/traces/k8s_pod_list_nodes.textproto");
  const podsim::sim::ClusterRunOutput out = podsim::scenario::run_cluster(f);
  CHECK(out.skipped_machines == want);
  std::ostringstream printed;
  podsim::io::print_cluster_run(out, printed);
  const std::string text = printed.str();
  const auto times = [&](const std::string& line) {
    int n = 0;
    for (size_t at = text.find(line); at != std::string::npos; at = text.find(line, at + 1)) ++n;
    return n;
  };
  CHECK(times("\nskipped         1 node-list machines: no GPUs (cluster.node_lists[0])\n") == 1);
  CHECK(times("\nskipped         2 node-list machines: GPU type 'T4' has no entry in types (cluster.node_lists[0])\n") == 1);
  CHECK(times("node-list machines") == 2);
}

TEST_CASE("a node list builds one pool per GPU type and count, named by type, sized by the list") {
  const topo::ClusterParams p =
      podsim::scenario::cluster_params(scenario(std::string(kSampleList) + "    skip_unknown_types: true\n"));
  REQUIRE(p.pools.size() == 3);
  CHECK(p.pools[0].name == "H100");  // one size of H100: the type alone
  CHECK(p.pools[1].name == "H800-8gpu");
  CHECK(p.pools[2].name == "H800-4gpu");
  CHECK(p.pools[0].count == 4);
  CHECK(p.pools[1].count == 2);
  CHECK(p.pools[2].count == 2);
  CHECK(p.pools[2].gpu_type == "H800");
  CHECK(std::get<topo::HgxParams>(p.pools[2].system).gpus == 4);
  CHECK(p.pools[1].preset == "hgx-h800");
  // 4 x 8 + 2 x 8 + 2 x 4 = 56 GPUs: the T4s and the machine without GPUs are not built.
  int devices = 0;
  for (const topo::PoolParams& pool : p.pools) devices += pool.count * std::get<topo::HgxParams>(pool.system).gpus;
  CHECK(devices == 56);
}

TEST_CASE("a type without an entry is an error naming the file, the line and the way out") {
  const std::string e = error_of([] { podsim::scenario::cluster_params(scenario(kSampleList)); });
  CHECK(has(e, "cluster.node_lists[0].types"));
  CHECK(has(e, "nodes.csv:11: GPU type 'T4' (2 machines of 2 GPUs) has no entry"));
  CHECK(has(e, "skip_unknown_types: true"));
}

TEST_CASE("an entry without match takes every other type, and a rack-scale preset or a count is refused") {
  const topo::ClusterParams p = podsim::scenario::cluster_params(scenario(
      std::string(kSampleList) + "    types { server { name: \"other\" preset: \"hgx-h20\" } }\n"));
  REQUIRE(p.pools.size() == 4);
  CHECK(p.pools[3].name == "other");
  CHECK(p.pools[3].gpu_type == "T4");
  CHECK(std::get<topo::HgxParams>(p.pools[3].system).gpus == 2);

  const std::string rack = error_of([] {
    podsim::scenario::cluster_params(scenario(
        "    path: \"../data/nodes/k8s-node-list-synthetic/nodes.csv\" gpus: \"gpu\"\n"
        "    types { server { preset: \"nvl72\" count: 2 } }\n"));
  });
  CHECK(has(rack, "cluster.node_lists[0].types[0].server.preset: 'nvl72' is not one server"));
  CHECK(has(rack, "cluster.node_lists[0].types[0].server.count: set by the node list"));
}

TEST_CASE("bad lists: a missing column, a GPU count that is not a whole number in range, a short row") {
  using podsim::scenario::read_node_list;
  const TempDir dir("podsim_node_list_test");
  const std::string no_column = dir.write("no_column.csv", "sn,model\na,H100\n").string();
  CHECK(has(error_of([&] { read_node_list(no_column, {.gpus = "gpu"}); }), ":1: missing column 'gpu'"));
  const std::string bad_count = dir.write("bad_count.csv", "sn,gpu\na,8\nb,8.5\n").string();
  CHECK(has(error_of([&] { read_node_list(bad_count, {.gpus = "gpu"}); }),
            ":3: column 'gpu': expected a whole number of GPUs in [0, 128], got '8.5'"));
  const std::string huge = dir.write("huge.csv", "sn,gpu\na,100000\n").string();
  CHECK(has(error_of([&] { read_node_list(huge, {.gpus = "gpu"}); }), "got '100000'"));
  const std::string negative = dir.write("negative.csv", "sn,gpu\na,-1\n").string();
  CHECK(has(error_of([&] { read_node_list(negative, {.gpus = "gpu"}); }), "got '-1'"));
  const std::string short_row = dir.write("short_row.csv", "sn,gpu,model\na,8\n").string();
  CHECK(has(error_of([&] { read_node_list(short_row, {.gpus = "gpu", .gpu_type = "model"}); }),
            ":2: 2 fields, the header has 3"));
  CHECK(has(error_of([] { read_node_list("/nonexistent/nodes.csv", {.gpus = "gpu"}); }),
            "cannot open node list (No such file or directory)"));
  // A directory opens, then fails its first read: it was exit 3 (basic_filebuf::underflow).
  CHECK(error_of([&] { read_node_list(dir.path.string(), {.gpus = "gpu"}); }) ==
        dir.path.string() + ": is a directory (expected a CSV node list)");
  // Rows wider than the header, a column named twice: as the trace readers.
  const std::string wide = dir.write("wide.csv", "sn,gpu\na,8,H100\n").string();
  CHECK(has(error_of([&] { read_node_list(wide, {.gpus = "gpu"}); }), ":2: 3 columns, expected 2 as in the header"));
  const std::string twice = dir.write("twice.csv", "gpu,gpu\n8,8\n").string();
  CHECK(has(error_of([&] { read_node_list(twice, {.gpus = "gpu"}); }), ":1: column 'gpu' is named twice"));
}

TEST_CASE("a machine its server cannot be is named by its list's line and types entry") {
  // Once "x.textproto:2:1: cluster.pools[0].hgx.gpus: ...": a pool the file does not
  // have, at the cluster block's first line.
  const TempDir dir("podsim_node_list_server_test");
  const std::string list = dir.write("nodes.csv", "sn,gpu,model\na,8,H100\nb,16,H100\nc,16,H100\n").string();
  const std::string e = error_of([&] {
    podsim::scenario::cluster_params(scenario("    path: \"" + list + "\" gpus: \"gpu\" gpu_type: \"model\"\n"
                                              "    types { match: \"H100\" server { preset: \"hgx-h100\" } }\n"));
  });
  CHECK(has(e, "x.textproto:5:27: cluster.node_lists[0].types[0].server: " + list +
                   ":3: 2 machines of 16 GPUs of type 'H100' built as types[0]'s server: 16 GPUs x 5 links need 80 "
                   "ports on an NVSwitch chip, but nvswitch_radix is 64"));
  CHECK_FALSE(has(e, "cluster.pools["));
}

TEST_CASE("missing fields of a node list are reported together") {
  const std::string e = error_of([] { podsim::scenario::cluster_params(scenario("    path: \"\"\n")); });
  CHECK(has(e, "cluster.node_lists[0].path: missing"));
  CHECK(has(e, "cluster.node_lists[0].gpus: missing"));
  CHECK(has(e, "cluster.node_lists[0].types: missing"));
}
