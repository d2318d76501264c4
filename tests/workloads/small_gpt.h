#pragma once
// The small GPT the step-model, planner, DualPipe, offload and overlap tests time by hand:
// 16 layers of hidden 2048 (FFN 4h, 16 heads, GeLU MLP), sequence 2048, and a 1024-token
// vocabulary so that the embedding and head barely weigh on a pipeline stage (stages
// come out nearly equal).
#include "workloads/model.h"

namespace podsim::workloads::testing {

inline ModelSpec small_gpt() {
  return {.name = "small-gpt", .layers = 16, .hidden = 2048, .ffn = 8192, .heads = 16, .kv_heads = 0,
          .head_dim = 0, .vocab = 1024, .seq_len = 2048, .mlp = MlpKind::kGelu};
}

}  // namespace podsim::workloads::testing
