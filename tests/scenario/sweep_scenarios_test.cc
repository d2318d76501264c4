// The sweeps of the scenario library (scenarios/sweeps/): each runs whole, gives the
// same bytes on 1 and 2 threads, and its headline result is what its comments promise.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/scenario_file.h"
#include "engine/csv_reader.h"
#include "io/sweep_file.h"
#include "scenario/sweep_plan.h"
#include "scenario/sweep_run.h"

using podsim::scenario::ScenarioFile;
using podsim::scenario::SweepPlan;

namespace {

using Row = std::map<std::string, std::string>;

std::string run(const SweepPlan& plan, size_t threads) {
  std::ostringstream out;
  podsim::scenario::run_sweep(plan, {.threads = threads}, out);
  return out.str();
}

// The rows of a sweep table by column name; every point must have run without error.
std::vector<Row> rows_of(const std::string& table) {
  std::istringstream in(table);
  std::string line;
  std::getline(in, line);  // header
  std::getline(in, line);
  const std::vector<std::string> columns = *podsim::parse_csv_record(line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = *podsim::parse_csv_record(line);
    REQUIRE(fields.size() == columns.size());
    Row r;
    for (size_t i = 0; i < columns.size(); ++i) r[columns[i]] = fields[i];
    CHECK_MESSAGE(r["error"].empty(), r["error"]);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<Row> run_library_sweep(const std::string& name) {
  const SweepPlan plan =
      SweepPlan::make(ScenarioFile::load(std::string(PODSIM_SOURCE_DIR) + "/scenarios/sweeps/" + name), {});
  const std::string table = run(plan, 2);
  CHECK(run(plan, 1) == table);  // determinism across --threads (issue #8, item 4)
  return rows_of(table);
}

double num(const Row& r, const std::string& column) { return std::stod(r.at(column)); }

}  // namespace

TEST_CASE("ub_bandwidth_nvlink_domain: faster UB and bigger NVLink domains never slow the step") {
  const std::vector<Row> rows = run_library_sweep("ub_bandwidth_nvlink_domain.textproto");
  REQUIRE(rows.size() == 12);  // 4 UB bandwidths x 3 domain sizes, the domain fastest
  const std::string cm = "CloudMatrix384/deepseek-v3/step_s", nv = "GB200 NVLink/deepseek-v3/step_s";
  for (size_t ub = 0; ub < 4; ++ub) {
    for (size_t d = 0; d < 3; ++d) {
      const Row& r = rows[ub * 3 + d];
      // Each system runs alone: the other system's axis changes nothing.
      CHECK(r.at(cm) == rows[ub * 3].at(cm));
      CHECK(r.at(nv) == rows[d].at(nv));
      // Compute is fixed and every collective stays on the UB: more bandwidth can only
      // shorten the exposed communication.
      if (ub > 0) CHECK(num(r, cm) <= num(rows[(ub - 1) * 3 + d], cm));
      // A bigger domain moves DP traffic from the 400G scale-out fabric to NVLink.
      if (d > 0) CHECK(num(r, nv) <= num(rows[ub * 3 + d - 1], nv));
    }
  }
  // And the sweep is not flat: 3x the UB bandwidth buys something (the exposed ZeRO-3
  // traffic), and one 576-GPU domain holds the whole job, so DP leaves the fabric (on 8
  // racks NCCL's rings already spread it over every NIC: collectives.h, "Channels").
  CHECK(num(rows[9], cm) < 0.9 * num(rows[0], cm));
  CHECK(num(rows[2], nv) < 0.8 * num(rows[0], nv));
}

TEST_CASE("failure_rate: goodput falls as failures get frequent, the best checkpoint interval moves") {
  const std::vector<Row> rows = run_library_sweep("failure_rate.textproto");
  REQUIRE(rows.size() == 10);  // 5 MTBFs (falling) x 2 checkpoint intervals (600, 3600 s)
  for (size_t i = 0; i < 2; ++i) {
    for (size_t m = 1; m < 5; ++m) {
      // Each failure throws away the work since the job's last checkpoint.
      CHECK(num(rows[m * 2 + i], "goodput_frac") <= num(rows[(m - 1) * 2 + i], "goodput_frac"));
      CHECK(num(rows[m * 2 + i], "failures") >= num(rows[(m - 1) * 2 + i], "failures"));
    }
    CHECK(num(rows[8 + i], "goodput_frac") < num(rows[i], "goodput_frac"));
    CHECK(rows[8 + i].at("finished") == "4");
  }
  // Queueing percentiles are sweep columns too (issue 16 item 5), nearest-rank ordered.
  for (const Row& r : rows) {
    CHECK(num(r, "queue_delay_p50_s") <= num(r, "queue_delay_p99_s"));
    CHECK(num(r, "queue_delay_p50_s") >= 0);
  }
  // Few failures: hourly checkpoints waste less on writes (1 an hour vs 6). Many (one an
  // hour on the cluster): 10-minute checkpoints lose less per failure.
  CHECK(num(rows[1], "goodput_frac") > num(rows[0], "goodput_frac"));
  CHECK(num(rows[8], "goodput_frac") > num(rows[9], "goodput_frac"));
}
