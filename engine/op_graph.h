#pragma once
// OpGraph: a DAG of timed work -- compute tasks (a fixed duration) and collectives on
// a device group (engine::Collective) -- executed on the Simulator, with collectives
// either as flows on a FlowNetwork (flow mode) or as their closed-form time
// (analytical mode, collectives.h). The engine knows nothing of what the nodes mean:
// workloads/step_model.h builds a training step as one of these.
//
// Lanes are streams (a CUDA stream, an NPU's compute queue, a communicator): the nodes
// of one lane run one at a time, in the order they were added. A node starts at the
// instant its dependencies and its lane predecessor have all finished. So
//
//   lane 0 (compute):  A(10 us) ───────► C(5 us)
//   lane 1 (comm):          B(all-reduce, after A)
//   add_dependency(B, C)  =>  C starts at max(10 us, 10 us + t_B)
//
// and B is "exposed" on lane 0 for t_B: breakdown() reports it so.
//
// Repeats and memoised collectives. A collective node may stand for `repeat` identical
// back-to-back collectives. In flow mode it runs once as flows and then holds its lane
// for (repeat - 1) more of the time that one took (the later repeats see the contention
// the first one saw). A node with a memo key takes, in flow mode, the per-instance time
// the first finished node with that key measured, instead of running flows again; the
// caller gives equal keys only to collectives it knows are alike (same group, same
// bytes, same traffic around them). Both keep flow mode tractable for a training step
// with thousands of micro-batch collectives; analytical mode ignores memo keys (it is
// already closed form).
//
// Dependencies point from earlier-added nodes to later ones, and lanes run in insertion
// order, so every graph is acyclic and finishes.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/network/collectives.h"
#include "engine/network/fabric.h"
#include "engine/network/flow_network.h"
#include "engine/sim_time.h"

namespace podsim::engine {

class CollectiveMemo;  // collective_memo.h

enum class NodeId : uint32_t {};
constexpr uint32_t index(NodeId n) { return static_cast<uint32_t>(n); }

enum class CommMode { kFlow, kAnalytical };
const char* to_string(CommMode m);

class OpGraph {
 public:
  // A new lane; its name is for messages only.
  uint32_t add_lane(std::string name);

  // `tag` is the caller's label (an op kind) for breakdown(); any small integer.
  NodeId add_compute(uint32_t lane, SimTime duration, uint32_t tag = 0);
  // REQUIRES: repeat >= 1.
  NodeId add_collective(uint32_t lane, Collective c, uint32_t tag, int repeat = 1,
                        std::optional<uint64_t> memo_key = std::nullopt);
  // `after` starts no earlier than `before` finishes. REQUIRES: before was added first.
  void add_dependency(NodeId before, NodeId after);

  size_t node_count() const { return nodes_.size(); }
  size_t lane_count() const { return lane_names_.size(); }

  struct Node {
    uint32_t lane = 0;
    uint32_t tag = 0;
    bool is_compute = true;
    SimTime duration;              // compute only
    Collective collective;         // collectives only
    int repeat = 1;
    std::optional<uint64_t> memo_key;
    std::vector<uint32_t> successors;
    uint32_t predecessors = 0;     // dependencies + the lane predecessor
  };
  const Node& node(NodeId n) const { return nodes_[index(n)]; }
  const std::string& lane_name(uint32_t lane) const { return lane_names_[lane]; }

 private:
  std::vector<Node> nodes_;
  std::vector<std::string> lane_names_;
  std::vector<std::optional<uint32_t>> lane_last_;
};

// Told, as the run goes, of each collective node as it finishes and (flow mode, if
// wants_flows()) of each flow a collective node ran as it finishes -- so a trace can be
// streamed without keeping the run's flows. Memoised and repeated collectives run no
// further flows (above); their node still finishes.
class GraphObserver {
 public:
  virtual ~GraphObserver() = default;
  virtual bool wants_flows() const { return false; }
  virtual void collective_finished(NodeId /*node*/, SimTime /*start*/, SimTime /*end*/) {}
  virtual void flow_finished(NodeId /*node*/, const FinishedFlow& /*flow*/) {}
};

struct GraphOptions {
  CommMode mode = CommMode::kAnalytical;
  NetworkOptions network;
  GraphObserver* observer = nullptr;  // none
  // Analytical mode: closed-form times remembered across runs (collective_memo.h); it
  // must serve the run's fabric and `network`. Null: none. Same times either way.
  CollectiveMemo* memo = nullptr;
};

struct GraphRun {
  SimTime makespan;
  std::vector<SimTime> start;   // by node
  std::vector<SimTime> finish;  // by node
  uint64_t flows = 0;           // flow mode: flows simulated
  uint64_t collectives_simulated = 0;  // flow mode: collectives run as flows (not memoised)
};

// Runs `graph` from time 0 until every node has finished. `fabric` must hold every
// device the collectives name. Throws std::invalid_argument for a bad collective
// (collectives.h).
GraphRun run_graph(const OpGraph& graph, const Fabric& fabric, const GraphOptions& options);

// One device's view of a run: over [0, makespan], the time some compute node of
// `lanes` runs (compute), the time no compute of `lanes` runs but a collective of
// `lanes` does (exposed communication, charged to the lowest tag among those in
// flight, so callers order tags by blame), and the rest (idle: pipeline bubble,
// waiting on other devices). compute + sum(exposed) + idle = makespan exactly.
struct LaneBreakdown {
  SimTime compute;
  std::vector<SimTime> exposed;  // by tag, tags < tag_count
  SimTime idle;
};
// REQUIRES: every collective tag of `lanes` < tag_count.
LaneBreakdown breakdown(const OpGraph& graph, const GraphRun& run, std::span<const uint32_t> lanes,
                        size_t tag_count);

}  // namespace podsim::engine
