#include "scenario/job_from_proto.h"

#include <fmt/format.h>

#include <climits>
#include <cmath>

#include "engine/printable.h"
#include "podsim/v1/workload.pb.h"
#include "scenario/field_ranges.h"
#include "workloads/memory.h"
#include "workloads/presets.h"
#include "workloads/step_model.h"

namespace podsim::scenario {
namespace {

namespace v1 = podsim::v1;
using namespace podsim::workloads;

// Model.seq_len's upper bound (scenario/field_ranges.cc), for a DiT's computed one.
constexpr double kMaxTokensPerSample = 1e8;

// Records problems under one prefix ("jobs[2].model"), counting them in `added`.
class At {
 public:
  At(Problems& problems, int& added, std::string prefix) : problems_(problems), added_(added), prefix_(std::move(prefix)) {}
  void add(const std::string& field, const std::string& message) const {
    problems_.add(prefix_ + "." + field, message);
    ++added_;
  }
  At sub(const std::string& field) const { return At(problems_, added_, prefix_ + "." + field); }

 private:
  Problems& problems_;
  int& added_;
  std::string prefix_;
};

// Copies a proto3 `optional` uint32 field into an int when it is present (its range,
// scenario/field_ranges.cc, is far below INT_MAX). A macro so that the field is named
// once: has_x() and x() cannot drift apart.
#define PODSIM_COPY_INT(proto, spec, field) \
  if ((proto).has_##field()) (spec).field = static_cast<int>((proto).field())
#define PODSIM_COPY(proto, spec, field) \
  if ((proto).has_##field()) (spec).field = (proto).field()

void apply(const v1::MoeConfig& m, MoeSpec& e) {
  PODSIM_COPY_INT(m, e, experts);
  PODSIM_COPY_INT(m, e, top_k);
  PODSIM_COPY_INT(m, e, shared_experts);
  PODSIM_COPY_INT(m, e, expert_ffn);
  PODSIM_COPY_INT(m, e, dense_layers);
}

void apply(const v1::MlaConfig& m, MlaSpec& a) {
  PODSIM_COPY_INT(m, a, q_lora_rank);
  PODSIM_COPY_INT(m, a, kv_lora_rank);
  PODSIM_COPY_INT(m, a, qk_nope_head_dim);
  PODSIM_COPY_INT(m, a, qk_rope_head_dim);
  PODSIM_COPY_INT(m, a, v_head_dim);
}

void apply(const v1::DitConfig& m, DitSpec& d, const At& at) {
  PODSIM_COPY_INT(m, d, latent_frames);
  PODSIM_COPY_INT(m, d, latent_height);
  PODSIM_COPY_INT(m, d, latent_width);
  PODSIM_COPY_INT(m, d, latent_channels);
  PODSIM_COPY_INT(m, d, patch_t);
  PODSIM_COPY_INT(m, d, patch_h);
  PODSIM_COPY_INT(m, d, patch_w);
  PODSIM_COPY_INT(m, d, text_tokens);
  PODSIM_COPY_INT(m, d, text_dim);
  PODSIM_COPY_INT(m, d, dual_stream_layers);
  PODSIM_COPY_INT(m, d, adaln_vectors);
  switch (m.conditioning()) {
    case v1::DitConfig::CROSS_ATTENTION: d.conditioning = TextConditioning::kCrossAttention; break;
    case v1::DitConfig::JOINT_ATTENTION: d.conditioning = TextConditioning::kJointAttention; break;
    default: break;
  }
  if (m.kernels() == v1::DitConfig::DIFFUSERS_EAGER) d.kernels = DitKernels::kDiffusersEager;
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
  v.frames = static_cast<int>(m.frames());
  v.height = static_cast<int>(m.height());
  v.width = static_cast<int>(m.width());
  PODSIM_COPY_INT(m, v, temporal_compression);
  PODSIM_COPY_INT(m, v, spatial_compression);
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
      at.add("preset", fmt::format("unknown preset '{}' (expected one of: {})", printable(m.preset()),
                                   fmt::join(model_preset_names(), ", ")));
      return std::nullopt;
    }
    spec = *p;
  } else {
    spec.name = job_name;
  }
  PODSIM_COPY_INT(m, spec, layers);
  PODSIM_COPY_INT(m, spec, hidden);
  PODSIM_COPY_INT(m, spec, ffn);
  PODSIM_COPY_INT(m, spec, heads);
  PODSIM_COPY_INT(m, spec, kv_heads);
  PODSIM_COPY_INT(m, spec, head_dim);
  PODSIM_COPY_INT(m, spec, vocab);
  PODSIM_COPY_INT(m, spec, seq_len);
  PODSIM_COPY(m, spec, causal);
  PODSIM_COPY(m, spec, tied_embeddings);
  PODSIM_COPY(m, spec, learned_positions);
  PODSIM_COPY(m, spec, bias);
  PODSIM_COPY(m, spec, dropout);
  PODSIM_COPY_INT(m, spec, sliding_window);
  PODSIM_COPY_INT(m, spec, full_attention_every);
  PODSIM_COPY(m, spec, parallel_block);
  PODSIM_COPY(m, spec, sandwich_norm);
  if (m.mlp() == v1::Model::GELU) spec.mlp = MlpKind::kGelu;
  if (m.mlp() == v1::Model::SWIGLU) spec.mlp = MlpKind::kSwiGlu;
  if (m.has_moe()) {
    if (!spec.moe) spec.moe = MoeSpec{};
    apply(m.moe(), *spec.moe);
  }
  if (m.has_mla()) {
    if (!spec.mla) spec.mla = MlaSpec{};
    apply(m.mla(), *spec.mla);
  }
  if (m.has_dit()) {
    if (!spec.dit) {
      spec.dit = DitSpec{};
      if (!m.has_causal()) spec.causal = false;  // video DiTs attend both ways
    }
    apply(m.dit(), *spec.dit, at.sub("dit"));
  }
  // A DiT's sequence is its latent grid, unless the user insists (and check() objects).
  // Each side of the grid is in range, their product need not be: hold it to seq_len's.
  if (spec.dit && spec.dit->patch_t > 0 && spec.dit->patch_h > 0 && spec.dit->patch_w > 0) {
    const DitSpec& d = *spec.dit;
    const double tokens = std::floor(double(d.latent_frames) / d.patch_t) * std::floor(double(d.latent_height) / d.patch_h) *
                          std::floor(double(d.latent_width) / d.patch_w);
    if (tokens > kMaxTokensPerSample) {
      at.add("dit", fmt::format("expected at most 1e8 video tokens per sample (as seq_len), got {:.0f} ({} x {} x {} "
                                "latent frames x height x width over {} x {} x {} patches)",
                                tokens, d.latent_frames, d.latent_height, d.latent_width, d.patch_t,
                                d.patch_h, d.patch_w));
      return std::nullopt;
    }
    if (!m.has_seq_len()) spec.seq_len = d.video_tokens();
  }
  return spec;
}

void framework_spec(const v1::ParallelPlan& m, Plan& p);
void unfused_kernels(const v1::ParallelPlan& m, Plan& p, const At& at);

Plan plan_spec(const v1::ParallelPlan& m, const v1::Job& job, const At& at) {
  Plan p;
  PODSIM_COPY_INT(m, p, tp);
  PODSIM_COPY_INT(m, p, pp);
  PODSIM_COPY_INT(m, p, cp);
  PODSIM_COPY_INT(m, p, ep);
  PODSIM_COPY_INT(m, p, virtual_stages);
  PODSIM_COPY_INT(m, p, micro_batch);
  PODSIM_COPY(m, p, flash_attention);
  p.sequence_parallel = m.sequence_parallel();
  p.allow_uneven_stages = m.allow_uneven_stages();
  p.fp32_gradients = m.fp32_gradients();
  if (m.has_dp()) {
    p.dp = static_cast<int>(m.dp());
  } else if (job.has_devices()) {
    const long long model_parallel = 1LL * std::max(p.tp, 1) * std::max(p.pp, 1) * std::max(p.cp, 1);
    if (job.devices() % model_parallel == 0) p.dp = static_cast<int>(job.devices() / model_parallel);
  }
  p.global_batch = m.has_global_batch() ? static_cast<int>(m.global_batch())
                                         : static_cast<int>(std::min<int64_t>(INT_MAX, int64_t{p.dp} * p.micro_batch));
  switch (m.schedule()) {
    case v1::ParallelPlan::INTERLEAVED: p.schedule = PipelineSchedule::kInterleaved; break;
    case v1::ParallelPlan::DUALPIPE: p.schedule = PipelineSchedule::kDualPipe; break;
    default: p.schedule = PipelineSchedule::k1F1B; break;
  }
  switch (m.sharding()) {
    case v1::ParallelPlan::ZERO1: p.sharding = DataSharding::kZero1; break;
    case v1::ParallelPlan::ZERO2: p.sharding = DataSharding::kZero2; break;
    case v1::ParallelPlan::ZERO3: p.sharding = DataSharding::kZero3; break;
    case v1::ParallelPlan::FSDP: p.sharding = DataSharding::kFsdp; break;
    case v1::ParallelPlan::FSDP_SHARD_GRAD_OP: p.sharding = DataSharding::kFsdpShardGradOp; break;
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
  framework_spec(m, p);
  unfused_kernels(m, p, at);
  return p;
}

// The framework's side of a plan, which the planner does not search but keeps: the
// attention kernel, CUDA graphs, the MoE host overhead and how activations are stored.
void framework_spec(const v1::ParallelPlan& m, Plan& p) {
  if (m.has_fp8_activation_cache()) p.fp8_activation_cache = m.fp8_activation_cache();
  p.fp8_swiglu_input_store = m.fp8_swiglu_input_store();
  p.distribute_saved_activations = m.distribute_saved_activations();
  if (m.has_activation_offload()) p.activation_offload = m.activation_offload();  // range: field_ranges.cc
  if (m.attention_kernel() == v1::ParallelPlan::FLASH_ATTENTION_2) p.attention_kernel = AttentionKernel::kFlashAttention2;
  switch (m.cuda_graphs()) {
    case v1::ParallelPlan::STATIC_PARTS: p.cuda_graphs = CudaGraphs::kStaticParts; break;
    case v1::ParallelPlan::FULL_STEP: p.cuda_graphs = CudaGraphs::kFull; break;
    default: p.cuda_graphs = CudaGraphs::kNone; break;
  }
  if (m.has_moe_host_overhead_ms()) p.moe_host_overhead_s = m.moe_host_overhead_ms() * 1e-3;
  if (m.has_overlap_grad_reduce()) p.overlap_grad_reduce = m.overlap_grad_reduce();
  if (m.zero3_fetch() == v1::ParallelPlan::ZERO3_FETCH_PER_TENSOR_SYNC) p.zero3_fetch = Zero3Fetch::kPerTensorSync;
  switch (m.tp_overlap()) {
    case v1::ParallelPlan::TP_OVERLAP_NONE: p.tp_overlap = TpOverlap::kNone; break;
    case v1::ParallelPlan::TP_OVERLAP_USERBUFFERS: p.tp_overlap = TpOverlap::kUserbuffers; break;
    default: p.tp_overlap = TpOverlap::kBackward; break;
  }
  // In range (scenario/field_ranges.cc); whether the plan overlaps with userbuffers is check()'s.
  auto ub = [](const v1::UserbuffersGemm& g) {
    return UserbuffersGemm{.reserved_sms = static_cast<int>(g.reserved_sms()), .splits = static_cast<int>(g.splits())};
  };
  p.ub_proj_fprop = ub(m.ub_proj_fprop());
  p.ub_fc2_fprop = ub(m.ub_fc2_fprop());
  switch (m.fp8_recipe()) {
    case v1::ParallelPlan::TENSORWISE: p.fp8_recipe = Fp8Recipe::kTensorwise; break;
    case v1::ParallelPlan::BLOCKWISE: p.fp8_recipe = Fp8Recipe::kBlockwise; break;
    default: p.fp8_recipe = Fp8Recipe::kDelayed; break;
  }
  if (m.has_nvfp4_hadamard()) p.nvfp4_hadamard = m.nvfp4_hadamard();
}

// The kernels listed in unfused_kernels, each named at most once.
void unfused_kernels(const v1::ParallelPlan& m, Plan& p, const At& at) {
  for (int k = 0; k < m.unfused_kernels_size(); ++k) {
    bool* flag = nullptr;
    switch (m.unfused_kernels(k)) {
      case v1::ParallelPlan::RMSNORM: flag = &p.unfused_kernels.rmsnorm; break;
      case v1::ParallelPlan::SWIGLU: flag = &p.unfused_kernels.swiglu; break;
      case v1::ParallelPlan::ROPE: flag = &p.unfused_kernels.rope; break;
      default: break;
    }
    const std::string field = fmt::format("unfused_kernels[{}]", k);
    if (flag == nullptr) at.add(field, "must name a kernel (RMSNORM, SWIGLU, ROPE)");
    else if (*flag) at.add(field, fmt::format("{} is listed twice", v1::ParallelPlan::UnfusedKernel_Name(m.unfused_kernels(k))));
    else *flag = true;
  }
}

// Recipe fields set for another precision: an explicit DELAYED, which check() cannot
// tell from the default, and nvfp4_hadamard (the other recipes are check()'s).
void recipe_precision(const v1::ParallelPlan& m, const Plan& p, const At& at) {
  if (m.fp8_recipe() == v1::ParallelPlan::DELAYED)
    if (auto problem = fp8_recipe_precision_problem(p.fp8_recipe, p.precision)) at.add("fp8_recipe", *problem);
  if (m.has_nvfp4_hadamard() && p.precision != engine::Precision::kFP4)
    at.add("nvfp4_hadamard", fmt::format("is NVFP4's and needs precision NVFP4, got {}", engine::to_string(p.precision)));
}

engine::Precision precision(v1::Job::Precision p) {
  switch (p) {
    case v1::Job::FP16: return engine::Precision::kFP16;
    case v1::Job::FP8: return engine::Precision::kFP8;
    case v1::Job::INT8: return engine::Precision::kINT8;
    case v1::Job::NVFP4: return engine::Precision::kFP4;
    case v1::Job::MXFP8: return engine::Precision::kMXFP8;
    default: return engine::Precision::kBF16;
  }
}

// The budget's amount is in range (scenario/field_ranges.cc).
std::optional<TrainingBudget> budget(const v1::Job& job) {
  switch (job.budget_case()) {
    case v1::Job::kTokens: return TrainingBudget{.unit = TrainingBudget::Unit::kTokens, .amount = job.tokens()};
    case v1::Job::kSamples: return TrainingBudget{.unit = TrainingBudget::Unit::kSamples, .amount = job.samples()};
    case v1::Job::kSteps:
      return TrainingBudget{.unit = TrainingBudget::Unit::kSteps, .amount = double(job.steps())};
    case v1::Job::BUDGET_NOT_SET: break;
  }
  return TrainingBudget{};
}

}  // namespace

std::optional<TrainingJob> training_job(const ScenarioFile& file, int index, Problems& problems,
                                        const engine::DeviceSpec* device) {
  return training_job(file, file.scenario().jobs(index), fmt::format("jobs[{}]", index), problems, device);
}

std::optional<TrainingJob> training_job(const ScenarioFile& file, const v1::Job& job, const std::string& field,
                                        Problems& problems, const engine::DeviceSpec* device) {
  int added = 0;
  const At at(problems, added, field);
  TrainingJob out{.name = job.name(), .arrival_s = job.arrival_s()};
  // Every number in range first: the conversions and checks below assume it.
  if (check_field_ranges(file, job, field, problems) > 0) return std::nullopt;

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
    framework_spec(job.plan(), out.plan);
    unfused_kernels(job.plan(), out.plan, plan_at);
    // DualPipe asked for under auto_plan: the planner may choose it (PlanSearch::allow_dualpipe).
    if (job.plan().schedule() == v1::ParallelPlan::DUALPIPE) out.plan.schedule = PipelineSchedule::kDualPipe;
    if (!model_problems.empty()) return std::nullopt;
    out.devices = static_cast<int>(std::min<uint64_t>(job.devices(), INT_MAX));
    out.plan.dp = out.devices;
    out.plan.global_batch = job.plan().has_global_batch() ? static_cast<int>(job.plan().global_batch())
                                                          : out.devices;
    out.plan.precision = precision(job.precision());
    // The cut waits for the planner; the fields that do not depend on it are checked now.
    recipe_precision(job.plan(), out.plan, plan_at);
    for (const FieldProblem& p : check(out.model, out.plan))
      if (p.field == "fp8_recipe" || p.field == "unfused_kernels") plan_at.add(p.field, p.message);
    if (auto b = budget(job)) out.budget = *b;
    if (device) {
      if (auto p = precision_problem(out.plan.precision, *device)) at.add("precision", *p);
      else if (auto k = attention_kernel_problem(out.plan.attention_kernel, *device)) plan_at.add("attention_kernel", *k);
      else if (auto r = fp8_recipe_problem(out.plan, *device)) plan_at.add("fp8_recipe", *r);
      else if (auto o = offload_problem(out.plan, *device)) plan_at.add("activation_offload", o->substr(o->find(':') + 2));
    }
    if (added > 0) return std::nullopt;
    return out;
  }
  out.plan = plan_spec(job.plan(), job, plan_at);
  out.plan.precision = precision(job.precision());
  recipe_precision(job.plan(), out.plan, plan_at);
  if (!model_problems.empty()) return std::nullopt;  // plan checks assume a sound model

  for (const FieldProblem& p : check(out.model, out.plan)) plan_at.add(p.field, p.message);
  const long long product = 1LL * out.plan.tp * out.plan.pp * out.plan.cp * out.plan.dp;
  if (job.has_devices() && job.devices() != product)
    at.add("devices", fmt::format("{} differs from tp x pp x cp x dp = {} x {} x {} x {} = {}", job.devices(), out.plan.tp,
                                  out.plan.pp, out.plan.cp, out.plan.dp, product));
  out.devices = static_cast<int>(std::min<long long>(product, INT_MAX));
  if (auto b = budget(job)) out.budget = *b;

  if (device && added == 0) {
    if (auto p = precision_problem(out.plan.precision, *device)) at.add("precision", *p);
    else if (auto k = attention_kernel_problem(out.plan.attention_kernel, *device)) plan_at.add("attention_kernel", *k);
    else if (auto r = fp8_recipe_problem(out.plan, *device)) plan_at.add("fp8_recipe", *r);
    else if (auto o = offload_problem(out.plan, *device)) plan_at.add("activation_offload", o->substr(o->find(':') + 2));
    else if (auto u = userbuffers_problem(out.plan, *device)) plan_at.add(u->field, u->message);
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
