#include "workloads/memory.h"

#include <doctest/doctest.h>

#include "engine/error.h"
#include "workloads/presets.h"

using namespace podsim::workloads;
using podsim::engine::Bytes;
using podsim::engine::DeviceSpec;
using podsim::engine::FlopRate;
using doctest::Approx;

namespace {

DeviceSpec a100_80gb() {  // calibration.md: A100 312 TFLOP/s BF16; 80 GB
  return DeviceSpec{.name = "A100-80GB", .peak_bf16 = FlopRate::tera(312), .peak_fp16 = FlopRate::tera(312),
                    .hbm_capacity = Bytes::giga(80)};
}

DeviceSpec h100() {  // hardware.md §1.3
  return DeviceSpec{.name = "H100 SXM5", .peak_bf16 = FlopRate::tera(989.5), .peak_fp16 = FlopRate::tera(989.5),
                    .peak_fp8 = FlopRate::tera(1979), .hbm_capacity = Bytes::giga(80)};
}

}  // namespace

TEST_CASE("ZeRO Figure 1: 7.5 B parameters, Nd = 64, K = 12") {
  // (2 + 2 + 12) x 7.5e9 = 120 GB; ZeRO-1 4 x 7.5 + 12 x 7.5/64 = 31.4 GB; ZeRO-2
  // 2 x 7.5 + 14 x 7.5/64 = 16.6 GB; ZeRO-3 16 x 7.5/64 = 1.9 GB (Rajbhandari et al. 2020).
  const double psi = 7.5e9;
  CHECK(model_states(psi, DataSharding::kNone, 64).total().value() == Approx(120e9));
  CHECK(model_states(psi, DataSharding::kZero1, 64).total().value() == Approx(31.4e9).epsilon(0.002));
  CHECK(model_states(psi, DataSharding::kZero2, 64).total().value() == Approx(16.6e9).epsilon(0.003));
  CHECK(model_states(psi, DataSharding::kZero3, 64).total().value() == Approx(1.9e9).epsilon(0.02));
  CHECK(model_states(psi, DataSharding::kFsdp, 64).total() == model_states(psi, DataSharding::kZero3, 64).total());
  // FP32 main gradients (Megatron's default) double the gradient term.
  CHECK(model_states(psi, DataSharding::kNone, 1, true).gradients.value() == Approx(4 * psi));
}

TEST_CASE("activations per layer reproduce Korthikanti et al. 2022 Table 2 for GPT-3 175B") {
  // s 2048, b 1, h 12288, a 96, t 8; 5as/h = 5 x 96 x 2048 / 12288 = 80.
  const ModelSpec m = *model_preset("gpt3-175b");
  const double s = 2048, b = 1, h = 12288, a = 96, t = 8, sbh = s * b * h;
  Plan p{.tp = 8, .global_batch = 1, .flash_attention = false};
  auto layer = [&](bool sp, Recompute r) {
    Plan q = p;
    q.sequence_parallel = sp;
    q.recompute = r;
    return layer_activation_bytes(m, q, 0).value();
  };
  CHECK(layer(false, Recompute::kNone) == Approx(sbh * (10 + 24 / t + 5 * a * s / (h * t))));
  CHECK(layer(true, Recompute::kNone) == Approx(sbh * (34 / t + 5 * a * s / (h * t))));
  CHECK(layer(false, Recompute::kSelective) == Approx(sbh * (10 + 24 / t)));
  CHECK(layer(true, Recompute::kSelective) == Approx(sbh * 34 / t));
  CHECK(layer(true, Recompute::kFull) == Approx(2 * sbh / t));
  // Without any parallelism: s b h (34 + 5 a s / h) = 2048 x 12288 x 114 = 2.87 GB.
  Plan one{.global_batch = 1, .flash_attention = false};
  CHECK(layer_activation_bytes(m, one, 0).value() == Approx(sbh * (34 + 5 * a * s / h)));
  CHECK(layer_activation_bytes(m, one, 0).value() == Approx(2.869e9).epsilon(0.001));
}

TEST_CASE("1F1B's first stage holds L layers' worth, interleaving adds (p-1)/(p v) (Korthikanti §4.2.3)") {
  // GPT-3 175B, TP8 PP8, SP + selective: per layer 34 s b h / t = 107 MB; stage 0
  // keeps 8 micro-batches of 12 layers = 96 layers = 10.27 GB, plus the embedding
  // dropout mask (1 byte x s h / t per micro-batch in flight), plus, while one layer
  // runs backward, its recomputed score matrix 5 a s / h x s b h / t = 80 s b h / t.
  const ModelSpec m = *model_preset("gpt3-175b");
  const double sbh = 2048.0 * 12288, per_layer = 34 * sbh / 8, mask = sbh / 8, scores = 80 * sbh / 8;
  Plan p{.tp = 8, .pp = 8, .sequence_parallel = true, .recompute = Recompute::kSelective, .global_batch = 64,
         .flash_attention = false};
  const auto stages = memory_per_stage(m, p);
  CHECK(stages[0].micro_batches_in_flight == 8);
  CHECK(stages[0].activations.value() == Approx(96 * per_layer + 8 * mask + scores));
  CHECK(stages[3].micro_batches_in_flight == 5);
  // Interleaved, v = 3: Megatron's warm-up runs (p-1) 2 + (v-1) p = 30 chunk forwards
  // before the first backward, so 31 chunks of 4 layers are in flight: 124 layers =
  // 96 (1 + 7/24), Korthikanti's factor exactly. Walking the schedule: micro-batches
  // 0-7 through chunks 0, 1, 2 (24), then 8-14 through chunk 0 (7); the first
  // backward frees micro-batch 0's chunk 2 and the next forward brings micro-batch 15
  // into chunk 0: still 31 chunks, now of 16 micro-batches, each holding its
  // embedding mask (chunk 0).
  p.schedule = PipelineSchedule::kInterleaved;
  p.virtual_stages = 3;
  const MemoryBreakdown il = memory_per_stage(m, p)[0];
  CHECK(il.micro_batches_in_flight == 16);
  CHECK(il.activations.value() == Approx(124 * per_layer + 16 * mask + scores));
  // The last stage adds the output layer: 4 s b h / t (1 + V/h) (Korthikanti §4.3).
  p.schedule = PipelineSchedule::k1F1B;
  p.virtual_stages = 1;
  CHECK(memory_per_stage(m, p)[7].activations.value() ==
        Approx(12 * per_layer + 4 * sbh / 8 * (1 + 51200.0 / 12288) + scores));
}

TEST_CASE("in-flight activations are summed chunk by chunk over the schedule, not at the largest chunk") {
  // DeepSeek-V3 on TP1 PP4 v4 (the Megatron-Bridge GB200 recipe), 64 micro-batches:
  // 61 layers on 16 chunks, 3 layers on chunks 0, 14, 15 and 4 on the others. Stage 0
  // runs chunks 0 (layers 0-2, the dense ones), 4, 8, 12 (4 MoE layers each). Its
  // warm-up is 2 x 3 + 3 x 4 = 18 forwards; at the 19th, chunk 0 holds micro-batches
  // 0-6 (7) and chunks 4, 8, 12 hold 0-3 (4 each): 7 x 3 dense + 12 x 4 MoE layers.
  // (Charging all 19 at the largest chunk, 4 MoE layers, over-counted by 21 dense-layer
  // slots worth of MoE-layer activations.)
  const ModelSpec m = *model_preset("deepseek-v3");
  Plan p{.pp = 4, .dp = 64, .ep = 64, .schedule = PipelineSchedule::kInterleaved, .virtual_stages = 4,
         .allow_uneven_stages = true, .sharding = DataSharding::kZero1, .recompute = Recompute::kSelective,
         .global_batch = 4096, .recompute_modules = {RecomputeModule::kMlaUpProj}};
  const double dense = layer_activation_bytes(m, p, 0).value(), moe = layer_activation_bytes(m, p, 3).value();
  Plan none = p;
  none.recompute = Recompute::kNone;
  const double working = layer_activation_bytes(m, none, 3).value() - moe;  // one MoE layer's Q, K, V
  const MemoryBreakdown s0 = memory_per_stage(m, p)[0];
  CHECK(s0.micro_batches_in_flight == 7);
  CHECK(s0.activations.value() == Approx(7 * 3 * dense + 12 * 4 * moe + working));
  // By hand (T = 4096 tokens, h 7168, 128 heads, per token): a MoE layer stores norm
  // inputs and outputs 8h = 57,344; MLA latents 4 x 1536 + 2 x 576 + 2 x 512 = 8,320;
  // projection input 2 x 128 x 128 = 32,768; FlashAttention LSE 4 x 128 = 512; router
  // logits 4 x 256 = 1,024; 8 routed rows of the expert input 2h, the FP32 router
  // probability 4 and 6 x 2048 = 26,628 each = 213,024 (no expert output: the
  // probability is applied inside the expert, Megatron-Core experts.py); the shared
  // expert 6 x 2048 = 12,288: 325,280 B x 4096 = 1.332 GB. A dense layer keeps 57,344 +
  // 8,320 + 32,768 + 512 + 6 x 18,432 = 209,536 B/token = 0.858 GB.
  CHECK(moe == Approx(325280.0 * 4096));
  CHECK(dense == Approx(209536.0 * 4096));
}

TEST_CASE("selective recompute modules drop what they recompute (Megatron-Core recompute_modules)") {
  // DeepSeek-V3, TP1, one 4096-token micro-batch; T = 4096, h = 7168, 128 heads, qk 192,
  // v 128, expert_ffn 2048, top-8, dense ffn 18432. Bytes saved per layer, by hand:
  const ModelSpec m = *model_preset("deepseek-v3");
  const double T = 4096, h = 7168;
  Plan none{.dp = 1, .global_batch = 1};
  auto saved = [&](RecomputeModule r, int layer) {
    Plan q = none;
    q.recompute = Recompute::kSelective;
    q.recompute_modules = {r};
    return layer_activation_bytes(m, none, layer).value() - layer_activation_bytes(m, q, layer).value();
  };
  // mla_up_proj: Q and K (128 x 192 x 2 B each) and V (128 x 128 x 2 B) per token.
  CHECK(saved(RecomputeModule::kMlaUpProj, 3) == Approx(T * (2 * 128 * 192 * 2 + 128 * 128 * 2)));
  // layernorm: the two norm outputs, 2h each.
  CHECK(saved(RecomputeModule::kLayerNorm, 3) == Approx(T * 4 * h));
  // moe_act: the SwiGLU product of 8 rows per token, 2048 x 2 B each.
  CHECK(saved(RecomputeModule::kMoeAct, 3) == Approx(T * 8 * 2048 * 2));
  CHECK(saved(RecomputeModule::kMoeAct, 0) == 0);  // a dense layer has no routed experts
  // mlp: a dense layer's SwiGLU intermediates, 6 bytes x ffn; nothing on a MoE layer.
  CHECK(saved(RecomputeModule::kMlp, 0) == Approx(T * 6 * 18432));
  CHECK(saved(RecomputeModule::kMlp, 3) == 0);
  // shared_experts: the shared expert's intermediates, 6 x 2048.
  CHECK(saved(RecomputeModule::kSharedExperts, 3) == Approx(T * 6 * 2048));
  // core_attn saves nothing more with FlashAttention (no score matrix is stored).
  CHECK(saved(RecomputeModule::kCoreAttention, 3) == 0);
  // Modules add up.
  Plan all = none;
  all.recompute = Recompute::kSelective;
  all.recompute_modules = {RecomputeModule::kMlaUpProj, RecomputeModule::kLayerNorm, RecomputeModule::kMoeAct};
  CHECK(layer_activation_bytes(m, none, 3).value() - layer_activation_bytes(m, all, 3).value() ==
        Approx(saved(RecomputeModule::kMlaUpProj, 3) + saved(RecomputeModule::kLayerNorm, 3) +
               saved(RecomputeModule::kMoeAct, 3)));
}

TEST_CASE("the published GPT-3 plan fits an A100 80GB, without model parallelism it is rejected with numbers") {
  const ModelSpec m = *model_preset("gpt3-175b");
  Plan p{.tp = 8, .pp = 8, .sequence_parallel = true, .schedule = PipelineSchedule::kInterleaved,
         .virtual_stages = 3, .recompute = Recompute::kSelective, .global_batch = 64, .flash_attention = false};
  const FitReport ok = check_fit(m, p, a100_80gb());
  CHECK(ok.fits);
  // Weights on stage 0: (12 layers x 12 h^2 + (V + s) h) / 8 = 2.26 B params x 16 B = 36 GB.
  CHECK(ok.need.weights.value() + ok.need.gradients.value() + ok.need.optimizer.value() ==
        Approx(16 * (12 * 12.0 * 12288 * 12288 + 12 * 13.0 * 12288 + (51200 + 2048) * 12288.0) / 8).epsilon(0.001));

  Plan tp_only{.tp = 8, .global_batch = 8};
  const FitReport bad = check_fit(m, tp_only, h100());
  CHECK_FALSE(bad.fits);
  // 174.6 B / 8 x 16 bytes = 349 GB of model states per device.
  CHECK(bad.need.total().value() > 349e9);
  CHECK(bad.message.find("plan needs") == 0);
  CHECK(bad.message.find("weights 43.7 GB, gradients 43.7 GB, optimizer 261.9 GB") != std::string::npos);
  CHECK(bad.message.find("device H100 SXM5 has 80.0 GB") != std::string::npos);
  CHECK_THROWS_WITH_AS(require_fit(m, tp_only, h100()), doctest::Contains("device H100 SXM5 has 80.0 GB"),
                       podsim::UserError);
}

TEST_CASE("Llama 3 405B's published plan fits an H100 (Llama 3 §3.3.2: TP8 PP16 DP64, FSDP of grads and optimizer)") {
  const ModelSpec m = *model_preset("llama3-405b");
  Plan p{.tp = 8, .pp = 16, .dp = 64, .sequence_parallel = true, .allow_uneven_stages = true,
         .sharding = DataSharding::kZero2, .global_batch = 2048};
  const FitReport r = check_fit(m, p, h100());
  CHECK(r.fits);
  // 405.9 B / 128 = 3.17 B weights per device x 2 B = 6.3 GB (first stage: 7 layers + embedding).
  CHECK(r.need.weights.value() == Approx(6.3e9).epsilon(0.15));
}

TEST_CASE("the runtime reserve is held back from the device, counted by communicator, and named in the message") {
  // An H100 as the catalog gives it (hardware.md §1.5): nvidia-smi 81,559 MiB; driver
  // 564.06 MiB, CUDA context 0.6438 GB, cuBLAS + cuBLASLt 64 MiB, NCCL 308,281,344 B per
  // collective communicator (32 channels x 9,633,792 B).
  const double MiB = 1048576;
  DeviceSpec d = h100();
  d.hbm_capacity = Bytes(81559 * MiB);
  d.runtime_reserve = {.driver = Bytes(564.06 * MiB), .context = Bytes(0.6438e9), .workspaces = Bytes(64 * MiB),
                       .per_communicator = Bytes(308281344.0)};
  // Communicators: TP, the data-parallel gradient group, the expert-data-parallel group.
  CHECK(collective_communicators(Plan{}) == 0);
  CHECK(collective_communicators(Plan{.tp = 8, .pp = 16, .dp = 64}) == 2);
  CHECK(collective_communicators(Plan{.pp = 8, .dp = 4}) == 1);         // PP sends point to point
  CHECK(collective_communicators(Plan{.dp = 2, .cp = 4}) == 1);         // dp x cp is one group
  CHECK(collective_communicators(Plan{.tp = 2, .dp = 64, .ep = 8}) == 3);  // + expert DP of 8
  CHECK(collective_communicators(Plan{.dp = 8, .ep = 8}) == 1);         // expert DP of 1: none

  // Llama 3 405B's plan (Llama 3 §3.3.2): TP8 PP16 DP64, 2 communicators.
  // 0.59146 + 0.6438 + 0.06711 + 2 x 0.30828 = 1.91893 GB; 85.52081 - 1.91893 = 83.60188 GB.
  const ModelSpec m = *model_preset("llama3-405b");
  Plan p{.tp = 8, .pp = 16, .dp = 64, .sequence_parallel = true, .allow_uneven_stages = true,
         .sharding = DataSharding::kZero2, .global_batch = 2048};
  const FitReport r = check_fit(m, p, d);
  CHECK(r.capacity.value() == 85520809984.0);
  CHECK(r.reserve.communicators == 2);
  CHECK(r.reserve.collective.value() == 2 * 308281344.0);
  CHECK(r.reserve.total().value() == Approx(1.91893e9).epsilon(1e-4));
  CHECK(r.available.value() == Approx(83.60188e9).epsilon(1e-5));
  CHECK(r.message.find("; device H100 SXM5 has 85.5 GB, 83.6 GB after a 1.92 GB runtime reserve (driver 0.59, "
                       "context 0.64, library workspaces 0.07, collective buffers 0.62 GB for 2 communicators)") !=
        std::string::npos);

  // Just over what is left after the reserve: refused although it is below the capacity.
  DeviceSpec tight = d;
  tight.hbm_capacity = r.need.total() + r.reserve.total() - Bytes(1);
  CHECK_FALSE(check_fit(m, p, tight).fits);
  tight.hbm_capacity = r.need.total() + r.reserve.total();
  CHECK(check_fit(m, p, tight).fits);

  // A scenario's reserve replaces the parts.
  d.runtime_reserve.total = Bytes::giga(1.6);
  const FitReport s = check_fit(m, p, d);
  CHECK(s.reserve.total().value() == 1.6e9);
  CHECK(s.available.value() == Approx(85.520809984e9 - 1.6e9));
  CHECK(s.message.find("device H100 SXM5 has 85.5 GB, 83.9 GB after a 1.60 GB runtime reserve (set by the scenario)") !=
        std::string::npos);
  // A device smaller than its reserve: "nothing left", not a negative size.
  DeviceSpec tiny = d;
  tiny.hbm_capacity = Bytes::giga(1);
  CHECK(check_fit(m, p, tiny).message.find("has 1.0 GB, nothing left after a 1.60 GB runtime reserve") !=
        std::string::npos);
  d.runtime_reserve.total = Bytes(0);  // 0: nothing held back, and the message says only the capacity
  CHECK(check_fit(m, p, d).message.find("device H100 SXM5 has 85.5 GB") != std::string::npos);
  CHECK(check_fit(m, p, d).message.find("reserve") == std::string::npos);
}

TEST_CASE("ZeRO-3 and EP shrink the model states of a MoE") {
  const ModelSpec m = *model_preset("deepseek-v3");
  Plan p{.pp = 4, .dp = 64, .ep = 64, .schedule = PipelineSchedule::kInterleaved, .virtual_stages = 4,
         .allow_uneven_stages = true, .sharding = DataSharding::kZero1, .recompute = Recompute::kFull,
         .global_batch = 4096};
  const MemoryBreakdown z1 = memory_per_stage(m, p)[0];
  // Stage 0 holds chunks 0, 4, 8, 12: layers 0-2 (dense) and 12 MoE layers. By hand:
  // dense layer 187.1 M MLA + 396.4 M MLP = 583.5 M; MoE layer 187.1 M + 44.0 M shared +
  // 1.8 M router = 233.0 M, plus 256 x 44.04 M / 64 EP ranks = 176.2 M of experts;
  // embedding 926.7 M. 3 x 583.5 + 12 x 409.2 + 926.7 = 7,588 M parameters, 2 B each.
  CHECK(z1.weights.value() == Approx(2 * 7.588e9).epsilon(0.002));
  // ZeRO-1 shards the dense optimizer states 64 ways, but each expert lives on one
  // device of its 64-rank EP group (expert DP = 64 / 64 = 1): 12 x 2.114 B expert params.
  CHECK(z1.optimizer.value() == Approx(12 * (12 * 176.2e6 + (3 * 583.5e6 + 12 * 233.0e6 + 926.7e6) / 64)).epsilon(0.003));
  p.sharding = DataSharding::kZero3;
  const MemoryBreakdown z3 = memory_per_stage(m, p)[0];
  CHECK(z3.weights < z1.weights);
  CHECK(z3.gradients < z1.gradients);
}

TEST_CASE("FP8 activation caching keeps the linear inputs in 1 byte: s b h 27 / t for GPT TP + SP + selective") {
  // Korthikanti's 34 = 10 replicated (norm inputs 4, QKV and MLP inputs 4, dropout masks
  // 2) + 24 split (Q, K 4, V 2, projection input 2, GELU input 8, second linear input 8).
  // FP8 copies of the linear inputs (DeepSeek-V3 report §3.3.3; Transformer Engine's FP8
  // Linear) halve the QKV/MLP inputs (4 -> 2), the projection input (2 -> 1) and the
  // second linear's input (8 -> 4): 34 - 2 - 1 - 4 = 27.
  const ModelSpec m = *model_preset("gpt3-175b");
  const double s = 2048, h = 12288, t = 8, sbh = s * h;
  Plan p{.tp = 8, .sequence_parallel = true, .recompute = Recompute::kSelective, .global_batch = 1,
         .precision = podsim::engine::Precision::kFP8, .flash_attention = false, .fp8_activation_cache = false};
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(sbh * 34 / t));
  p.fp8_activation_cache = true;
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(sbh * 27 / t));
  p.fp8_activation_cache.reset();  // unset: Transformer Engine's default for FP8, the same
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(sbh * 27 / t));
  // Without SP the replicated part is on every rank: 10 - 2 = 8 replicated, 24 - 5 = 19 split.
  p.sequence_parallel = false;
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(sbh * (8 + 19 / t)));
  // Full recompute keeps the layer input, the residual stream, in BF16 either way.
  p.sequence_parallel = true;
  p.recompute = Recompute::kFull;
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(2 * sbh / t));
}

TEST_CASE("Saved linear-input bytes per element as Transformer Engine keeps them, by recipe") {
  // Transformer Engine at d0067d0 (module/linear.py, layernorm_linear.py; tensor/*): the
  // weight-gradient copy only, with its scales. FP8 delayed and tensorwise 1 byte (one
  // scale per tensor); blockwise 1 + 4/128 (an FP32 scale per 1x128 block) = 1.03125;
  // MXFP8 1 + 1/32 (an E8M0 scale per 32) = 1.03125; NVFP4 0.5 + 1/16 (an E4M3 scale per
  // 16) = 0.5625, and a LayerNormLinear under SP keeps both NVFP4 copies: 1.125.
  using podsim::engine::Precision;
  auto sv = [](Precision pr, Fp8Recipe r = Fp8Recipe::kDelayed, bool sp = false) {
    Plan p{.tp = sp ? 4 : 1, .sequence_parallel = sp, .global_batch = 1, .precision = pr, .fp8_recipe = r};
    return saved_linear_inputs(p, true);
  };
  CHECK(sv(Precision::kFP8).linear == 1);
  CHECK(sv(Precision::kFP8, Fp8Recipe::kTensorwise).linear == 1);
  CHECK(sv(Precision::kFP8, Fp8Recipe::kBlockwise).linear == 1.03125);
  CHECK(sv(Precision::kMXFP8).linear == 1.03125);
  CHECK(sv(Precision::kFP4).linear == 0.5625);
  CHECK(sv(Precision::kFP4).norm_fused == 0.5625);
  CHECK(sv(Precision::kFP4, Fp8Recipe::kDelayed, true).norm_fused == 1.125);
  CHECK(sv(Precision::kFP8, Fp8Recipe::kDelayed, true).norm_fused == 1);
  // The projection's own copy; the router's BF16 input plus the shared expert's copy.
  CHECK(sv(Precision::kFP8).projection == 1);
  CHECK(sv(Precision::kFP4).projection == 0.5625);
  CHECK(sv(Precision::kFP8).moe_mlp_input == 3);
  CHECK(sv(Precision::kFP8, Fp8Recipe::kDelayed, true).moe_mlp_input == 3);
  // Unset is on only where Transformer Engine runs: BF16 and INT8 keep 2 bytes.
  CHECK(sv(Precision::kBF16).linear == 2);
  CHECK(sv(Precision::kINT8).linear == 2);
  Plan off{.global_batch = 1, .precision = Precision::kFP8, .fp8_activation_cache = false};
  CHECK(saved_linear_inputs(off).linear == 2);
  CHECK(saved_linear_inputs(off).projection == 2);
  Plan int8{.global_batch = 1, .precision = Precision::kINT8, .fp8_activation_cache = true};
  CHECK(saved_linear_inputs(int8).linear == 1);
}

TEST_CASE("FP8 activation caching on SwiGLU, GQA and MoE layers: hand count of the linear inputs") {
  // A Llama-style layer, one token, t = 1, no dropout, flash attention (4 bytes of LSE
  // per head): norm inputs 4h + QKV/MLP inputs 2 lin h + Q 2h + projection input proj h
  // + K, V 2 x 2 g d + LSE 4a + SwiGLU gate and up 4f + product lin f. The projection
  // counts its own copy only (the attention kernel's BF16 output beside it is not
  // counted yet, docs/models.md §4.4).
  ModelSpec m = *model_preset("llama3-8b");
  const double h = m.hidden, f = m.ffn, a = m.heads, g = m.kv_heads_or_heads(), d = m.head_dim_or_default();
  const double T = m.tokens_per_sample();
  auto expect = [&](double lin, double proj) {
    return T * (4 * h + 2 * lin * h + 2 * h + proj * h + 4 * g * d + 4 * a + 4 * f + lin * f);
  };
  Plan p{.global_batch = 1, .precision = podsim::engine::Precision::kFP8, .fp8_activation_cache = false};
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(expect(2, 2)));
  p.fp8_activation_cache = true;
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(expect(1, 1)));
  p.fp8_activation_cache.reset();  // unset: the same for FP8
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(expect(1, 1)));

  // MoE rows: the expert input (lin h), the router probability (4), gate and up
  // (4 f_e), product (lin f_e); moe_act recompute drops the product. Difference BF16 - FP8 per routed row:
  // h + f_e (+ 0 with moe_act, whose product is not kept at all).
  const ModelSpec moe = *model_preset("deepseek-v3");
  Plan q{.global_batch = 1, .precision = podsim::engine::Precision::kFP8, .fp8_activation_cache = false};
  const int layer = moe.moe->dense_layers;  // the first MoE layer
  const double bf16 = layer_activation_bytes(moe, q, layer).value();
  q.fp8_activation_cache = true;
  const double fp8 = layer_activation_bytes(moe, q, layer).value();
  const double tokens = moe.tokens_per_sample(), rows = tokens * moe.moe->top_k;
  const MlaSpec& l = *moe.mla;
  // Per token: the normed QKV input 2h -> two FP8 copies (MLA's Q and KV down-projections,
  // two Linears) 2h, no saving; the MLP input 2h -> the router's BF16 2h + the shared
  // expert's FP8 h, h more; the projection input a v, the two up-projection inputs and
  // the shared experts' products saved; routed rows' inputs and products saved.
  const double saved = tokens * (-moe.hidden + moe.heads * l.v_head_dim + l.q_lora_rank + l.kv_lora_rank +
                                 moe.moe->shared_experts * moe.moe->expert_ffn) +
                       rows * (moe.hidden + moe.moe->expert_ffn);
  CHECK(bf16 - fp8 == Approx(saved));
}

TEST_CASE("FP8 SwiGLU input store keeps gate and up in 1 byte in dense, shared and routed MLPs") {
  // Megatron-Core activation_func_fp8_input_store; DeepSeek-V3 report §3.3.3. Saved per
  // token: 2 x ffn bytes (gate and up, 2 -> 1 byte each) for every SwiGLU a token runs.
  const ModelSpec ds = *model_preset("deepseek-v3");
  const double T = 4096;
  Plan p{.global_batch = 1, .precision = podsim::engine::Precision::kFP8, .fp8_activation_cache = true};
  Plan q = p;
  q.fp8_swiglu_input_store = true;
  auto saved = [&](const ModelSpec& m, int layer) {
    return layer_activation_bytes(m, p, layer).value() - layer_activation_bytes(m, q, layer).value();
  };
  CHECK(saved(ds, 0) == Approx(T * 2 * 18432));               // a dense layer's MLP
  CHECK(saved(ds, 3) == Approx(T * (8 + 1) * 2 * 2048));      // 8 routed rows + the shared expert
  const ModelSpec llama = *model_preset("llama3-8b");
  CHECK(saved(llama, 0) == Approx(llama.tokens_per_sample() * 2.0 * llama.ffn));
  // A GELU model has no SwiGLU input to store.
  const ModelSpec gpt = *model_preset("gpt3-175b");
  Plan g{.tp = 8, .pp = 8, .global_batch = 8, .fp8_swiglu_input_store = true};
  std::string all;
  for (const FieldProblem& f : check(gpt, g)) all += f.field + ": " + f.message + "\n";
  CHECK(all.find("fp8_swiglu_input_store: needs a SwiGLU MLP (model gpt3-175b has a gelu MLP)") != std::string::npos);
}

TEST_CASE("DeepSeek-V3's recipe on 2,048 H800 fits: PP16 DualPipe, EP64, ZeRO-1, FP8 caches, selective recompute") {
  // DeepSeek-V3 report §3.2.3, §3.3.3 (scenarios/crosscheck/dsv3-h800-2048.textproto).
  // Per token of a MoE layer, T = 4096, h = 7168, by hand: norm inputs 4h = 28,672 (norm
  // outputs recomputed); MLA latents 3 x 1536 + 2 x 576 + 512 = 6,272; projection input
  // in FP8 128 x 128 = 16,384; LSE 512; router logits 1,024; the shared expert's FP8
  // gate and up 2 x 2048 + FP8 product 2048 = 6,144; 8 routed rows of FP8 input 7,168,
  // probability 4 and FP8 gate and up 4,096 (the product recomputed) = 90,144: 149,152.
  const ModelSpec m = *model_preset("deepseek-v3");
  const Plan p{.pp = 16, .dp = 128, .ep = 64, .schedule = PipelineSchedule::kDualPipe, .allow_uneven_stages = true,
               .sharding = DataSharding::kZero1, .recompute = Recompute::kSelective, .micro_batch = 1,
               .global_batch = 15360, .precision = podsim::engine::Precision::kFP8,
               .recompute_modules = {RecomputeModule::kMlaUpProj, RecomputeModule::kLayerNorm, RecomputeModule::kMoeAct},
               .fp8_activation_cache = true, .fp8_swiglu_input_store = true};
  const double layer = layer_activation_bytes(m, p, 3).value();
  CHECK(layer == Approx(149152.0 * 4096));
  // Stage 2 holds stages 2 and 13 of the two copies, 4 MoE layers each; DualPipe keeps
  // PP + 1 = 17 micro-batch chunks (DeepSeek-V3 Table 2) plus, in a backward, one layer's
  // recomputed Q, K, V (2 x 128 x 192 x 2 + 128 x 128 x 2 = 131,072), norm outputs (two
  // FP8 copies of the QKV input, the router's BF16 MLP input and the shared expert's FP8
  // copy: 5h = 35,840) and routed products (8 x 2048 = 16,384): 183,296 per token.
  const MemoryBreakdown s2 = memory_per_stage(m, p)[2];
  CHECK(s2.micro_batches_in_flight == 17);
  CHECK(s2.activations.value() == Approx(17 * 4 * layer + 183296.0 * 4096));
  const FitReport fit = check_fit(m, p, h100());  // 80 GB, as the H800
  CHECK(fit.fits);
}

TEST_CASE("FP8 activation caching needs 1-byte operands, distributed saved activations need full recompute and TP") {
  const ModelSpec m = *model_preset("gpt3-175b");
  Plan p{.tp = 8, .global_batch = 1, .fp8_activation_cache = true};
  auto fields = [&](const Plan& q) {
    std::string out;
    for (const FieldProblem& fp : check(m, q)) out += fp.field + ": " + fp.message + "\n";
    return out;
  };
  CHECK(fields(p).find("fp8_activation_cache: needs 1-byte GEMM operands") != std::string::npos);
  p.precision = podsim::engine::Precision::kFP8;
  CHECK(fields(p).empty());
  p.distribute_saved_activations = true;
  CHECK(fields(p).find("distribute_saved_activations: needs recompute: FULL") != std::string::npos);
  p.recompute = Recompute::kFull;
  CHECK(fields(p).empty());
  p.sequence_parallel = true;
  CHECK(fields(p).find("distribute_saved_activations: has nothing to split") != std::string::npos);
  p.sequence_parallel = false;
  p.tp = 1;
  CHECK(fields(p).find("distribute_saved_activations: needs tp >= 2") != std::string::npos);
}

TEST_CASE("distributed saved activations: 2 s b h / t per layer, and one TP all-gather of the input in backward") {
  // Korthikanti Table 2, full recompute without SP: 2 s b h; split over t ranks: 2 s b h / t.
  const ModelSpec m = *model_preset("gpt3-175b");
  const double s = 2048, h = 12288, t = 8;
  Plan p{.tp = 8, .recompute = Recompute::kFull, .global_batch = 1};
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(2 * s * h));
  p.distribute_saved_activations = true;
  CHECK(layer_activation_bytes(m, p, 0).value() == Approx(2 * s * h / t));
  int gathers = 0;
  for (const StageWork& st : plan_work(m, p))
    for (const ModelChunk& c : st.chunks)
      for (const OpBlock& b : c.blocks)
        for (const Comm& cm : b.comms)
          if (cm.kind == CommKind::kCheckpointAllGather) {
            CHECK(cm.phase == CommPhase::kBackward);
            CHECK(cm.group_size == 8);
            CHECK(cm.bytes.value() == Approx(2 * s * h));  // the whole input, gathered
            gathers += cm.count * b.repeat;
          }
  CHECK(gathers == m.layers);
}

TEST_CASE("the schedule's peak stops growing after a few pp micro-batches, so a step of 1e8 is walked as 4 pp") {
  // memory.cc walks at most 4 pp micro-batches of a schedule (walked_schedule). Below
  // that cap every walk is the full one: the peak of every stage must already be the
  // same at 2 pp, 3 pp and 4 pp micro-batches (the warm-up is over and the steady state
  // has repeated), and a step of 1e8 micro-batches, walked as 4 pp, gives it too (the
  // full walk would hold 1e8 schedule entries: gigabytes).
  auto check_stable = [](const ModelSpec& m, Plan p, int step) {
    std::vector<MemoryBreakdown> first;
    for (int k = 2 * p.pp; k <= 4 * p.pp; k += step) {
      p.global_batch = k * p.dp * p.micro_batch;
      const std::vector<MemoryBreakdown> s = memory_per_stage(m, p);
      if (first.empty()) first = s;
      for (size_t i = 0; i < s.size(); ++i) {
        CAPTURE(k);
        CAPTURE(i);
        CHECK(s[i].activations.value() == first[i].activations.value());
        CHECK(s[i].micro_batches_in_flight == first[i].micro_batches_in_flight);
      }
    }
    p.global_batch = 100'000'000 * p.dp * p.micro_batch;
    const std::vector<MemoryBreakdown> huge = memory_per_stage(m, p);
    for (size_t i = 0; i < huge.size(); ++i) {
      CAPTURE(i);
      CHECK(huge[i].activations.value() == first[i].activations.value());
      CHECK(huge[i].micro_batches_in_flight == first[i].micro_batches_in_flight);
    }
  };
  const ModelSpec gpt = *model_preset("gpt3-175b");
  SUBCASE("1F1B") {
    check_stable(gpt, Plan{.tp = 8, .pp = 8, .sequence_parallel = true, .recompute = Recompute::kSelective}, 1);
  }
  SUBCASE("interleaved, uneven chunks") {
    // DeepSeek-V3's 61 layers on PP4 v4: chunks of 3 and 4 layers, dense and MoE.
    check_stable(*model_preset("deepseek-v3"),
                 Plan{.pp = 4, .ep = 1, .schedule = PipelineSchedule::kInterleaved, .virtual_stages = 4,
                      .allow_uneven_stages = true, .recompute = Recompute::kSelective},
                 4);
  }
  SUBCASE("DualPipe") {
    check_stable(gpt, Plan{.tp = 8, .pp = 8, .sequence_parallel = true, .schedule = PipelineSchedule::kDualPipe,
                           .recompute = Recompute::kSelective},
                 2);
  }
}
