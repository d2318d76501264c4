#include "engine/op_graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "engine/check.h"
#include "engine/network/collective_memo.h"
#include "engine/simulator.h"

namespace podsim::engine {

const char* to_string(CommMode m) {
  switch (m) {
    case CommMode::kFlow: return "flow";
    case CommMode::kAnalytical: return "analytical";
  }
  return "?";
}

uint32_t OpGraph::add_lane(std::string name) {
  lane_names_.push_back(std::move(name));
  lane_last_.emplace_back();
  return static_cast<uint32_t>(lane_names_.size() - 1);
}

NodeId OpGraph::add_compute(uint32_t lane, SimTime duration, uint32_t tag) {
  if (lane >= lane_names_.size()) throw std::invalid_argument("OpGraph: unknown lane");
  if (duration < SimTime::zero()) throw std::invalid_argument("OpGraph: negative compute duration");
  Node n;
  n.lane = lane;
  n.tag = tag;
  n.is_compute = true;
  n.duration = duration;
  nodes_.push_back(std::move(n));
  const NodeId id{static_cast<uint32_t>(nodes_.size() - 1)};
  if (lane_last_[lane]) add_dependency(NodeId{*lane_last_[lane]}, id);
  lane_last_[lane] = index(id);
  return id;
}

NodeId OpGraph::add_collective(uint32_t lane, Collective c, uint32_t tag, int repeat,
                               std::optional<uint64_t> memo_key) {
  if (lane >= lane_names_.size()) throw std::invalid_argument("OpGraph: unknown lane");
  if (repeat < 1) throw std::invalid_argument("OpGraph: repeat must be >= 1");
  Node n;
  n.lane = lane;
  n.tag = tag;
  n.is_compute = false;
  n.collective = std::move(c);
  n.repeat = repeat;
  n.memo_key = memo_key;
  nodes_.push_back(std::move(n));
  const NodeId id{static_cast<uint32_t>(nodes_.size() - 1)};
  if (lane_last_[lane]) add_dependency(NodeId{*lane_last_[lane]}, id);
  lane_last_[lane] = index(id);
  return id;
}

void OpGraph::add_dependency(NodeId before, NodeId after) {
  if (index(before) >= index(after) || index(after) >= nodes_.size())
    throw std::invalid_argument("OpGraph: a dependency must point from an earlier node to a later one");
  nodes_[index(before)].successors.push_back(index(after));
  ++nodes_[index(after)].predecessors;
}

namespace {

// One execution: nodes become ready as their predecessors finish; every start and
// finish happens inside a simulator event, so equal times resolve in insertion order.
class Executor final : private FlowObserver {
 public:
  Executor(const OpGraph& g, const Fabric& fabric, const GraphOptions& options)
      : g_(g), fabric_(fabric), options_(options), sim_(0), waiting_(g.node_count()) {
    if (options_.mode == CommMode::kFlow) {
      net_ = std::make_unique<FlowNetwork>(sim_, fabric_.links(), options_.network);
      net_->declare_feeders(fabric_);
      if (options_.observer && options_.observer->wants_flows()) net_->set_observer(this);
    }
    run_.start.assign(g.node_count(), SimTime::max());
    run_.finish.assign(g.node_count(), SimTime::max());
  }

  GraphRun run() {
    for (uint32_t i = 0; i < g_.node_count(); ++i) {
      waiting_[i] = g_.node(NodeId{i}).predecessors;
      if (waiting_[i] == 0) sim_.schedule_in(SimTime::zero(), [this, i] { start(i); });
    }
    if (sim_.run().reason == StopReason::kHorizon)  // only the end of time: nothing else sets one
      throw EndOfTimeError(fmt::format("one step would take longer than {}, the longest time podsim simulates",
                                       SimTime::end_of_time().to_string()));
    for (uint32_t i = 0; i < g_.node_count(); ++i) {
      // Edges only point forward in insertion order, so every node runs.
      PODSIM_CHECK(run_.finish[i] != SimTime::max(), "op graph: node never ran on lane " + g_.lane_name(g_.node(NodeId{i}).lane));
      run_.makespan = std::max(run_.makespan, run_.finish[i]);
    }
    if (net_) run_.flows = net_->flows_completed();
    return std::move(run_);
  }

 private:
  void start(uint32_t i) {
    const OpGraph::Node& n = g_.node(NodeId{i});
    run_.start[i] = sim_.now();
    if (n.is_compute) {
      sim_.schedule_in(n.duration, [this, i] { finish(i); });
      return;
    }
    if (options_.mode == CommMode::kAnalytical) {
      sim_.schedule_in(analytical_time(n) * n.repeat, [this, i] { finish(i); });
      return;
    }
    if (n.memo_key) {
      if (auto it = measured_.find(*n.memo_key); it != measured_.end()) {
        sim_.schedule_in(it->second * n.repeat, [this, i] { finish(i); });
        return;
      }
    }
    ++run_.collectives_simulated;
    auto ran_once = [this, i] {
      const OpGraph::Node& node = g_.node(NodeId{i});
      const SimTime once = sim_.now() - run_.start[i];
      if (node.memo_key) measured_.emplace(*node.memo_key, once);
      if (node.repeat > 1) {
        sim_.schedule_in(once * (node.repeat - 1), [this, i] { finish(i); });
      } else {
        finish(i);
      }
    };
    run_collective(*net_, fabric_, n.collective, std::move(ran_once), i);
  }

  // Flows are tagged with their node's index (run_collective's flow_tag).
  void flow_finished(const FinishedFlow& f) override {
    options_.observer->flow_finished(NodeId{static_cast<uint32_t>(f.tag)}, f);
  }

  SimTime analytical_time(const OpGraph::Node& n) {
    if (!n.memo_key) return collective_time(fabric_, n.collective, options_.network, options_.memo);
    auto it = measured_.find(*n.memo_key);
    if (it == measured_.end())
      it = measured_.emplace(*n.memo_key, collective_time(fabric_, n.collective, options_.network, options_.memo)).first;
    return it->second;
  }

  void finish(uint32_t i) {
    run_.finish[i] = sim_.now();
    if (options_.observer && !g_.node(NodeId{i}).is_compute)
      options_.observer->collective_finished(NodeId{i}, run_.start[i], run_.finish[i]);
    for (uint32_t s : g_.node(NodeId{i}).successors) {
      PODSIM_CHECK(waiting_[s] > 0, "op graph: successor released twice");
      if (--waiting_[s] == 0) start(s);
    }
  }

  const OpGraph& g_;
  const Fabric& fabric_;
  const GraphOptions& options_;
  Simulator sim_;
  std::unique_ptr<FlowNetwork> net_;
  std::vector<uint32_t> waiting_;
  std::unordered_map<uint64_t, SimTime> measured_;  // memo key -> time of one instance
  GraphRun run_;
};

}  // namespace

GraphRun run_graph(const OpGraph& graph, const Fabric& fabric, const GraphOptions& options) {
  return Executor(graph, fabric, options).run();
}

LaneBreakdown breakdown(const OpGraph& graph, const GraphRun& run, std::span<const uint32_t> lanes,
                        size_t tag_count) {
  std::vector<bool> mine(graph.lane_count(), false);
  for (uint32_t l : lanes) mine.at(l) = true;
  // (time, delta, what): what = -1 for compute, else the collective's tag.
  std::vector<std::tuple<int64_t, int, int>> events;
  for (uint32_t i = 0; i < graph.node_count(); ++i) {
    const OpGraph::Node& n = graph.node(NodeId{i});
    if (!mine[n.lane] || run.finish[i] == run.start[i]) continue;
    const int what = n.is_compute ? -1 : static_cast<int>(n.tag);
    if (!n.is_compute && n.tag >= tag_count) throw std::invalid_argument("breakdown: tag out of range");
    events.emplace_back(run.start[i].ns(), +1, what);
    events.emplace_back(run.finish[i].ns(), -1, what);
  }
  std::sort(events.begin(), events.end());
  LaneBreakdown b{.compute = SimTime::zero(), .exposed = std::vector<SimTime>(tag_count, SimTime::zero()),
                  .idle = SimTime::zero()};
  int computing = 0;
  std::vector<int> in_flight(tag_count, 0);
  int64_t t = 0;
  auto charge = [&](int64_t until) {
    const SimTime d = SimTime::nanos(until - t);
    if (computing > 0) {
      b.compute += d;
      return;
    }
    for (size_t k = 0; k < tag_count; ++k) {
      if (in_flight[k] > 0) {
        b.exposed[k] += d;
        return;
      }
    }
    b.idle += d;
  };
  for (const auto& [time, delta, what] : events) {
    charge(time);
    t = time;
    if (what < 0) computing += delta;
    else in_flight[static_cast<size_t>(what)] += delta;
  }
  charge(run.makespan.ns());
  return b;
}

}  // namespace podsim::engine
