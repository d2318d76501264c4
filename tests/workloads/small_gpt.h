#pragma once
// The small GPT the step-model, planner, DualPipe, offload and overlap tests time by hand:
// 16 layers of hidden 2048 (FFN 4h, 16 heads, GeLU MLP), sequence 2048, and a 1024-token
// vocabulary so that the embedding and head barely weigh on a pipeline stage (stages
// come out nearly equal).
#include "workloads/accounting.h"
#include "workloads/model.h"
#include "workloads/parallel_plan.h"

namespace podsim::workloads::testing {

inline ModelSpec small_gpt() {
  return {.name = "small-gpt", .layers = 16, .hidden = 2048, .ffn = 8192, .heads = 16, .kv_heads = 0,
          .head_dim = 0, .vocab = 1024, .seq_len = 2048, .mlp = MlpKind::kGelu};
}

// Its weights on one device without TP or PP: every layer, the embedding and the head.
inline double small_gpt_weights() {
  const ModelSpec m = small_gpt();
  return m.layers * layer_params(m, 0).dense + input_embedding_params(m) + head_params(m);
}

// Bytes per step of one kind of comm on the only stage of `p` on the small GPT (count x
// bytes x micro-batches where the comm repeats per micro-batch: comm_per_step).
inline double small_gpt_step_bytes(const Plan& p, CommKind kind) {
  double sum = 0;
  for (const CommTotal& t : comm_per_step(plan_work(small_gpt(), p)[0], p))
    if (t.kind == kind) sum += t.bytes.value();
  return sum;
}

}  // namespace podsim::workloads::testing
