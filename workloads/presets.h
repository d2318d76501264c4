#pragma once
// Named published models. Each preset is the model card of its source (cited in
// presets.cc beside the numbers); anything not published is marked there UNVERIFIED
// and is a scenario field the user can override (workload.proto, message Model).
//
//   name               layers hidden  heads/kv  notes
//   gpt3-175b          96     12288   96/96     GELU, vocab 51200, seq 2048 (SC21)
//   llama3-8b          32     4096    32/8      SwiGLU 14336, vocab 128256, seq 8192
//   llama3-70b         80     8192    64/8      SwiGLU 28672
//   llama3-405b        126    16384   128/8     SwiGLU 53248
//   deepseek-v3        61     7168    128 (MLA) 256 routed + 1 shared, top-8, 3 dense
//   kimi-k2            61     7168    64 (MLA)  384 routed + 1 shared, top-8, 1 dense
//   gpt-oss-120b       36     2880    64/8      128 routed, top-4; window 128 on every other layer
//   wan2.1-14b         40     5120    40        DiT, 720p x 81 frames = 75,600 tokens
//   hunyuanvideo-13b   60     3072    24        DiT, joint attention, 720p x 129 frames
//   moviegen-30b       48     6144    48        DiT, 768 px x 256 frames = 73,728 tokens
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/model.h"

namespace podsim::workloads {

// The preset called `name`, or nullopt.
std::optional<ModelSpec> model_preset(std::string_view name);

// Every preset name, in the order of the table above.
const std::vector<std::string>& model_preset_names();

}  // namespace podsim::workloads
