// Transformer Engine's FP8 casts (workloads/fp8_casts.h): the bytes per GEMM against
// hand counts, the ops forward_ops adds for FP8 plans only, and the transposes charged
// on Hopper only; and the GEMMs outside TE's FP8 (gemm_precision, step_model.h).
#include <doctest/doctest.h>

#include "tests/workloads/op_lookup.h"
#include "workloads/accounting.h"
#include "workloads/efficiency.h"
#include "workloads/fp8_casts.h"
#include "workloads/model.h"
#include "workloads/parallel_plan.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::workloads {
namespace {

using doctest::Approx;
using engine::Bytes;
using engine::DeviceSpec;
using engine::FlopRate;
using testing::find_op;
using testing::has_op;

DeviceSpec device(const char* name, double bf16, double fp8, double hbm_gbps) {
  DeviceSpec d{.name = name, .peak_bf16 = FlopRate::tera(bf16), .peak_fp16 = FlopRate::tera(bf16),
               .hbm_capacity = Bytes::giga(80), .hbm_bandwidth = engine::Bandwidth::gbytes_per_s(hbm_gbps)};
  d.peak_fp8 = FlopRate::tera(fp8);
  return d;
}

TEST_CASE("FP8 casts: bytes per GEMM by hand") {
  // GPT-3 175B (h 12288) on TP4 with SP, one 2048-token micro-batch (MLPerf v3.1's
  // plan): out_proj [2048 x 3072] x [3072 x 12288]. Its input (the attention output) and
  // its output gradient are cast by kernels of their own (TE Linear: cast_transpose):
  // quantise 3 bytes (read BF16 2, write FP8 1) per element of X (2048 x 3072) and of dY
  // (2048 x 12288); Hopper's transposed copies 1 byte more each.
  const GemmShape out_proj{.m = 2048, .k = 3072, .n = 12288};
  const Fp8CastBytes a = fp8_cast_bytes(out_proj, {});
  CHECK(a.quantise == Approx(3.0 * 2048 * 3072 + 3.0 * 2048 * 12288));
  CHECK(a.transpose == Approx(1.0 * 2048 * 3072 + 1.0 * 2048 * 12288));
  // The first MLP linear, [2048 x 12288] x [12288 x 12288]: its input comes in FP8 from
  // LayerNormMLP's fused norm and its gradient from the fused dact, so nothing is
  // quantised; Hopper transposes the input (read 1 + write 1) and the dact kernel writes
  // the gradient's transposed copy (1).
  const GemmShape fc1{.m = 2048, .k = 12288, .n = 12288};
  const Fp8CastBytes b = fp8_cast_bytes(fc1, {.input_fused = true, .grad_fused = true});
  CHECK(b.quantise == 0);
  CHECK(b.transpose == Approx(2.0 * 2048 * 12288 + 1.0 * 2048 * 12288));
  CHECK(fp8_cast_bytes(GemmShape{}, {}).quantise == 0);  // shape unknown: nothing
}

TEST_CASE("FP8 casts: forward_ops adds them to FP8 layer linears only") {
  const ModelSpec m = *model_preset("gpt3-175b");
  Shard s{.tp = 4, .sequence_parallel = true, .micro_batch = 1, .operand_bytes = 1, .fp8_casts = true};
  const std::vector<OpBlock> fp8 = forward_ops(m, s, {.begin = 0, .end = 1, .embedding = true, .head = true});
  const OpBlock& layer = fp8[1];
  for (const char* g : {"qkv", "out_proj", "mlp_up", "mlp_down"})
    CHECK(has_op(layer, std::string(g) + "_fp8_cast"));
  CHECK_FALSE(has_op(fp8.back(), "logits_fp8_cast"));  // the output layer is not a TE FP8 linear
  // A third of the forward + backward bytes (the step model charges backward 2x):
  // out_proj's, from the hand count above.
  const Op& cast = find_op(layer, "out_proj_fp8_cast");
  CHECK(cast.kind == OpKind::kMemoryBound);
  CHECK(cast.bytes.value() == Approx((3.0 * 2048 * 3072 + 3.0 * 2048 * 12288) / 3));
  CHECK(cast.fp8_transpose_bytes.value() == Approx((2048.0 * 3072 + 2048.0 * 12288) / 3));
  s.fp8_casts = false;
  const std::vector<OpBlock> bf16 = forward_ops(m, s, {.begin = 0, .end = 1, .embedding = true, .head = true});
  CHECK(bf16[1].ops.size() + 4 == layer.ops.size());
}

TEST_CASE("FP8 casts: transposes are charged on Hopper, not on Blackwell") {
  // 2048 x 3072 + 2048 x 12288 = 31.5 M elements: 94.4 MB quantised, 31.5 MB transposed,
  // a third of each on the op. H100 at 0.8 x 3350 GB/s: (31.46 + 10.49) MB / 2680 GB/s
  // = 15.65 us; B200 at 0.8 x 8000 GB/s: 31.46 MB / 6400 GB/s = 4.92 us.
  const ModelSpec m = *model_preset("gpt3-175b");
  const Shard s{.tp = 4, .sequence_parallel = true, .micro_batch = 1, .operand_bytes = 1, .fp8_casts = true};
  const Op cast = find_op(forward_ops(m, s, {.begin = 0, .end = 1, .embedding = false, .head = false})[0],
                          "out_proj_fp8_cast");
  const DeviceSpec h100 = device("H100 SXM5", 989.5, 1979, 3350);
  const DeviceSpec b200 = device("B200 (GB200)", 2500, 5000, 8000);
  const OpEfficiency eh = default_efficiency(h100), eb = default_efficiency(b200);
  CHECK(eh.fp8_transposes);
  CHECK_FALSE(eb.fp8_transposes);
  const double elements = 2048.0 * 3072 + 2048.0 * 12288;
  CHECK(op_seconds(cast, engine::Precision::kFP8, h100, eh, AttentionKernel::kFused) ==
        Approx(4 * elements / 3 / (3350e9 * 0.8)));
  CHECK(op_seconds(cast, engine::Precision::kFP8, b200, eb, AttentionKernel::kFused) ==
        Approx(3 * elements / 3 / (8000e9 * 0.8)));
}

TEST_CASE("FP8 recipes: cast bytes per GEMM by hand (Transformer Engine 2.8)") {
  // GPT-3 175B on TP4 + SP, one 2048-token micro-batch, as above: out_proj's X (2048 x
  // 3072) and dY (2048 x 12288) are cast by kernels of their own; fc1's X comes from the
  // fused norm and its dY from the fused dact.
  const GemmShape out_proj{.m = 2048, .k = 3072, .n = 12288};
  const GemmShape fc1{.m = 2048, .k = 12288, .n = 12288};
  const double proj = 2048.0 * 3072 + 2048.0 * 12288, fc = 2.0 * 2048 * 12288;
  // Current scaling (Float8CurrentScalingQuantizer::quantize_impl): an amax kernel reads
  // the BF16 tensor (2), then the cast reads it again and writes FP8 (3): 5 bytes. After
  // a norm or an activation that writes BF16 with its amax (FUSED_NORM_AMAX_FP8,
  // FUSED_ACTIVATION_AMAX_FP8) only the cast: 3. Hopper's transposed copy is the cast's
  // second output: 1 byte on every tensor.
  const Fp8CastBytes cs = fp8_cast_bytes(out_proj, {}, Fp8Recipe::kTensorwise);
  CHECK(cs.quantise == Approx(5 * proj));
  CHECK(cs.transpose == Approx(1 * proj));
  const Fp8CastBytes cs_fused = fp8_cast_bytes(fc1, {.input_fused = true, .grad_fused = true}, Fp8Recipe::kTensorwise);
  CHECK(cs_fused.quantise == Approx(3 * fc));
  CHECK(cs_fused.transpose == Approx(1 * fc));
  // Blockwise (Float8BlockQuantizer, 1 x 128 blocks, FP32 scales): read 2, write a
  // row-wise and a column-wise copy of 1 + 4/128 each = 4.0625, fused producer or not
  // (TE's norms and activations take the UNFUSED path for it); no separate transposes.
  const Fp8CastBytes bw = fp8_cast_bytes(out_proj, {}, Fp8Recipe::kBlockwise);
  CHECK(bw.quantise == Approx(4.0625 * proj));
  CHECK(bw.transpose == 0);
  CHECK(fp8_cast_bytes(fc1, {.input_fused = true, .grad_fused = true}, Fp8Recipe::kBlockwise).quantise ==
        Approx(4.0625 * fc));
  // Delayed scaling is the default and the table of the first test case.
  const Fp8CastBytes d = fp8_cast_bytes(fc1, {.input_fused = true, .grad_fused = true}, Fp8Recipe::kDelayed);
  CHECK(d.quantise == fp8_cast_bytes(fc1, {.input_fused = true, .grad_fused = true}).quantise);
  CHECK(d.transpose == Approx(2.0 * 2048 * 12288 + 1.0 * 2048 * 12288));
}

TEST_CASE("FP8 recipes: the plan carries the recipe to the cast ops, and their time on H100 by hand") {
  // out_proj under current scaling on H100 (0.8 x 3350 GB/s): (5 + 1) bytes x 31.46 M
  // elements / 3 per pass op = 62.9 MB -> 23.5 us (delayed: 4 bytes, 15.65 us above).
  const ModelSpec m = *model_preset("gpt3-175b");
  Plan p{.tp = 4, .sequence_parallel = true, .global_batch = 1, .precision = engine::Precision::kFP8};
  p.fp8_recipe = Fp8Recipe::kTensorwise;
  const Shard s = p.shard();
  CHECK(s.fp8_casts);
  CHECK(s.fp8_recipe == Fp8Recipe::kTensorwise);
  const Op cast = find_op(forward_ops(m, s, {.begin = 0, .end = 1, .embedding = false, .head = false})[0],
                          "out_proj_fp8_cast");
  const double elements = 2048.0 * 3072 + 2048.0 * 12288;
  CHECK(cast.bytes.value() == Approx(5 * elements / 3));
  CHECK(cast.fp8_transpose_bytes.value() == Approx(elements / 3));
  const DeviceSpec h100 = device("H100 SXM5", 989.5, 1979, 3350);
  CHECK(op_seconds(cast, engine::Precision::kFP8, h100, default_efficiency(h100), AttentionKernel::kFused) ==
        Approx(6 * elements / 3 / (3350e9 * 0.8)));
  CHECK(op_seconds(cast, engine::Precision::kFP8, h100, default_efficiency(h100), AttentionKernel::kFused) ==
        Approx(23.5e-6).epsilon(2e-3));
  // A recipe for another precision is a plan problem naming the field; blockwise is
  // Hopper's (TE 2.8 check_fp8_block_scaling_support).
  Plan bf16 = p;
  bf16.precision = engine::Precision::kBF16;
  bool named = false;
  for (const FieldProblem& f : check(m, bf16)) named = named || f.field == "fp8_recipe";
  CHECK(named);
  p.fp8_recipe = Fp8Recipe::kBlockwise;
  DeviceSpec gb200 = device("B200 (GB200)", 2500, 5000, 8000);
  gb200.mxfp8 = true;
  CHECK(fp8_recipe_problem(p, gb200).has_value());
  CHECK_FALSE(fp8_recipe_problem(p, h100).has_value());
  CHECK(std::string(to_string(Fp8Recipe::kTensorwise)) == "tensorwise");
}

TEST_CASE("MXFP8 casts: a row-wise and a column-wise copy, fused into activations, not norms (TE 2.8)") {
  // MXFP8BlockScaling: read BF16 (2), write two copies of 1 + 1/32 (an E8M0 scale per 32)
  // = 4.0625 bytes per element. The activation and dact write MXFP8 themselves (their
  // FULLY_FUSED path: 0); norms take the UNFUSED path (the cast follows them: 4.0625).
  const GemmShape out_proj{.m = 2048, .k = 3072, .n = 12288};
  const GemmShape fc1{.m = 2048, .k = 12288, .n = 12288};
  const GemmShape fc2{.m = 2048, .k = 12288, .n = 12288};
  const double proj = 2048.0 * 3072 + 2048.0 * 12288;
  const Fp8CastBytes a = fp8_cast_bytes(out_proj, {}, Fp8Recipe::kMxfp8);
  CHECK(a.quantise == Approx(4.0625 * proj));
  CHECK(a.transpose == 0);
  CHECK(fp8_cast_bytes(fc1, {.input_fused = true, .grad_fused = true, .input_from_norm = true}, Fp8Recipe::kMxfp8)
            .quantise == Approx(4.0625 * 2048 * 12288));  // X after the norm; dY from the dact: 0
  CHECK(fp8_cast_bytes(fc2, {.input_fused = true, .grad_fused = false}, Fp8Recipe::kMxfp8).quantise ==
        Approx(4.0625 * 2048 * 12288));  // X from the activation: 0; dY cast
  // A plan of precision MXFP8 gets the ops; GB200 at 0.8 x 8000 GB/s: out_proj's
  // 4.0625 x 31.46 M / 3 = 42.6 MB per pass op -> 6.66 us.
  const ModelSpec m = *model_preset("gpt3-175b");
  const Plan p{.tp = 4, .sequence_parallel = true, .global_batch = 1, .precision = engine::Precision::kMXFP8};
  const Shard s = p.shard();
  CHECK(s.fp8_casts);
  CHECK(s.fp8_recipe == Fp8Recipe::kMxfp8);
  const Op cast = find_op(forward_ops(m, s, {.begin = 0, .end = 1, .embedding = false, .head = false})[0],
                          "out_proj_fp8_cast");
  CHECK(cast.bytes.value() == Approx(4.0625 * proj / 3));
  DeviceSpec gb200 = device("B200 (GB200)", 2500, 5000, 8000);
  gb200.mxfp8 = true;
  CHECK(op_seconds(cast, engine::Precision::kMXFP8, gb200, default_efficiency(gb200), AttentionKernel::kFused) ==
        Approx(6.66e-6).epsilon(2e-3));
}

TEST_CASE("NVFP4 casts: bytes per GEMM by hand (Transformer Engine 2.8's NVFP4 recipe)") {
  // Every X and dY is written as a row-wise and a column-wise NVFP4 copy, 0.5 byte + 1/16
  // (an E4M3 scale per 16) each: 1.125 bytes, after reading the BF16 tensor (2). Where no
  // producer computes the per-tensor amax, an amax kernel reads it once more (2).
  // out_proj of GPT-3 on TP4 (above), both operands cast by kernels of their own:
  // 5.125 x (2048 x 3072 + 2048 x 12288) = 161.2 MB.
  const GemmShape out_proj{.m = 2048, .k = 3072, .n = 12288};
  CHECK(nvfp4_cast_bytes(out_proj, {}, false) == Approx(5.125 * (2048.0 * 3072 + 2048.0 * 12288)));
  CHECK(nvfp4_cast_bytes(out_proj, {}, false) == Approx(161.2e6).epsilon(1e-3));
  // fc1: the norm computes X's amax and the dact dY's (TE's FUSED_*_AMAX_NVFP4): 3.125.
  const GemmShape fc1{.m = 2048, .k = 12288, .n = 12288};
  CHECK(nvfp4_cast_bytes(fc1, {.input_fused = true, .grad_fused = true}, false) ==
        Approx(3.125 * 2 * 2048.0 * 12288));
  // With the random Hadamard transform: amax over X and RHT(X^T) (2), row-wise cast (2 +
  // 0.5625), RHT + column-wise cast (2 + 0.5625) = 7.125, fused producer or not.
  CHECK(nvfp4_cast_bytes(fc1, {.input_fused = true, .grad_fused = true}, true) ==
        Approx(7.125 * 2 * 2048.0 * 12288));
  CHECK(nvfp4_cast_bytes(out_proj, {}, true) == Approx(7.125 * (2048.0 * 3072 + 2048.0 * 12288)));
  CHECK(nvfp4_cast_bytes(GemmShape{}, {}, false) == 0);
}

TEST_CASE("NVFP4 casts: forward_ops adds them to NVFP4 layer linears, charged on Blackwell") {
  const ModelSpec m = *model_preset("gpt3-175b");
  const Shard s{.tp = 4, .sequence_parallel = true, .micro_batch = 1, .operand_bytes = 1, .nvfp4_casts = true};
  const std::vector<OpBlock> fp4 = forward_ops(m, s, {.begin = 0, .end = 1, .embedding = false, .head = false});
  for (const char* g : {"qkv", "out_proj", "mlp_up", "mlp_down"}) {
    CHECK(has_op(fp4[0], std::string(g) + "_nvfp4_cast"));
    CHECK_FALSE(has_op(fp4[0], std::string(g) + "_fp8_cast"));
  }
  // A third of out_proj's forward + backward bytes; no Hopper-only transpose bytes (the
  // column-wise copies are in `bytes`). GB200 at 0.8 x 8000 GB/s: 53.7 MB -> 8.40 us.
  const Op& cast = find_op(fp4[0], "out_proj_nvfp4_cast");
  CHECK(cast.kind == OpKind::kMemoryBound);
  CHECK(cast.bytes.value() == Approx(5.125 * (2048.0 * 3072 + 2048.0 * 12288) / 3));
  CHECK(cast.fp8_transpose_bytes.value() == 0);
  const DeviceSpec b200 = device("B200 (GB200)", 2500, 5000, 8000);
  CHECK(op_seconds(cast, engine::Precision::kFP4, b200, default_efficiency(b200), AttentionKernel::kFused) ==
        Approx(8.40e-6).epsilon(2e-3));
  // The Hadamard transform's plan costs more bytes.
  Shard rht = s;
  rht.nvfp4_hadamard = true;
  const std::vector<OpBlock> fp4_rht = forward_ops(m, rht, {.begin = 0, .end = 1, .embedding = false, .head = false});
  CHECK(find_op(fp4_rht[0], "out_proj_nvfp4_cast").bytes.value() == Approx(7.125 * (2048.0 * 3072 + 2048.0 * 12288) / 3));
}

TEST_CASE("The output layer and the MoE router stay BF16 under low-precision plans") {
  // Megatron-Core's output layer is its own ColumnParallelLinear, not a TE FP8 module;
  // DeepSeek-V3 (report §3.3.1) keeps the output head and gating in their original
  // precision. GPT-3's logits on TP4, 2048 tokens: 2 x 2048 x 12288 x 12800 = 6.44e11
  // FLOP at H100's BF16 989.5 TF x 0.7 = 0.930 ms (at FP8 1979 x 0.6125 it would be
  // 0.532 ms).
  const Op logits{.name = "logits", .kind = OpKind::kGemm, .flops = 2.0 * 2048 * 12288 * 12800};
  const Op router{.name = "router", .kind = OpKind::kGemm}, qkv{.name = "qkv", .kind = OpKind::kGemm};
  for (engine::Precision p : {engine::Precision::kFP8, engine::Precision::kMXFP8, engine::Precision::kFP4}) {
    CHECK(gemm_precision(logits, p) == engine::Precision::kBF16);
    CHECK(gemm_precision(router, p) == engine::Precision::kBF16);
    CHECK(gemm_precision(qkv, p) == p);
  }
  CHECK(gemm_precision(logits, engine::Precision::kFP16) == engine::Precision::kFP16);
  const DeviceSpec h100 = device("H100 SXM5", 989.5, 1979, 3350);
  CHECK(op_seconds(logits, engine::Precision::kFP8, h100, default_efficiency(h100)) ==
        Approx(logits.flops / (989.5e12 * 0.7)));
}

}  // namespace
}  // namespace podsim::workloads
