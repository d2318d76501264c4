#pragma once
// Comm: one collective a training step issues, as plain data the step model turns into
// an engine::Collective on the devices of `group` (engine/network/collectives.h for
// the size convention: `bytes` is nccl-tests' S, the per-rank buffer -- the full
// gathered or reduced buffer for all-gather and reduce-scatter, the send buffer for
// all-to-all, the message for send-recv).
#include <string>

#include "engine/network/collectives.h"
#include "engine/units.h"

namespace podsim::workloads {

// The plan dimension whose devices form the group.
enum class CommGroup {
  kTp,        // tensor (and sequence) parallel ranks
  kCp,        // context parallel ranks
  kEp,        // expert parallel ranks
  kPp,        // neighbouring pipeline stages (send-recv)
  kDp,        // data parallel ranks of the dense weights (dp x cp devices)
  kExpertDp,  // data parallel ranks of the routed experts (dp x cp / ep devices)
};
const char* to_string(CommGroup g);

// Where in the step: the forward or backward pass of a micro-batch (overlappable with
// that pass's compute where frameworks do), or once per step after the last backward.
enum class CommPhase { kForward, kBackward, kStep };
const char* to_string(CommPhase p);

// What it is for, for reports and for overlap rules.
enum class CommKind {
  kTpAllReduce,      // Megatron TP: after attention and MLP (forward), before (backward)
  kSpAllGather,      // sequence parallel: gather tokens before attention and MLP
  kSpReduceScatter,  // sequence parallel: scatter after attention and MLP
  kSpInputAllGather,  // sequence parallel, backward: a column-parallel linear's saved input
                      // re-gathered for its weight gradient (Megatron-Core, TE keep 1/tp)
  kCheckpointAllGather,  // distributed saved activations: the layer input before recompute
  kEpDispatch,       // MoE: tokens to their experts
  kEpCombine,        // MoE: expert outputs back
  kCpRingKv,         // ring attention: one KV block to the next rank (cp-1 steps)
  kCpAllToAll,       // Ulysses: sequence <-> head re-partition of Q, K, V, O
  kCpAllGather,      // all-gather CP: K, V of the whole sequence before attention
  kCpReduceScatter,  // all-gather CP: dK, dV back to their owners
  kPpActivation,     // pipeline: activations forward, their gradients backward
  kDpGradAllReduce,      // data parallel gradient all-reduce (no ZeRO)
  kDpGradReduceScatter,  // ZeRO 1/2/3: gradients reduced to their owners
  kDpParamAllGather,     // ZeRO 1/2: updated weights; ZeRO-3/FSDP: weights per layer
};
const char* to_string(CommKind k);

struct Comm {
  CommKind kind = CommKind::kTpAllReduce;
  engine::CollectiveOp op = engine::CollectiveOp::kAllReduce;
  CommGroup group = CommGroup::kTp;
  int group_size = 1;
  CommPhase phase = CommPhase::kForward;
  engine::Bytes bytes;  // S per rank, per occurrence
  int count = 1;        // occurrences per block repeat per micro-batch (or per step)
};

}  // namespace podsim::workloads
