// The queue index (scheduler/queue_index.h, scheduler/min_tree.h) against brute force:
// MinTree's search against a linear scan, and EASY backfill searching the index against
// EASY trying every queued job (the rule before the index) on randomized clusters and
// queues: every decision, and every step estimate asked for, must be the same.
#include "scheduler/queue_index.h"

#include <doctest/doctest.h>

#include <random>
#include <set>

#include "scheduler/class_queue.h"
#include "scheduler/min_tree.h"
#include "scheduler/running_order.h"
#include "tests/scheduler/test_support.h"

using namespace podsim::scheduler;
using podsim::engine::SimTime;

TEST_CASE("MinTree finds the first value passing a downward-closed test, as a linear scan does") {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200; ++round) {
    const size_t n = std::uniform_int_distribution<size_t>(0, 70)(rng);
    std::vector<int64_t> v(n, INT64_MAX);
    MinTree t(n, INT64_MAX);
    for (int op = 0; op < 60; ++op) {
      if (n > 0) {
        const size_t i = std::uniform_int_distribution<size_t>(0, n - 1)(rng);
        const int64_t x = std::uniform_int_distribution<int>(0, 9)(rng) == 0 ? INT64_MAX
                                                                            : std::uniform_int_distribution<int64_t>(-50, 50)(rng);
        v[i] = x;
        t.set(i, x);
      }
      const int64_t limit = std::uniform_int_distribution<int64_t>(-60, 60)(rng);
      const size_t from = std::uniform_int_distribution<size_t>(0, n + 1)(rng);
      auto test = [&](int64_t x) { return x <= limit; };
      std::optional<size_t> want;
      for (size_t i = from; i < n && !want; ++i)
        if (test(v[i])) want = i;
      CHECK(t.first_from(from, test) == want);
    }
  }
}

TEST_CASE("MinTree: a worked example") {
  MinTree t(5, INT64_MAX);
  t.set(3, 7);
  t.set(1, 12);
  auto at_most_10 = [](int64_t v) { return v <= 10; };
  CHECK(t.first_from(0, at_most_10) == 3);
  CHECK(t.first_from(4, at_most_10) == std::nullopt);
  CHECK(t.first_from(0, [](int64_t v) { return v <= 12; }) == 1);
}

namespace {

// Step time depends on the workload and on the shape, so that the shape a queued job
// would get (and the estimates asked for it) matters.
class ShapeOracle final : public StepModelOracle {
 public:
  StepEstimate estimate(const JobRequest& job, const PlacementShape& shape) override {
    ++calls;
    const double base = 1.0 + 0.25 * (job.workload % 5);
    return {.step_seconds = base * (1 + 0.3 * (shape.domains - 1) + 0.1 * (shape.leaves - 1) + 0.05 * shape.pool)};
  }
  size_t calls = 0;
};

struct Case {
  Inventory inv;
  std::vector<JobRequest> jobs;
  ClusterRunOptions options;
};

Case random_case(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
  Case c;
  const uint32_t per_node = std::array<uint32_t, 3>{2, 4, 8}[pick(0, 2)];
  const uint32_t pools = pick(1, 3);
  for (uint32_t p = 0; p < pools; ++p) {
    const Inventory::UniformParams u{.pool = "p" + std::to_string(p), .relative_speed = 1.0 + 0.5 * p,
                                     .domains = pick(1, 4), .nodes_per_domain = pick(1, 3),
                                     .devices_per_node = per_node, .nodes_per_leaf = pick(0, 2)};
    if (p == 0) c.inv = Inventory::uniform(u);
    else c.inv.add_uniform_pool(u);
  }
  uint32_t smallest = UINT32_MAX;
  for (uint32_t p = 0; p < pools; ++p) smallest = std::min(smallest, c.inv.pool_size(p));
  const uint32_t spares = smallest >= 4 && pick(0, 3) == 0 ? 1 : 0;
  const uint32_t jobs = pick(20, 140);
  double t = 0;
  for (uint32_t j = 0; j < jobs; ++j) {
    if (pick(0, 2) == 0) t += pick(0, 30);  // often several arrive at once
    JobRequest r{.name = "j" + std::to_string(j), .arrival = SimTime::seconds(t),
                 .devices = pick(1, smallest - spares), .steps = static_cast<double>(pick(1, 120))};
    if (pick(0, 3) == 0) r.pools = {pick(0, pools - 1)};
    if (smallest - spares >= per_node && pick(0, 5) == 0) {
      r.devices = per_node * pick(1, (smallest - spares) / per_node);
      r.placement.whole_nodes = true;
    }
    r.workload = pick(0, 1) ? j + 1 : pick(1, 3);  // own estimates, or shared
    r.priority = static_cast<int>(pick(0, 2));
    r.user = "u" + std::to_string(pick(0, 3));
    r.checkpoint.restart_cost = SimTime::seconds(static_cast<double>(pick(0, 5)));
    if (pick(0, 2) == 0) {
      r.checkpoint.interval = CheckpointPolicy::Interval::kFixed;
      r.checkpoint.every = SimTime::seconds(static_cast<double>(pick(5, 40)));
      r.checkpoint.write_cost = SimTime::seconds(1.0);
    }
    c.jobs.push_back(r);
  }
  const PlacementKind placements[] = {PlacementKind::kFirstFit, PlacementKind::kBestFit, PlacementKind::kTopologyAware,
                                      PlacementKind::kFragmentationAware};
  c.options = {.seed = seed, .policy = {.kind = PolicyKind::kEasyBackfill}, .placement = placements[pick(0, 3)]};
  c.options.failures.spares_per_pool = spares;
  if (pick(0, 1))  // failures requeue jobs (a restart pause due) and take devices down
    c.options.failures.kinds = {{.unit = FailureUnit::kDevice, .mtbf_hours = 0.5 + pick(0, 4),
                                 .repair = SimTime::seconds(static_cast<double>(pick(10, 200)))}};
  return c;
}

// The starts and preemptions of a run, in the order the run loop made them (the order
// a trace writes them in).
class DecisionLog final : public RunObserver {
 public:
  void job_started(SimTime t, const JobStartEvent& e) override { log.emplace_back(t.ns(), e.job); }
  void job_preempted(SimTime t, uint32_t job, double /*progress*/, double /*lost*/) override {
    log.emplace_back(t.ns(), ~job);
  }
  std::vector<std::pair<int64_t, uint32_t>> log;
};

// Runs c under both options (each with its own oracle): every decision, in the same
// order, and every step estimate asked for, must be the same.
void check_same_run(const Case& c, ClusterRunOptions a_options, ClusterRunOptions b_options) {
  ShapeOracle a_oracle, b_oracle;
  DecisionLog a_log, b_log;
  a_options.observer = &a_log;
  b_options.observer = &b_log;
  const ClusterRunResult a = run_cluster(c.inv, c.jobs, a_oracle, a_options);
  const ClusterRunResult b = run_cluster(c.inv, c.jobs, b_oracle, b_options);
  CHECK(a_log.log == b_log.log);
  REQUIRE(a.jobs.size() == b.jobs.size());
  for (size_t j = 0; j < b.jobs.size(); ++j) {
    CAPTURE(b.jobs[j].name);
    CHECK(a.jobs[j].pool == b.jobs[j].pool);
    CHECK(a.jobs[j].first_start_s == b.jobs[j].first_start_s);
    CHECK(a.jobs[j].reserved_start_s == b.jobs[j].reserved_start_s);
    CHECK(a.jobs[j].end_s == b.jobs[j].end_s);
    CHECK(a.jobs[j].interruptions == b.jobs[j].interruptions);
    CHECK(a.jobs[j].preemptions == b.jobs[j].preemptions);
    CHECK(a.jobs[j].queue_delay_s == b.jobs[j].queue_delay_s);
  }
  CHECK(a.summary.step_estimates == b.summary.step_estimates);
  CHECK(a.summary.events == b.summary.events);
  CHECK(a.summary.failures == b.summary.failures);
  CHECK(a_oracle.calls == b_oracle.calls);
}

}  // namespace

TEST_CASE("EASY backfill searching the queue index decides as EASY trying every queued job") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    Case c = random_case(seed);
    c.options.horizon = SimTime::seconds(5000.0);
    ClusterRunOptions scan_options = c.options;
    scan_options.exhaustive_backfill = true;
    check_same_run(c, c.options, scan_options);
  }
}

TEST_CASE("the other policies see the same queue through pending() as before") {
  // FIFO walks the queue with next_pending(); the rest take pending() as a list. Both
  // show queued jobs in arrival order with ties by index: B (index 1) before C.
  using testing::job;
  using testing::start_of;
  const Inventory inv = Inventory::uniform({.devices_per_node = 4});
  for (PolicyKind k : {PolicyKind::kFifo, PolicyKind::kFairShare, PolicyKind::kPriority}) {
    CAPTURE(podsim::scheduler::to_string(k));
    const auto r = testing::run(inv, {job("A", 0, 4, 10), job("B", 1, 4, 5), job("C", 1, 4, 2)}, {.policy = {.kind = k}});
    CHECK(start_of(r, "B") == 10);
    CHECK(start_of(r, "C") == 15);
  }
}

TEST_CASE("the sorting policies keeping their queue between passes decide as sorting the whole queue") {
  // SJF, SRTF, LAS, PRIORITY and FAIR_SHARE keep queued jobs ordered by class
  // (scheduler/class_queue.h, fair_share.cc); the reference sorts the whole queue at
  // every pass (scheduler/policy_reference.h). Random clusters and queues, with failures
  // (requeued jobs change keys), pinned pools, whole-node jobs, priorities and users of
  // unequal weight: every decision, and every step estimate asked for, the same.
  const PolicyKind kinds[] = {PolicyKind::kSjf, PolicyKind::kSrtf, PolicyKind::kLas, PolicyKind::kPriority,
                              PolicyKind::kFairShare};
  for (uint64_t seed = 1; seed <= 120; ++seed) {
    Case c = random_case(seed);
    c.options.horizon = SimTime::seconds(5000.0);
    for (JobRequest& r : c.jobs) {
      r.weight = 1.0 + static_cast<double>(r.name.size() % 3);
      if (seed % 3 == 0) r.user = r.name;  // a user per job: most hold no share
    }
    for (PolicyKind k : kinds) {
      CAPTURE(seed);
      CAPTURE(podsim::scheduler::to_string(k));
      c.options.policy = {.kind = k, .las_thresholds = {20.0 * (seed % 4), 400, 4000}};
      ClusterRunOptions sorted_options = c.options;
      sorted_options.policy.whole_queue_sort = true;
      check_same_run(c, c.options, sorted_options);
    }
  }
}

// Many small jobs on one or two pools of up to 256 devices, arriving in bursts: dozens
// run at once, and one pass starts several jobs in a pool and preempts several, so a
// later start deepens a pool's deficit after running jobs were walked past.
Case crowded_case(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](uint32_t lo, uint32_t hi) { return std::uniform_int_distribution<uint32_t>(lo, hi)(rng); };
  Case c;
  const uint32_t pools = pick(1, 2);
  for (uint32_t p = 0; p < pools; ++p) {
    const Inventory::UniformParams u{.pool = "p" + std::to_string(p), .domains = pick(1, 4), .nodes_per_domain = pick(2, 4),
                                     .devices_per_node = 8, .nodes_per_leaf = 2};
    if (p == 0) c.inv = Inventory::uniform(u);
    else c.inv.add_uniform_pool(u);
  }
  double t = 0;
  for (uint32_t j = 0, n = pick(100, 300); j < n; ++j) {
    if (pick(0, 4) == 0) t += pick(1, 60);
    JobRequest r{.name = "j" + std::to_string(j), .arrival = SimTime::seconds(t), .devices = pick(0, 3) ? pick(1, 4) : pick(5, 16),
                 .steps = static_cast<double>(pick(1, 300))};
    if (pools > 1 && pick(0, 2) == 0) r.pools = {pick(0, 1)};
    r.workload = pick(1, 4);
    r.priority = static_cast<int>(pick(0, 4));
    r.checkpoint.restart_cost = SimTime::seconds(static_cast<double>(pick(0, 3)));
    c.jobs.push_back(r);
  }
  c.options = {.seed = seed, .placement = PlacementKind::kFirstFit, .horizon = SimTime::seconds(20000.0)};
  if (pick(0, 1))
    c.options.failures.kinds = {{.unit = FailureUnit::kDevice, .mtbf_hours = 2.0 + pick(0, 4),
                                 .repair = SimTime::seconds(static_cast<double>(pick(10, 200)))}};
  return c;
}

TEST_CASE("preemptive policies keeping their running jobs ordered decide as sorting them, in crowded pools") {
  // SRTF and PRIORITY keep running jobs ordered between passes (running_order.h) and
  // walk only the jobs they preempt; the reference keys and sorts every running job.
  size_t preemptions = 0;
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const Case c = crowded_case(seed);
    for (PolicyKind k : {PolicyKind::kSrtf, PolicyKind::kPriority, PolicyKind::kLas}) {
      CAPTURE(seed);
      CAPTURE(podsim::scheduler::to_string(k));
      ClusterRunOptions kept = c.options;
      kept.policy = {.kind = k, .las_thresholds = {30, 300, 3000}};
      ClusterRunOptions sorted = kept;
      sorted.policy.whole_queue_sort = true;
      check_same_run(c, kept, sorted);
      ShapeOracle oracle;
      for (const JobResult& r : run_cluster(c.inv, c.jobs, oracle, kept).jobs) preemptions += r.preemptions;
    }
  }
  CHECK(preemptions > 1000);  // the walk preempted, often
}

TEST_CASE("RunningOrder: sums and searches as a scan of the sorted jobs") {
  std::mt19937_64 rng(5);
  RunningOrder<int> order;
  std::vector<int> key(40, 0);
  std::vector<bool> running(40, false);
  std::vector<int64_t> devices(40, 0);
  for (int round = 0; round < 300; ++round) {
    for (int change = 0; change < 5; ++change) {
      const uint32_t j = std::uniform_int_distribution<uint32_t>(0, 39)(rng);
      running[j] = std::uniform_int_distribution<int>(0, 2)(rng) > 0;
      key[j] = std::uniform_int_distribution<int>(0, 1000)(rng) * 40 + static_cast<int>(j);  // unique
      devices[j] = std::uniform_int_distribution<int64_t>(1, 9)(rng);
      order.changed(j);
    }
    order.settle([&](uint32_t j) { return running[j]; }, [&](uint32_t j) { return key[j]; },
                 [](uint32_t j) { return j % 2; }, [&](uint32_t j) { return devices[j]; });
    for (uint32_t pool : {0u, 1u}) {
      std::vector<std::pair<int, uint32_t>> sorted;  // what the tree should hold
      for (uint32_t j = pool; j < 40; j += 2)
        if (running[j]) sorted.emplace_back(key[j], j);
      std::sort(sorted.begin(), sorted.end());
      const auto& t = order.pool(pool);
      REQUIRE(t.size() == sorted.size());
      int64_t all = 0;
      for (const auto& kj : sorted) all += devices[kj.second];
      CHECK(RunningOrder<int>::held(t) == all);
      const int x = std::uniform_int_distribution<int>(0, 41000)(rng);
      auto before = [&](const RunningOrder<int>::Entry& e) { return e.key < x; };
      int64_t from_x = 0;
      std::optional<uint32_t> first_from;
      for (const auto& [k, j] : sorted)
        if (k >= x) {
          from_x += devices[j];
          if (!first_from) first_from = j;
        }
      CHECK(RunningOrder<int>::held_from(t, before) == from_x);
      const auto it = RunningOrder<int>::first_from(t, before);
      CHECK((it == t.end() ? std::nullopt : std::optional<uint32_t>(it->job)) == first_from);
      const int64_t d = std::uniform_int_distribution<int64_t>(-2, all + 2)(rng);
      std::optional<uint32_t> want;
      int64_t after = all;
      for (const auto& [k, j] : sorted) {
        after -= devices[j];
        if (after < d && !want) want = j;
      }
      const auto y = RunningOrder<int>::first_with_followers_below(t, d);
      CHECK((y == t.end() ? std::nullopt : std::optional<uint32_t>(y->job)) == want);
    }
  }
}

TEST_CASE("ClassQueue: a job is keyed once, at the first settle after it is queued, and leaves at once") {
  ClassQueue<int> q;
  int calls = 0;
  auto key_of = [&](uint32_t j) {
    ++calls;
    return 10 - static_cast<int>(j);
  };
  auto class_of = [](uint32_t j) { return j % 2; };
  for (uint32_t j : {0u, 1u, 2u, 3u}) q.queued(j);
  q.left(3);  // queued and gone before any pass: never keyed
  q.settle(key_of, class_of);
  CHECK(calls == 3);
  q.settle(key_of, class_of);
  CHECK(calls == 3);
  REQUIRE(q.nonempty() == std::set<uint32_t>{0, 1});
  CHECK(q.jobs_of(0).begin()->second == 2);  // key 8 before job 0's 10
  CHECK(q.jobs_of(1).size() == 1);
  q.erase(1);
  CHECK(q.nonempty() == std::set<uint32_t>{0});
  q.left(1);  // already gone: nothing
  q.queued(1);  // requeued (a restart due): keyed again
  q.settle(key_of, class_of);
  CHECK(calls == 4);
  CHECK(q.nonempty() == std::set<uint32_t>{0, 1});
}
