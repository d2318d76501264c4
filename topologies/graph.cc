#include "topologies/graph.h"

namespace podsim::topologies {

const char* to_string(VertexKind k) {
  switch (k) {
    case VertexKind::kAccelerator: return "accelerator";
    case VertexKind::kCpu: return "cpu";
    case VertexKind::kNic: return "nic";
    case VertexKind::kSwitch: return "switch";
  }
  return "?";
}

const char* to_string(LinkTier t) {
  switch (t) {
    case LinkTier::kDieToDie: return "die-to-die";
    case LinkTier::kScaleUpAccess: return "scale-up access";
    case LinkTier::kScaleUpTrunk: return "scale-up trunk";
    case LinkTier::kCpuAttach: return "cpu attach";
    case LinkTier::kNicAttach: return "nic attach";
    case LinkTier::kScaleOutAccess: return "scale-out access";
    case LinkTier::kScaleOutTrunk: return "scale-out trunk";
  }
  return "?";
}

const char* to_string(SwitchRole r) {
  switch (r) {
    case SwitchRole::kNone: return "none";
    case SwitchRole::kUbL1: return "UB L1";
    case SwitchRole::kUbL2: return "UB L2";
    case SwitchRole::kNvSwitch: return "NVSwitch";
    case SwitchRole::kNvSwitchL1: return "NVSwitch L1";
    case SwitchRole::kNvSwitchL2: return "NVSwitch L2";
    case SwitchRole::kLeaf: return "leaf";
    case SwitchRole::kSpine: return "spine";
    case SwitchRole::kCore: return "core";
  }
  return "?";
}

}  // namespace podsim::topologies
