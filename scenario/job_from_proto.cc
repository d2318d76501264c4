#include "scenario/job_from_proto.h"

#include <fmt/format.h>

#include <climits>
#include <cmath>

#include "podsim/v1/workload.pb.h"
#include "workloads/memory.h"
#include "workloads/presets.h"

namespace podsim::scenario {
namespace {

namespace v1 = podsim::v1;
using namespace podsim::workloads;

// Records problems under one prefix ("jobs[2].model"), counting them in `added`.
class At {
 public:
  At(Problems& problems, int& added, std::string prefix) : problems_(problems), added_(added), prefix_(std::move(prefix)) {}
  void add(const std::string& field, const std::string& message) const {
    problems_.add(prefix_ + "." + field, message);
    ++added_;
  }
  At sub(const std::string& field) const { return At(problems_, added_, prefix_ + "." + field); }
  // A uint32 as int; values past INT_MAX are a problem (and become INT_MAX).
  int as_int(const std::string& field, uint32_t v) const {
    if (v <= INT_MAX) return static_cast<int>(v);
    add(field, fmt::format("{} is too large", v));
    return INT_MAX;
  }

 private:
  Problems& problems_;
  int& added_;
  std::string prefix_;
};

// Copies a proto3 `optional` uint32 field into an int when it is present. A macro so
// that the field is named once: has_x(), x() and the problem's path cannot drift apart.
#define PODSIM_COPY_INT(proto, spec, field, at) \
  if ((proto).has_##field()) (spec).field = (at).as_int(#field, (proto).field())
#define PODSIM_COPY(proto, spec, field) \
  if ((proto).has_##field()) (spec).field = (proto).field()

void apply(const v1::MoeConfig& m, MoeSpec& e, const At& at) {
  PODSIM_COPY_INT(m, e, experts, at);
  PODSIM_COPY_INT(m, e, top_k, at);
  PODSIM_COPY_INT(m, e, shared_experts, at);
  PODSIM_COPY_INT(m, e, expert_ffn, at);
  PODSIM_COPY_INT(m, e, dense_layers, at);
}

void apply(const v1::MlaConfig& m, MlaSpec& a, const At& at) {
  PODSIM_COPY_INT(m, a, q_lora_rank, at);
  PODSIM_COPY_INT(m, a, kv_lora_rank, at);
  PODSIM_COPY_INT(m, a, qk_nope_head_dim, at);
  PODSIM_COPY_INT(m, a, qk_rope_head_dim, at);
  PODSIM_COPY_INT(m, a, v_head_dim, at);
}

void apply(const v1::DitConfig& m, DitSpec& d, const At& at) {
  PODSIM_COPY_INT(m, d, latent_frames, at);
  PODSIM_COPY_INT(m, d, latent_height, at);
  PODSIM_COPY_INT(m, d, latent_width, at);
  PODSIM_COPY_INT(m, d, latent_channels, at);
  PODSIM_COPY_INT(m, d, patch_t, at);
  PODSIM_COPY_INT(m, d, patch_h, at);
  PODSIM_COPY_INT(m, d, patch_w, at);
  PODSIM_COPY_INT(m, d, text_tokens, at);
  PODSIM_COPY_INT(m, d, text_dim, at);
  PODSIM_COPY_INT(m, d, dual_stream_layers, at);
  PODSIM_COPY_INT(m, d, adaln_vectors, at);
  switch (m.conditioning()) {
    case v1::DitConfig::CROSS_ATTENTION: d.conditioning = TextConditioning::kCrossAttention; break;
    case v1::DitConfig::JOINT_ATTENTION: d.conditioning = TextConditioning::kJointAttention; break;
    default: break;
  }
  const bool any_pixel = m.has_frames() || m.has_height() || m.has_width();
  if (!any_pixel) return;
  if (m.has_latent_frames() || m.has_latent_height() || m.has_latent_width()) {
    at.add("frames", "give either the pixel video (frames, height, width) or the latent grid, not both");
    return;
  }
  PixelVideo v;
  if (!m.has_frames() || !m.has_height() || !m.has_width()) {
    at.add(m.has_frames() ? (m.has_height() ? "width" : "height") : "frames",
           "missing (the pixel video needs frames, height and width)");
    return;
  }
  v.frames = at.as_int("frames", m.frames());
  v.height = at.as_int("height", m.height());
  v.width = at.as_int("width", m.width());
  PODSIM_COPY_INT(m, v, temporal_compression, at);
  PODSIM_COPY_INT(m, v, spatial_compression, at);
  PODSIM_COPY(m, v, causal_vae);
  if (v.frames < 1 || v.height < 1 || v.width < 1 || v.temporal_compression < 1 || v.spatial_compression < 1) {
    at.add("frames", "the pixel video and compressions must be >= 1");
    return;
  }
  set_latent_from_pixels(d, v);
}

std::optional<ModelSpec> model_spec(const v1::Model& m, const std::string& job_name, const At& at) {
  ModelSpec spec;
  if (!m.preset().empty()) {
    auto p = model_preset(m.preset());
    if (!p) {
      at.add("preset", fmt::format("unknown preset '{}' (expected one of: {})", m.preset(),
                                   fmt::join(model_preset_names(), ", ")));
      return std::nullopt;
    }
    spec = *p;
  } else {
    spec.name = job_name;
  }
  PODSIM_COPY_INT(m, spec, layers, at);
  PODSIM_COPY_INT(m, spec, hidden, at);
  PODSIM_COPY_INT(m, spec, ffn, at);
  PODSIM_COPY_INT(m, spec, heads, at);
  PODSIM_COPY_INT(m, spec, kv_heads, at);
  PODSIM_COPY_INT(m, spec, head_dim, at);
  PODSIM_COPY_INT(m, spec, vocab, at);
  PODSIM_COPY_INT(m, spec, seq_len, at);
  PODSIM_COPY(m, spec, causal);
  PODSIM_COPY(m, spec, tied_embeddings);
  PODSIM_COPY(m, spec, learned_positions);
  PODSIM_COPY(m, spec, bias);
  PODSIM_COPY(m, spec, dropout);
  PODSIM_COPY_INT(m, spec, sliding_window, at);
  PODSIM_COPY_INT(m, spec, full_attention_every, at);
  PODSIM_COPY(m, spec, parallel_block);
  if (m.mlp() == v1::Model::GELU) spec.mlp = MlpKind::kGelu;
  if (m.mlp() == v1::Model::SWIGLU) spec.mlp = MlpKind::kSwiGlu;
  if (m.has_moe()) {
    if (!spec.moe) spec.moe = MoeSpec{};
    apply(m.moe(), *spec.moe, at.sub("moe"));
  }
  if (m.has_mla()) {
    if (!spec.mla) spec.mla = MlaSpec{};
    apply(m.mla(), *spec.mla, at.sub("mla"));
  }
  if (m.has_dit()) {
    if (!spec.dit) {
      spec.dit = DitSpec{};
      if (!m.has_causal()) spec.causal = false;  // video DiTs attend both ways
    }
    apply(m.dit(), *spec.dit, at.sub("dit"));
  }
  // A DiT's sequence is its latent grid, unless the user insists (and check() objects).
  if (spec.dit && !m.has_seq_len() && spec.dit->patch_t > 0 && spec.dit->patch_h > 0 && spec.dit->patch_w > 0)
    spec.seq_len = spec.dit->video_tokens();
  return spec;
}

void framework_spec(const v1::ParallelPlan& m, Plan& p, const At& at);

Plan plan_spec(const v1::ParallelPlan& m, const v1::Job& job, const At& at) {
  Plan p;
  PODSIM_COPY_INT(m, p, tp, at);
  PODSIM_COPY_INT(m, p, pp, at);
  PODSIM_COPY_INT(m, p, cp, at);
  PODSIM_COPY_INT(m, p, ep, at);
  PODSIM_COPY_INT(m, p, virtual_stages, at);
  PODSIM_COPY_INT(m, p, micro_batch, at);
  PODSIM_COPY(m, p, flash_attention);
  p.sequence_parallel = m.sequence_parallel();
  p.allow_uneven_stages = m.allow_uneven_stages();
  p.fp32_gradients = m.fp32_gradients();
  if (m.has_dp()) {
    p.dp = at.as_int("dp", m.dp());
  } else if (job.has_devices()) {
    const long long model_parallel = 1LL * std::max(p.tp, 1) * std::max(p.pp, 1) * std::max(p.cp, 1);
    if (job.devices() % model_parallel == 0) p.dp = static_cast<int>(job.devices() / model_parallel);
  }
  p.global_batch = m.has_global_batch() ? at.as_int("global_batch", m.global_batch()) : p.dp * p.micro_batch;
  switch (m.schedule()) {
    case v1::ParallelPlan::INTERLEAVED: p.schedule = PipelineSchedule::kInterleaved; break;
    default: p.schedule = PipelineSchedule::k1F1B; break;
  }
  switch (m.sharding()) {
    case v1::ParallelPlan::ZERO1: p.sharding = DataSharding::kZero1; break;
    case v1::ParallelPlan::ZERO2: p.sharding = DataSharding::kZero2; break;
    case v1::ParallelPlan::ZERO3: p.sharding = DataSharding::kZero3; break;
    case v1::ParallelPlan::FSDP: p.sharding = DataSharding::kFsdp; break;
    default: p.sharding = DataSharding::kNone; break;
  }
  switch (m.recompute()) {
    case v1::ParallelPlan::SELECTIVE: p.recompute = Recompute::kSelective; break;
    case v1::ParallelPlan::FULL: p.recompute = Recompute::kFull; break;
    default: p.recompute = Recompute::kNone; break;
  }
  switch (m.cp_algorithm()) {
    case v1::ParallelPlan::ULYSSES: p.cp_algorithm = CpAlgorithm::kUlysses; break;
    case v1::ParallelPlan::ALL_GATHER: p.cp_algorithm = CpAlgorithm::kAllGather; break;
    default: p.cp_algorithm = CpAlgorithm::kRing; break;
  }
  for (int k = 0; k < m.recompute_modules_size(); ++k) {
    switch (m.recompute_modules(k)) {
      case v1::ParallelPlan::CORE_ATTN: p.recompute_modules.push_back(RecomputeModule::kCoreAttention); break;
      case v1::ParallelPlan::MLA_UP_PROJ: p.recompute_modules.push_back(RecomputeModule::kMlaUpProj); break;
      case v1::ParallelPlan::LAYERNORM: p.recompute_modules.push_back(RecomputeModule::kLayerNorm); break;
      case v1::ParallelPlan::MLP: p.recompute_modules.push_back(RecomputeModule::kMlp); break;
      case v1::ParallelPlan::MOE_ACT: p.recompute_modules.push_back(RecomputeModule::kMoeAct); break;
      case v1::ParallelPlan::SHARED_EXPERTS: p.recompute_modules.push_back(RecomputeModule::kSharedExperts); break;
      default:
        at.add(fmt::format("recompute_modules[{}]", k), "must name a module (CORE_ATTN, MLA_UP_PROJ, LAYERNORM, MLP, MOE_ACT, SHARED_EXPERTS)");
        break;
    }
  }
  if (m.recompute_modules_size() > 0 && m.recompute() != v1::ParallelPlan::SELECTIVE)
    at.add("recompute_modules", "needs recompute: SELECTIVE");
  // FLASH_ATTENTION_2 with flash_attention false is check()'s; an explicit FUSED is too.
  if (m.attention_kernel() == v1::ParallelPlan::FUSED && !p.flash_attention)
    at.add("attention_kernel", "FUSED is a FlashAttention kernel, but flash_attention is false");
  framework_spec(m, p, at);
  return p;
}

// The framework's side of a plan, which the planner does not search but keeps: the
// attention kernel, CUDA graphs, the MoE host overhead and how activations are stored.
void framework_spec(const v1::ParallelPlan& m, Plan& p, const At& at) {
  p.fp8_activation_cache = m.fp8_activation_cache();
  p.distribute_saved_activations = m.distribute_saved_activations();
  if (m.attention_kernel() == v1::ParallelPlan::FLASH_ATTENTION_2) p.attention_kernel = AttentionKernel::kFlashAttention2;
  switch (m.cuda_graphs()) {
    case v1::ParallelPlan::STATIC_PARTS: p.cuda_graphs = CudaGraphs::kStaticParts; break;
    case v1::ParallelPlan::FULL_STEP: p.cuda_graphs = CudaGraphs::kFull; break;
    default: p.cuda_graphs = CudaGraphs::kNone; break;
  }
  if (m.has_moe_host_overhead_ms()) {
    const double ms = m.moe_host_overhead_ms();
    if (!std::isfinite(ms) || ms < 0 || ms > 1000)
      at.add("moe_host_overhead_ms", fmt::format("{} is out of range (expected 0 .. 1000 ms)", ms));
    else
      p.moe_host_overhead_s = ms * 1e-3;
  }
}

engine::Precision precision(v1::Job::Precision p) {
  switch (p) {
    case v1::Job::FP16: return engine::Precision::kFP16;
    case v1::Job::FP8: return engine::Precision::kFP8;
    case v1::Job::INT8: return engine::Precision::kINT8;
    case v1::Job::NVFP4: return engine::Precision::kFP4;
    default: return engine::Precision::kBF16;
  }
}

std::optional<TrainingBudget> budget(const v1::Job& job, const At& at) {
  switch (job.budget_case()) {
    case v1::Job::kTokens:
    case v1::Job::kSamples: {
      const bool tokens = job.budget_case() == v1::Job::kTokens;
      const double v = tokens ? job.tokens() : job.samples();
      if (!std::isfinite(v) || v <= 0 || v > 1e18) {
        at.add(tokens ? "tokens" : "samples", fmt::format("{} is out of range (expected (0, 1e18])", v));
        return std::nullopt;
      }
      return TrainingBudget{.unit = tokens ? TrainingBudget::Unit::kTokens : TrainingBudget::Unit::kSamples, .amount = v};
    }
    case v1::Job::kSteps:
      if (job.steps() == 0 || job.steps() > (1ULL << 50)) {
        at.add("steps", fmt::format("{} is out of range (expected 1 .. 2^50)", job.steps()));
        return std::nullopt;
      }
      return TrainingBudget{.unit = TrainingBudget::Unit::kSteps, .amount = double(job.steps())};
    case v1::Job::BUDGET_NOT_SET: break;
  }
  return TrainingBudget{};
}

}  // namespace

std::optional<TrainingJob> training_job(const ScenarioFile& file, int index, Problems& problems,
                                        const engine::DeviceSpec* device) {
  const v1::Job& job = file.scenario().jobs(index);
  int added = 0;
  const At at(problems, added, fmt::format("jobs[{}]", index));
  TrainingJob out{.name = job.name(), .arrival_s = job.arrival_s()};

  if (!job.has_model()) {
    at.add("model", "missing (expected a preset, e.g. model { preset: \"llama3-8b\" }, or a full description)");
    return std::nullopt;
  }
  const At model_at = at.sub("model");
  auto model = model_spec(job.model(), job.name(), model_at);
  if (!model) return std::nullopt;
  out.model = std::move(*model);
  const std::vector<FieldProblem> model_problems = check(out.model);
  for (const FieldProblem& p : model_problems) model_at.add(p.field, p.message);

  const At plan_at = at.sub("plan");
  if (job.plan().auto_plan()) {
    // The planner (workloads/planner.h) picks the plan once the system is known
    // (sim/study.h); until then the job is data parallel over its devices.
    if (!job.has_devices() || job.devices() == 0) {
      plan_at.add("auto_plan", "needs the job's `devices` (the planner searches how to cut them)");
      return std::nullopt;
    }
    framework_spec(job.plan(), out.plan, plan_at);
    if (!model_problems.empty()) return std::nullopt;
    out.devices = static_cast<int>(std::min<uint64_t>(job.devices(), INT_MAX));
    out.plan.dp = out.devices;
    out.plan.global_batch = job.plan().has_global_batch() ? plan_at.as_int("global_batch", job.plan().global_batch())
                                                          : out.devices;
    out.plan.precision = precision(job.precision());
    if (auto b = budget(job, at)) out.budget = *b;
    if (device) {
      if (auto p = precision_problem(out.plan.precision, *device)) at.add("precision", *p);
      else if (auto k = attention_kernel_problem(out.plan.attention_kernel, *device)) plan_at.add("attention_kernel", *k);
    }
    if (added > 0) return std::nullopt;
    return out;
  }
  out.plan = plan_spec(job.plan(), job, plan_at);
  out.plan.precision = precision(job.precision());
  if (!model_problems.empty()) return std::nullopt;  // plan checks assume a sound model

  for (const FieldProblem& p : check(out.model, out.plan)) plan_at.add(p.field, p.message);
  const long long product = 1LL * out.plan.tp * out.plan.pp * out.plan.cp * out.plan.dp;
  if (job.has_devices() && job.devices() != product)
    at.add("devices", fmt::format("{} differs from tp x pp x cp x dp = {} x {} x {} x {} = {}", job.devices(), out.plan.tp,
                                  out.plan.pp, out.plan.cp, out.plan.dp, product));
  out.devices = static_cast<int>(std::min<long long>(product, INT_MAX));
  if (auto b = budget(job, at)) out.budget = *b;

  if (device && added == 0) {
    if (auto p = precision_problem(out.plan.precision, *device)) at.add("precision", *p);
    else if (auto k = attention_kernel_problem(out.plan.attention_kernel, *device)) plan_at.add("attention_kernel", *k);
    else if (const FitReport fit = check_fit(out.model, out.plan, *device); !fit.fits) at.add("plan", fit.message);
  }
  if (added > 0) return std::nullopt;
  return out;
}

std::vector<TrainingJob> training_jobs(const ScenarioFile& file, const engine::DeviceSpec* device) {
  Problems problems(file);
  std::vector<TrainingJob> jobs;
  for (int i = 0; i < file.scenario().jobs_size(); ++i)
    if (auto job = training_job(file, i, problems, device)) jobs.push_back(std::move(*job));
  problems.throw_if_any();
  return jobs;
}

#undef PODSIM_COPY_INT
#undef PODSIM_COPY

}  // namespace podsim::scenario
