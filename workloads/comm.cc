#include "workloads/comm.h"

namespace podsim::workloads {

const char* to_string(CommGroup g) {
  switch (g) {
    case CommGroup::kTp: return "tp";
    case CommGroup::kCp: return "cp";
    case CommGroup::kEp: return "ep";
    case CommGroup::kPp: return "pp";
    case CommGroup::kDp: return "dp";
    case CommGroup::kExpertDp: return "expert_dp";
  }
  return "?";
}

const char* to_string(CommPhase p) {
  switch (p) {
    case CommPhase::kForward: return "forward";
    case CommPhase::kBackward: return "backward";
    case CommPhase::kStep: return "step";
  }
  return "?";
}

const char* to_string(CommKind k) {
  switch (k) {
    case CommKind::kTpAllReduce: return "tp_all_reduce";
    case CommKind::kSpAllGather: return "sp_all_gather";
    case CommKind::kCheckpointAllGather: return "checkpoint_all_gather";
    case CommKind::kSpReduceScatter: return "sp_reduce_scatter";
    case CommKind::kSpInputAllGather: return "sp_input_all_gather";
    case CommKind::kEpDispatch: return "ep_dispatch";
    case CommKind::kEpCombine: return "ep_combine";
    case CommKind::kCpRingKv: return "cp_ring_kv";
    case CommKind::kCpAllToAll: return "cp_all_to_all";
    case CommKind::kCpAllGather: return "cp_all_gather";
    case CommKind::kCpReduceScatter: return "cp_reduce_scatter";
    case CommKind::kPpActivation: return "pp_activation";
    case CommKind::kDpGradAllReduce: return "dp_grad_all_reduce";
    case CommKind::kDpGradReduceScatter: return "dp_grad_reduce_scatter";
    case CommKind::kDpParamAllGather: return "dp_param_all_gather";
  }
  return "?";
}

}  // namespace podsim::workloads
