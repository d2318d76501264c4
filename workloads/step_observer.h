#pragma once
// StepObserver: what the step model (step_model.h) tells whoever watches one simulated
// step -- its device groups, each collective it ran with its simulated start and end,
// and (flow mode, if wanted) each flow those collectives were made of -- as plain data,
// while the step's op graph runs, so a trace can be streamed without keeping the
// step's events. io/'s trace writer turns the calls into protobuf trace events
// (io/step_trace.h); workloads knows nothing of files or protobuf.
//
// Which step. A step whose micro-batches are extrapolated (StepOptions::
// max_micro_batches) is observed on the longer of its two simulated steps
// (traced_micro_batches of them): its warm-up, steady state and cool-down are the real
// step's, which repeats the steady state (micro_batches - traced_micro_batches) more
// times. Times are from the start of the observed step.
//
// Ranks. Devices are named by rank (placement[rank] is the device), so an observer
// maps them onto whatever devices the job really holds.
//
// Calls: step_begins once, then collective() as each collective node finishes and
// flow() as each flow finishes (flows of a collective before it), in simulated time
// order; then step_ends. References are valid only during the call.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/network/collectives.h"
#include "engine/sim_time.h"
#include "workloads/comm.h"

namespace podsim::workloads {

// The devices one collective runs on: a TP, CP, EP, DP or expert-DP group of a stage,
// a pipeline pair (stage, neighbour), or a CP ring pair.
struct StepGroup {
  CommGroup kind = CommGroup::kTp;
  int stage = 0;
  std::vector<uint32_t> ranks;  // in the collective's rank order
};

struct StepTraceInfo {
  int micro_batches = 0;         // of the real step
  int traced_micro_batches = 0;  // of the observed one
  int stages = 1;
  std::span<const StepGroup> groups;  // StepCollective::group indexes these
};

// One collective node of the step's graph: `count` back-to-back identical collectives
// (all layers of a model chunk issue the same one per micro-batch), from start to end.
struct StepCollective {
  uint32_t id = 0;     // unique in the step, in the order the graph was built
  uint32_t group = 0;  // index into StepTraceInfo::groups
  CommKind kind = CommKind::kTpAllReduce;
  CommPhase phase = CommPhase::kForward;
  engine::CollectiveOp op = engine::CollectiveOp::kAllReduce;  // as the model issues it
  engine::Algorithm algorithm = engine::Algorithm::kRing;      // as it ran (comm_tuner.h)
  double bytes = 0;  // per rank, per collective (nccl-tests' S)
  int count = 1;
  engine::SimTime start, end;
};

// Flow mode: one flow of a collective (its first instance: repeats and memoised
// collectives run no flows, op_graph.h).
struct StepFlow {
  uint32_t collective = 0;  // StepCollective::id
  std::optional<uint32_t> src, dst;  // ranks; absent for a switch
  double bytes = 0;
  engine::SimTime start, end;
};

class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual bool wants_flows() const { return false; }
  virtual void step_begins(const StepTraceInfo& /*info*/) {}
  virtual void collective(const StepCollective& /*c*/) {}
  virtual void flow(const StepFlow& /*f*/) {}
  // `makespan`: the observed step's length.
  virtual void step_ends(engine::SimTime /*makespan*/) {}
};

}  // namespace podsim::workloads
