#include "scenario/job_from_proto.h"

#include <doctest/doctest.h>

#include <string>

#include "engine/error.h"
#include "tests/test_util.h"

using podsim::scenario::ScenarioFile;
using podsim::scenario::training_jobs;
using namespace podsim::workloads;

namespace {

using podsim::testing::error_of;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a preset job with its plan and budget") {
  // Llama 3 405B as published (Llama 3 §3.3.2, Table 4): 8,192 GPUs, TP8 PP16, DP
  // derived = 8192 / 128 = 64; 15e12 tokens / (2048 x 8192 per step) = 894,070 steps.
  const ScenarioFile f = ScenarioFile::parse("j.textproto", R"(
    jobs {
      name: "l405"
      model { preset: "llama3-405b" }
      plan { tp: 8 pp: 16 sequence_parallel: true allow_uneven_stages: true sharding: ZERO2 global_batch: 2048 }
      devices: 8192
      tokens: 15e12
    })");
  const auto jobs = training_jobs(f);
  REQUIRE(jobs.size() == 1);
  const TrainingJob& j = jobs[0];
  CHECK(j.name == "l405");
  CHECK(j.model.name == "llama3-405b");
  CHECK(j.model.layers == 126);
  CHECK(j.plan.dp == 64);
  CHECK(j.plan.sharding == DataSharding::kZero2);
  CHECK(j.plan.precision == podsim::engine::Precision::kBF16);
  CHECK(j.devices == 8192);
  CHECK(j.steps() == 894070);
}

TEST_CASE("a full description, and a preset with fields changed") {
  const ScenarioFile f = ScenarioFile::parse("j.textproto", R"(
    jobs {
      name: "tiny-moe"
      model {
        layers: 4 hidden: 512 ffn: 2048 heads: 8 kv_heads: 2 vocab: 32000 seq_len: 1024
        moe { experts: 16 top_k: 2 shared_experts: 1 expert_ffn: 256 dense_layers: 1 }
      }
      plan { dp: 4 ep: 4 global_batch: 16 }
      precision: FP8
      steps: 10
    }
    jobs {
      name: "wan-480p"
      model { preset: "wan2.1-14b" dit { frames: 81 height: 480 width: 832 } }
      plan { tp: 2 sequence_parallel: true cp: 4 recompute: FULL }
    })");
  const auto jobs = training_jobs(f);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].model.name == "tiny-moe");
  REQUIRE(jobs[0].model.moe.has_value());
  CHECK(jobs[0].model.moe->experts == 16);
  CHECK(jobs[0].model.mlp == MlpKind::kSwiGlu);
  CHECK(jobs[0].plan.precision == podsim::engine::Precision::kFP8);
  CHECK(jobs[0].steps() == 10);
  // 480 x 832 x 81 frames: 21 latent frames x 60 x 104 -> 21 x 30 x 52 = 32,760 tokens.
  CHECK(jobs[1].model.seq_len == 32760);
  CHECK(jobs[1].plan.recompute == Recompute::kFull);
  CHECK(jobs[1].plan.global_batch == 1);
  CHECK(jobs[1].devices == 8);
}

TEST_CASE("problems name the file position and the field") {
  const ScenarioFile f = ScenarioFile::parse("bad.textproto",
                                             "jobs {\n"
                                             "  name: \"a\"\n"
                                             "  model { preset: \"gpt3-175b\" hidden: 0 }\n"
                                             "}\n"
                                             "jobs {\n"
                                             "  name: \"b\"\n"
                                             "  model { preset: \"gpt3-175b\" }\n"
                                             "  plan { tp: 5 pp: 2 }\n"
                                             "  devices: 64\n"
                                             "}\n"
                                             "jobs { name: \"c\" model { preset: \"gpt-5\" } }\n"
                                             "jobs { name: \"d\" model { preset: \"llama3-8b\" } plan { auto_plan: true } }\n");
  const std::string err = error_of([&] { training_jobs(f); });
  CAPTURE(err);
  CHECK(contains(err, "bad.textproto:3:31: jobs[0].model.hidden: expected in [1, 1e6], got 0"));
  CHECK(contains(err, "bad.textproto:8:10: jobs[1].plan.tp: 5 does not divide the 96 heads of model gpt3-175b"));
  CHECK(contains(err, "jobs[1].devices: 64 differs from tp x pp x cp x dp = 5 x 2 x 1 x 1 = 10"));
  CHECK(contains(err, "jobs[2].model.preset: unknown preset 'gpt-5' (expected one of: gpt3-175b, llama3-8b"));
  CHECK(contains(err, "jobs[3].plan.auto_plan: needs the job's `devices`"));
}

TEST_CASE("with a device: FP8 on Ascend and a plan that does not fit are rejected with the numbers") {
  using podsim::engine::Bytes;
  using podsim::engine::FlopRate;
  // hardware.md §1.1: Ascend 910C, no FP8, 128 GB.
  const podsim::engine::DeviceSpec npu{.name = "Ascend 910C", .peak_bf16 = FlopRate::tera(752),
                                       .peak_fp16 = FlopRate::tera(752), .peak_int8 = FlopRate::tera(1504),
                                       .hbm_capacity = Bytes::giga(128)};
  const ScenarioFile f = ScenarioFile::parse("d.textproto", R"(
    jobs { name: "fp8" model { preset: "llama3-8b" } precision: FP8 }
    jobs { name: "big" model { preset: "llama3-70b" } plan { tp: 8 } }
    jobs { name: "ok" model { preset: "llama3-8b" } plan { tp: 4 } precision: INT8 })");
  const std::string err = error_of([&] { training_jobs(f, &npu); });
  CHECK(contains(err, "jobs[0].precision: precision FP8: device Ascend 910C has no FP8 units (hardware.md §1.1, "
                      "[S1] §3.3.1); use BF16 or INT8"));
  // 70.6 B / 8 x 16 bytes = 141 GB of model states per device > 128 GB.
  CHECK(contains(err, "jobs[1].plan: plan needs"));
  CHECK(contains(err, "device Ascend 910C has 128.0 GB"));
  CHECK_FALSE(contains(err, "jobs[2]"));
}

TEST_CASE("recompute_modules: Megatron-Core's module list, only with SELECTIVE") {
  const ScenarioFile ok = ScenarioFile::parse("r.textproto", R"(
    jobs {
      name: "dsv3"
      model { preset: "deepseek-v3" }
      plan { pp: 4 dp: 64 ep: 64 allow_uneven_stages: true recompute: SELECTIVE recompute_modules: [MLA_UP_PROJ, MOE_ACT] global_batch: 64 }
    })");
  const auto jobs = training_jobs(ok);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].plan.recompute_modules ==
        std::vector<RecomputeModule>{RecomputeModule::kMlaUpProj, RecomputeModule::kMoeAct});
  const ScenarioFile bad = ScenarioFile::parse("r.textproto",
                                               "jobs {\n"
                                               "  name: \"a\"\n"
                                               "  model { preset: \"llama3-8b\" }\n"
                                               "  plan { recompute: FULL recompute_modules: [LAYERNORM] }\n"
                                               "}\n");
  const std::string err = error_of([&] { training_jobs(bad); });
  CAPTURE(err);
  CHECK(contains(err, "jobs[0].plan.recompute_modules: needs recompute: SELECTIVE"));
}

TEST_CASE("attention_kernel: FLASH_ATTENTION_2 parsed, contradictions and unknown devices rejected") {
  const ScenarioFile ok = ScenarioFile::parse("k.textproto", R"(
    jobs { name: "fa2" model { preset: "llama3-8b" } plan { dp: 8 attention_kernel: FLASH_ATTENTION_2 } }
    jobs { name: "fused" model { preset: "llama3-8b" } plan { dp: 8 attention_kernel: FUSED } }
    jobs { name: "default" model { preset: "llama3-8b" } plan { dp: 8 } })");
  const auto jobs = training_jobs(ok);
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].plan.attention_kernel == AttentionKernel::kFlashAttention2);
  CHECK(jobs[1].plan.attention_kernel == AttentionKernel::kFused);
  CHECK(jobs[2].plan.attention_kernel == AttentionKernel::kFused);

  // Both FlashAttention kernels contradict flash_attention: false.
  const ScenarioFile bad = ScenarioFile::parse("k.textproto", R"(
    jobs { name: "a" model { preset: "llama3-8b" } plan { dp: 8 flash_attention: false attention_kernel: FLASH_ATTENTION_2 } }
    jobs { name: "b" model { preset: "llama3-8b" } plan { dp: 8 flash_attention: false attention_kernel: FUSED } }
    jobs { name: "c" model { preset: "llama3-8b" } plan { dp: 8 flash_attention: false } })");
  const std::string err = error_of([&] { training_jobs(bad); });
  CHECK(contains(err, "jobs[0].plan.attention_kernel: FLASH_ATTENTION_2 is a FlashAttention kernel, but "
                      "flash_attention is false"));
  CHECK(contains(err, "jobs[1].plan.attention_kernel: FUSED is a FlashAttention kernel, but flash_attention is false"));
  CHECK_FALSE(contains(err, "jobs[2]"));

  using podsim::engine::FlopRate;
  const podsim::engine::DeviceSpec b200{.name = "B200", .peak_bf16 = FlopRate::tera(2250),
                                        .peak_fp16 = FlopRate::tera(2250), .peak_fp8 = FlopRate::tera(4500),
                                        .hbm_capacity = podsim::engine::Bytes::giga(180)};
  const std::string on_b200 = error_of([&] { training_jobs(ok, &b200); });
  CHECK(contains(on_b200, "jobs[0].plan.attention_kernel: attention_kernel FLASH_ATTENTION_2: no published "
                          "FlashAttention-2 efficiency for device B200; use FUSED"));
  CHECK_FALSE(contains(on_b200, "jobs[1]"));
}

TEST_CASE("framework fields (attention kernel, CUDA graphs, MoE host overhead) are kept under auto_plan") {
  // The planner searches the cut, not the framework: an auto-planned job keeps them.
  const ScenarioFile f = ScenarioFile::parse("fw.textproto", R"(
    jobs { name: "a" model { preset: "deepseek-v3" } devices: 64
           plan { auto_plan: true cuda_graphs: STATIC_PARTS attention_kernel: FLASH_ATTENTION_2 } }
    jobs { name: "b" model { preset: "deepseek-v3" } devices: 64 plan { auto_plan: true moe_host_overhead_ms: 2.5 } }
    jobs { name: "c" model { preset: "deepseek-v3" }
           plan { tp: 1 pp: 4 dp: 16 ep: 16 allow_uneven_stages: true cuda_graphs: FULL_STEP } })");
  const std::vector<TrainingJob> jobs = training_jobs(f);
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].plan.cuda_graphs == CudaGraphs::kStaticParts);
  CHECK(jobs[0].plan.attention_kernel == AttentionKernel::kFlashAttention2);
  CHECK_FALSE(jobs[0].plan.moe_host_overhead_s);
  CHECK(jobs[1].plan.cuda_graphs == CudaGraphs::kNone);
  REQUIRE(jobs[1].plan.moe_host_overhead_s);
  CHECK(*jobs[1].plan.moe_host_overhead_s == doctest::Approx(2.5e-3));
  CHECK(jobs[2].plan.cuda_graphs == CudaGraphs::kFull);
  // Out of range, named with its line.
  const ScenarioFile bad = ScenarioFile::parse("fw.textproto", R"(
    jobs { name: "a" model { preset: "deepseek-v3" } devices: 64
           plan { auto_plan: true moe_host_overhead_ms: 1e9 } })");
  CHECK(contains(error_of([&] { training_jobs(bad); }),
                 "fw.textproto:3:35: jobs[0].plan.moe_host_overhead_ms: expected ms in [0, 1e3], got 1e9"));
}

TEST_CASE("activation storage fields are read, kept under auto_plan, and checked with their place") {
  const ScenarioFile f = ScenarioFile::parse("act.textproto", R"(
    jobs { name: "a" model { preset: "llama3-70b" } devices: 64 precision: FP8
           plan { auto_plan: true fp8_activation_cache: true fp8_swiglu_input_store: true } }
    jobs { name: "b" model { preset: "gpt3-175b" }
           plan { tp: 8 dp: 1 recompute: FULL distribute_saved_activations: true } })");
  const std::vector<TrainingJob> jobs = training_jobs(f);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].plan.fp8_activation_cache == true);
  CHECK(jobs[0].plan.fp8_swiglu_input_store);
  CHECK(!jobs[1].plan.fp8_swiglu_input_store);
  CHECK(!jobs[1].plan.fp8_activation_cache.has_value());  // unset: the library default
  const ScenarioFile off = ScenarioFile::parse("act.textproto", R"(
    jobs { name: "a" model { preset: "llama3-70b" } devices: 64 precision: FP8
           plan { tp: 8 dp: 8 fp8_activation_cache: false } })");
  CHECK(training_jobs(off)[0].plan.fp8_activation_cache == false);
  CHECK(jobs[1].plan.distribute_saved_activations);
  const ScenarioFile bad = ScenarioFile::parse("act.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" }
           plan { tp: 8 dp: 1 fp8_activation_cache: true } })");
  CHECK(contains(error_of([&] { training_jobs(bad); }),
                 "jobs[0].plan.fp8_activation_cache: needs 1-byte GEMM operands (precision FP8, MXFP8, INT8 or NVFP4), got BF16"));
  const ScenarioFile gelu = ScenarioFile::parse("act.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" }
           plan { tp: 8 dp: 1 fp8_swiglu_input_store: true } })");
  CHECK(contains(error_of([&] { training_jobs(gelu); }),
                 "jobs[0].plan.fp8_swiglu_input_store: needs a SwiGLU MLP (model gpt3-175b has a gelu MLP)"));
}

// DeepSpeed's fetch behaviour under ZeRO-3 (workloads/parallel_plan.h Zero3Fetch): read,
// default kPrefetch, and refused with its place on any other sharding.
TEST_CASE("zero3_fetch is read, defaults to prefetch, and needs sharding ZERO3") {
  const ScenarioFile f = ScenarioFile::parse("z.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" }
           plan { tp: 8 dp: 2 sharding: ZERO3 zero3_fetch: ZERO3_FETCH_PER_TENSOR_SYNC } }
    jobs { name: "b" model { preset: "gpt3-175b" } plan { tp: 8 dp: 2 sharding: ZERO3 } })");
  const std::vector<TrainingJob> jobs = training_jobs(f);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].plan.zero3_fetch == Zero3Fetch::kPerTensorSync);
  CHECK(jobs[1].plan.zero3_fetch == Zero3Fetch::kPrefetch);
  const ScenarioFile fsdp = ScenarioFile::parse("z.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" }
           plan { tp: 8 dp: 2 sharding: FSDP zero3_fetch: ZERO3_FETCH_PER_TENSOR_SYNC } })");
  const std::string e = error_of([&] { training_jobs(fsdp); });
  CHECK(contains(e, "z.textproto:"));
  CHECK(contains(e, "jobs[0].plan.zero3_fetch: ZERO3_FETCH_PER_TENSOR_SYNC is DeepSpeed ZeRO-3's and needs sharding ZERO3, got fsdp"));
  CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("schedule DUALPIPE is read, and a micro-batch count it cannot run is refused in one line") {
  const ScenarioFile f = ScenarioFile::parse("dual.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" }
           plan { pp: 8 dp: 2 schedule: DUALPIPE sharding: ZERO1 global_batch: 32 } })");
  const std::vector<TrainingJob> jobs = training_jobs(f);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].plan.schedule == PipelineSchedule::kDualPipe);
  // Under auto_plan it is kept for the planner, which may then choose DualPipe.
  const ScenarioFile automatic = ScenarioFile::parse("dual.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } devices: 64 plan { auto_plan: true schedule: DUALPIPE } })");
  CHECK(training_jobs(automatic).at(0).plan.schedule == PipelineSchedule::kDualPipe);
  const ScenarioFile bad = ScenarioFile::parse("dual.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" }
           plan { pp: 8 dp: 2 schedule: DUALPIPE global_batch: 30 } })");
  CHECK(contains(error_of([&] { training_jobs(bad); }),
                 "jobs[0].plan.global_batch: gives 15 micro-batches per DP rank; DUALPIPE needs an even number of at "
                 "least 2 x pp = 16"));
}

TEST_CASE("activation_offload is read, and a device without a host link refuses it naming the field") {
  const ScenarioFile f = ScenarioFile::parse("off.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } plan { tp: 8 dp: 1 activation_offload: 0.5 } })");
  CHECK(training_jobs(f).at(0).plan.activation_offload == 0.5);
  const podsim::engine::DeviceSpec no_link{.name = "B200", .peak_bf16 = podsim::engine::FlopRate::tera(2250),
                                           .peak_fp16 = podsim::engine::FlopRate::tera(2250),
                                           .hbm_capacity = podsim::engine::Bytes::giga(180)};
  CHECK(contains(error_of([&] { training_jobs(f, &no_link); }),
                 "jobs[0].plan.activation_offload: device B200 has no host-link bandwidth in podsim's catalog"));
  const ScenarioFile bad = ScenarioFile::parse("off.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } plan { tp: 8 dp: 1 activation_offload: 1.5 } })");
  CHECK(contains(error_of([&] { training_jobs(bad); }), "activation_offload"));
}

TEST_CASE("precision MXFP8 is read, and refused on Hopper naming the field") {
  const ScenarioFile f = ScenarioFile::parse("mx.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } precision: MXFP8 plan { tp: 8 dp: 1 } })");
  CHECK(training_jobs(f).at(0).plan.precision == podsim::engine::Precision::kMXFP8);
  const podsim::engine::DeviceSpec h100{.name = "H100 SXM5", .peak_bf16 = podsim::engine::FlopRate::tera(989.5),
                                        .peak_fp16 = podsim::engine::FlopRate::tera(989.5),
                                        .peak_fp8 = podsim::engine::FlopRate::tera(1979),
                                        .hbm_capacity = podsim::engine::Bytes::giga(80)};
  CHECK(contains(error_of([&] { training_jobs(f, &h100); }),
                 "jobs[0].precision: precision MXFP8: device H100 SXM5 has no MXFP8 units"));
}

TEST_CASE("fp8_recipe and nvfp4_hadamard are read, default to delayed and on, and need their precision") {
  const ScenarioFile f = ScenarioFile::parse("r.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } precision: FP8 plan { tp: 8 dp: 1 fp8_recipe: TENSORWISE } }
    jobs { name: "b" model { preset: "gpt3-175b" } precision: FP8 plan { tp: 8 dp: 1 fp8_recipe: BLOCKWISE } }
    jobs { name: "c" model { preset: "gpt3-175b" } precision: FP8 plan { tp: 8 dp: 1 } }
    jobs { name: "d" model { preset: "gpt3-175b" } precision: NVFP4 plan { tp: 8 dp: 1 nvfp4_hadamard: false } }
    jobs { name: "e" model { preset: "gpt3-175b" } precision: NVFP4 plan { tp: 8 dp: 1 } })");
  const std::vector<TrainingJob> jobs = training_jobs(f);
  REQUIRE(jobs.size() == 5);
  CHECK(jobs[0].plan.fp8_recipe == Fp8Recipe::kTensorwise);
  CHECK(jobs[0].plan.shard().fp8_recipe == Fp8Recipe::kTensorwise);
  CHECK(jobs[1].plan.fp8_recipe == Fp8Recipe::kBlockwise);
  CHECK(jobs[2].plan.fp8_recipe == Fp8Recipe::kDelayed);
  CHECK_FALSE(jobs[3].plan.nvfp4_hadamard);
  CHECK_FALSE(jobs[3].plan.shard().nvfp4_hadamard);
  CHECK(jobs[4].plan.nvfp4_hadamard);  // TE's NVFP4BlockScaling default
  // A recipe for another precision: one line, file:line:col and the field.
  const ScenarioFile bf16 = ScenarioFile::parse("r.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } plan { tp: 8 dp: 1 fp8_recipe: TENSORWISE } })");
  const std::string e = error_of([&] { training_jobs(bf16); });
  CHECK(contains(e, "r.textproto:2:"));
  CHECK(contains(e, "jobs[0].plan.fp8_recipe: tensorwise scales FP8 tensors and needs precision FP8, got BF16"));
  CHECK(e.find('\n') == std::string::npos);
  const ScenarioFile delayed = ScenarioFile::parse("r.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } precision: MXFP8 plan { tp: 8 dp: 1 fp8_recipe: DELAYED } })");
  CHECK(contains(error_of([&] { training_jobs(delayed); }),
                 "jobs[0].plan.fp8_recipe: delayed scales FP8 tensors and needs precision FP8, got MXFP8"));
  const ScenarioFile rht = ScenarioFile::parse("r.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } precision: FP8 plan { tp: 8 dp: 1 nvfp4_hadamard: true } })");
  CHECK(contains(error_of([&] { training_jobs(rht); }),
                 "jobs[0].plan.nvfp4_hadamard: is NVFP4's and needs precision NVFP4, got FP8"));
  // An unknown recipe name: the parser's one line, with the names it takes.
  const std::string u = error_of([&] {
    ScenarioFile::parse("r.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } precision: FP8 plan { fp8_recipe: CURRENT } })");
  });
  CHECK(contains(u, "r.textproto:2:"));
  CHECK(contains(u, "'CURRENT' is not a Fp8Recipe"));
  CHECK(contains(u, "TENSORWISE"));
  // Blockwise scaling on Blackwell: TE 2.8 runs Float8BlockScaling on Hopper only.
  podsim::engine::DeviceSpec gb200{.name = "B200 (GB200)", .peak_bf16 = podsim::engine::FlopRate::tera(2500),
                                   .peak_fp16 = podsim::engine::FlopRate::tera(2500),
                                   .peak_fp8 = podsim::engine::FlopRate::tera(5000),
                                   .hbm_capacity = podsim::engine::Bytes::giga(186)};
  gb200.mxfp8 = true;
  const ScenarioFile block = ScenarioFile::parse("r.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } precision: FP8 plan { tp: 8 dp: 1 fp8_recipe: BLOCKWISE } })");
  CHECK(contains(error_of([&] { training_jobs(block, &gb200); }),
                 "jobs[0].plan.fp8_recipe: blockwise FP8 scaling runs on Hopper only"));
}

TEST_CASE("unfused_kernels is read, defaults to all fused, and names a bad entry by its index") {
  const ScenarioFile f = ScenarioFile::parse("u.textproto", R"(
    jobs { name: "a" model { preset: "llama3-8b" } plan { dp: 8 unfused_kernels: [RMSNORM, SWIGLU, ROPE] } }
    jobs { name: "b" model { preset: "llama3-8b" } plan { dp: 8 unfused_kernels: [SWIGLU] } }
    jobs { name: "c" model { preset: "llama3-8b" } plan { dp: 8 } })");
  const std::vector<TrainingJob> jobs = training_jobs(f);
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].plan.unfused_kernels == UnfusedKernels{.rmsnorm = true, .swiglu = true, .rope = true});
  CHECK(jobs[0].plan.shard().unfused.rope);
  CHECK(jobs[1].plan.unfused_kernels == UnfusedKernels{.swiglu = true});
  CHECK_FALSE(jobs[2].plan.unfused_kernels.any());
  // Twice, unspecified, or a kernel the model does not have: one line, file:line:col and the field.
  const std::string twice = error_of([&] {
    training_jobs(ScenarioFile::parse("u.textproto", R"(
    jobs { name: "a" model { preset: "llama3-8b" } plan { dp: 8 unfused_kernels: [ROPE, ROPE] } })"));
  });
  CHECK(contains(twice, "u.textproto:2:"));
  CHECK(contains(twice, "jobs[0].plan.unfused_kernels[1]: ROPE is listed twice"));
  CHECK(twice.find('\n') == std::string::npos);
  CHECK(contains(error_of([&] {
                   training_jobs(ScenarioFile::parse("u.textproto", R"(
    jobs { name: "a" model { preset: "llama3-8b" } plan { dp: 8 unfused_kernels: [UNFUSED_KERNEL_UNSPECIFIED] } })"));
                 }),
                 "jobs[0].plan.unfused_kernels[0]: must name a kernel (RMSNORM, SWIGLU, ROPE)"));
  CHECK(contains(error_of([&] {
                   training_jobs(ScenarioFile::parse("u.textproto", R"(
    jobs { name: "a" model { preset: "gpt3-175b" } plan { tp: 8 dp: 1 unfused_kernels: [ROPE] } })"));
                 }),
                 "jobs[0].plan.unfused_kernels: ROPE: model gpt3-175b has learned positions, not a rotary embedding"));
}
