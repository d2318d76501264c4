// Extreme but in-range values (issue 17 item 4): every field of the range table that
// sets a magnitude (a time, a rate, a latency, a power, a peak, a size of the model or
// plan) is run at its lowest and its highest accepted value on a small cluster run or
// comparison study. Each run must end in one of two ways: results whose every number is
// finite (sim/finite_results.h checks them where they are made; the formatted metrics
// are checked again here), or a UserError (a refusal that names the problem). Never an
// InternalError, a standard-library exception, inf or NaN.
//
// Fields that set how much there is to simulate (pool counts, synthetic job counts,
// failure and checkpoint rates, timeline rows) are left out: their bounds are a
// run-size estimate's (issue 17 item 3), not a magnitude's.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <google/protobuf/descriptor.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "engine/check.h"
#include "engine/error.h"
#include "scenario/field_ranges.h"
#include "scenario/run_metrics.h"

using podsim::scenario::FieldRange;
using podsim::scenario::ScenarioFile;

namespace {

// A cluster run with one of each message the table's magnitudes live in: a pool with
// device overrides, a fat tree, an explicit job with its settings, a synthetic source,
// failures and checkpoints, all within a 30-day horizon so that a job made endless by
// an extreme value stops there.
constexpr const char* kClusterRun = R"(name: "extreme"
horizon_s: 2.6e6
cluster {
  pools { name: "p" preset: "nvl72" count: 2 device { bf16_tflops: 2500 } }
  fat_tree { tiers: 2 radix: 64 }
}
jobs { name: "a" model { preset: "llama3-8b" } plan { tp: 4 dp: 8 micro_batch: 1 global_batch: 64 } steps: 200 }
job_settings { job: "a" priority: 1 weight: 2 }
scheduler { policy: LAS las_thresholds_device_hours: [1, 100]
            checkpoint { interval_s: 36000 write_s: 30 restart_s: 60 } }
failures { kinds { mtbf_hours: 50000 repair_hours: 3 } }
sources { synthetic { jobs: 4 mean_interarrival_s: 3600 start_s: 60
  templates { name: "t" weight: 1 devices { count: 8 weight: 1 } median_hours: 2 sigma: 0.5 priority: 0 } } }
)";

// A comparison study: one job on two systems, with a published figure.
constexpr const char* kStudy = R"(name: "extreme_study"
jobs { name: "a" model { preset: "llama3-8b" } plan { tp: 4 dp: 2 micro_batch: 1 global_batch: 64 } steps: 100 }
compare {
  systems { name: "nvl" cluster { pools { preset: "nvl72" count: 1 } } }
  systems { name: "cm" cluster { pools { preset: "cloudmatrix384" count: 1 } } }
  link_efficiency: 0.9
  published { job: "a" metric: MFU value: 40 }
}
)";

struct Place {
  const char* message;
  const char* base;
  std::vector<std::string> setup;  // --set assignments before the field's
  std::string prefix;              // the message's path in the scenario
};

// Where each message of the table is reached, and how.
const std::vector<Place>& places() {
  static const std::vector<Place> p = {
      {"Scenario", kClusterRun, {}, ""},
      {"DeviceOverrides", kClusterRun, {}, "cluster.pools[0].device"},
      {"Nvlink", kClusterRun, {}, "cluster.pools[0].nvlink"},
      {"FatTree", kClusterRun, {}, "cluster.fat_tree"},
      {"Job", kClusterRun, {}, "jobs[0]"},
      {"ParallelPlan", kClusterRun, {}, "jobs[0].plan"},
      {"Scheduler", kClusterRun, {}, "scheduler"},
      {"Checkpoint", kClusterRun, {}, "scheduler.checkpoint"},
      {"JobSettings", kClusterRun, {}, "job_settings[0]"},
      {"JobTemplate", kClusterRun, {}, "sources[0].synthetic.templates[0]"},
      {"DeviceChoice", kClusterRun, {}, "sources[0].synthetic.templates[0].devices[0]"},
      {"SyntheticSource", kClusterRun, {}, "sources[0].synthetic"},
      {"FailureKind", kClusterRun, {}, "failures.kinds[0]"},
      {"Hgx", kClusterRun, {"cluster.pools[0].preset=hgx-h100", "cluster.pools[0].count=4"}, "cluster.pools[0].hgx"},
      {"Atlas800tA2", kClusterRun, {"cluster.pools[0].preset=atlas-800t-a2", "cluster.pools[0].count=4"},
       "cluster.pools[0].atlas_800t_a2"},
      {"CloudMatrix384", kStudy, {}, "compare.systems[1].cluster.pools[0].cloudmatrix384"},
      {"Comparison", kStudy, {}, "compare"},
      {"Published", kStudy, {}, "compare.published[0]"},
  };
  return p;
}

// How much there is to simulate, not how big a number is (see the top).
const std::set<std::string> kRunSize = {
    "Scenario.seed",  // not a magnitude at all
    "Pool.count", "SyntheticSource.jobs", "FailureKind.mtbf_hours", "Checkpoint.interval_s",
    "Scheduler.timeline_samples", "Failures.spares_per_pool", "TraceSource.max_jobs",
    // Structure: how many chips, ports and devices a system is built of.
    "Nvlink.racks", "Nvlink.gpus_per_rack", "Nvlink.gpus_per_tray", "Nvlink.switch_chips_per_rack",
    "Nvlink.switch_radix", "Nvlink.l2_chips_per_plane", "Nvlink.l1_uplinks", "Hgx.gpus", "Hgx.nvswitch_chips",
    "Hgx.nvlinks_per_gpu", "Hgx.nvswitch_radix", "Atlas800tA2.npus", "CloudMatrix384.nodes",
    "CloudMatrix384.npus_per_node", "CloudMatrix384.dies_per_npu", "CloudMatrix384.nodes_per_rack",
    "CloudMatrix384.planes", "CloudMatrix384.l2_chips_per_plane", "CloudMatrix384.l2_radix",
    "CloudMatrix384.cpus_per_node", "FatTree.tiers", "FatTree.radix",
    // Degrees of parallelism: the plan's checks refuse what the base cluster cannot hold.
    "ParallelPlan.dp", "ParallelPlan.ep", "Job.devices", "DeviceChoice.count"};

std::string text(double v, bool integer) {
  if (integer) return fmt::format("{:.0f}", v);
  return fmt::format("{}", v);
}

bool is_integer_field(const FieldRange& r) {
  const auto* d = google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
      std::string("podsim.v1.") + r.message);
  const auto* f = d->FindFieldByName(r.field);
  return f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE &&
         f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_FLOAT;
}

// Runs `place`'s base with FIELD=value; "" if it ran with finite results or was
// refused (counted in `refused`), else what went wrong.
std::string outcome(const Place& place, const std::string& assignment, int& refused) {
  try {
    ScenarioFile f = ScenarioFile::parse("extreme.textproto", place.base);
    for (const std::string& s : place.setup) f.apply_override(s);
    f.apply_override(assignment);
    for (const podsim::sim::Metric& m : podsim::scenario::headline_metrics(f))
      if (m.number && !std::isfinite(*m.number)) return fmt::format("metric {} = {}", m.column(), *m.number);
    return "";
  } catch (const podsim::UserError&) {
    ++refused;
    return "";  // refused: fine (the catalog checks such lines are one and say where)
  } catch (const podsim::InternalError& e) {
    return std::string("internal error: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("exception: ") + e.what();
  }
}

void sweep(const char* message) {
  const Place* place = nullptr;
  for (const Place& p : places())
    if (std::string(p.message) == message) place = &p;
  REQUIRE(place != nullptr);
  int runs = 0, refused = 0;
  for (const FieldRange& r : podsim::scenario::field_ranges()) {
    if (std::string(r.message) != message || kRunSize.count(std::string(r.message) + "." + r.field)) continue;
    const std::string path = (place->prefix.empty() ? "" : place->prefix + ".") + r.field +
                             (std::string(r.field) == "las_thresholds_device_hours" ? "[0]" : "");
    for (double v : {r.min, r.max}) {
      const std::string assignment = path + "=" + text(v, is_integer_field(r));
      CAPTURE(assignment);
      CHECK(outcome(*place, assignment, refused) == "");
      ++runs;
    }
  }
  MESSAGE(std::string(message) << ": " << runs << " runs, " << refused << " refused, the others ran to finite results");
}

}  // namespace

TEST_CASE("extreme in-range values: cluster-wide and device fields") {
  sweep("Scenario");
  sweep("DeviceOverrides");
}
TEST_CASE("extreme in-range values: NVLink and fat-tree fields") {
  sweep("Nvlink");
  sweep("FatTree");
}
TEST_CASE("extreme in-range values: HGX and Atlas fields") {
  sweep("Hgx");
  sweep("Atlas800tA2");
}
TEST_CASE("extreme in-range values: job and plan fields") {
  sweep("Job");
  sweep("ParallelPlan");
}
TEST_CASE("extreme in-range values: scheduling fields") {
  sweep("Scheduler");
  sweep("Checkpoint");
  sweep("JobSettings");
  sweep("FailureKind");
}
TEST_CASE("extreme in-range values: synthetic source fields") {
  sweep("SyntheticSource");
  sweep("JobTemplate");
  sweep("DeviceChoice");
}
TEST_CASE("extreme in-range values: comparison study fields") {
  sweep("CloudMatrix384");
  sweep("Comparison");
  sweep("Published");
}
