#include "workloads/planner.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>

#include "engine/error.h"
#include "workloads/placement.h"

namespace podsim::workloads {

std::string describe(const Plan& p) {
  std::string s = fmt::format("TP{} PP{}", p.tp, p.pp);
  if (p.virtual_stages > 1) s += fmt::format(" v{}", p.virtual_stages);
  if (p.schedule == PipelineSchedule::kDualPipe) s += " DualPipe";
  s += fmt::format(" DP{}", p.dp);
  if (p.cp > 1) s += fmt::format(" CP{}", p.cp);
  if (p.ep > 1) s += fmt::format(" EP{}", p.ep);
  if (p.sequence_parallel) s += " +SP";
  s += fmt::format(", {}", p.sharding == DataSharding::kNone ? "DDP" : to_string(p.sharding));
  if (p.recompute != Recompute::kNone) s += fmt::format(", {} recompute", to_string(p.recompute));
  if (p.recompute == Recompute::kSelective && !p.recompute_modules.empty()) {
    std::vector<std::string> names;
    for (RecomputeModule r : p.recompute_modules) names.push_back(to_string(r));
    s += fmt::format(" ({})", fmt::join(names, ", "));
  }
  s += fmt::format(", mbs {}", p.micro_batch);
  if (p.attention_kernel != AttentionKernel::kFused) s += fmt::format(", {} attention", to_string(p.attention_kernel));
  if (p.cuda_graphs != CudaGraphs::kNone) s += fmt::format(", CUDA graphs {}", to_string(p.cuda_graphs));
  if (p.tp > 1 && p.tp_overlap != TpOverlap::kBackward) s += fmt::format(", TP overlap {}", to_string(p.tp_overlap));
  if (!p.overlap_grad_reduce) s += ", grads reduced after backward";
  if (p.precision == engine::Precision::kFP8 && p.fp8_recipe != Fp8Recipe::kDelayed)
    s += fmt::format(", FP8 {} scaling", to_string(p.fp8_recipe));
  if (p.precision == engine::Precision::kFP4 && !p.nvfp4_hadamard) s += ", NVFP4 without Hadamard";
  if (p.unfused_kernels.any()) s += fmt::format(", unfused {}", to_string(p.unfused_kernels));
  // Only what the user set: the library default is not news.
  if (p.fp8_activation_cache == true) s += ", FP8 activation cache";
  if (p.fp8_activation_cache == false && p.operand_bytes() == 1) s += ", BF16 linear inputs kept";
  if (p.fp8_swiglu_input_store) s += ", FP8 SwiGLU input";
  if (p.distribute_saved_activations) s += ", distributed saved activations";
  if (p.activation_offload > 0) s += fmt::format(", {:g} of layers offloaded", p.activation_offload);
  return s;
}

namespace {

std::vector<int> powers_of_two_upto(int n) {
  std::vector<int> v;
  for (long long x = 1; x <= n; x *= 2) v.push_back(static_cast<int>(x));  // 2^30 doubled would overflow an int
  return v;
}

std::vector<int> divisors(int n, int cap) {
  std::vector<int> v;
  for (int d = 1; d <= std::min(n, cap); ++d)
    if (n % d == 0) v.push_back(d);
  return v;
}

// The breakdown line that differs most between two results, for the explanation.
std::string biggest_difference(const StepResult& a, const StepResult& b) {
  struct Part {
    std::string name;
    double a, b;
  };
  std::vector<Part> parts = {{"compute", a.compute_s, b.compute_s}, {"pipeline bubble", a.bubble_s, b.bubble_s}};
  for (size_t k = 0; k < kCommClasses; ++k)
    parts.push_back({fmt::format("exposed {} comm", to_string(static_cast<CommClass>(k))), a.exposed_s[k], b.exposed_s[k]});
  const Part* best = &parts[0];
  for (const Part& p : parts)
    if (p.b - p.a > best->b - best->a) best = &p;
  return fmt::format("{} {:.3f} s vs {:.3f} s", best->name, best->a, best->b);
}

// More devices are not always faster: a global batch split too thin (one or two
// micro-batches per pipeline, tiny per-device shards) leaves the pipeline idle and the
// step waiting on communication. When the best plan spends less than half its step
// computing, the same search on half the devices says whether this many are worth it; if
// they are not (no faster, or under 10% faster for twice the devices), the reader is told
// rather than left to read the plan as a good use of them.
std::string fewer_devices_note(const ModelSpec& m, const PlanSearch& q, const engine::DeviceSpec& device,
                               const engine::Fabric& fabric, const PlannedStep& best) {
  if (!q.compare_fewer_devices || q.devices < 2 || q.devices % 2 != 0) return "";
  if (best.result.compute_s >= 0.5 * best.result.step_s) return "";
  PlanSearch half = q;
  half.devices = q.devices / 2;
  half.top = 1;
  half.compare_fewer_devices = false;
  half.progress = nullptr;
  PlanReport fewer;
  try {
    fewer = plan_search(m, half, device, fabric);
  } catch (const UserError&) {
    return "";  // nothing fits on half: these devices are needed for memory
  }
  // Twice the devices should come close to halving the step; under 10% faster, the
  // extra devices are mostly idle.
  const PlannedStep& f = fewer.best.front();
  const double gain = f.result.step_s / best.result.step_s - 1;
  if (gain >= 0.10) return "";
  const Plan& p = best.plan;
  const std::string verdict = gain <= 0 ? fmt::format("{} devices are no faster than {}", q.devices, half.devices)
                                        : fmt::format("{} devices are only {:.1f}% faster than {}", q.devices,
                                                      100 * gain, half.devices);
  return fmt::format(
      "Note: {} for this batch: there the best plan, {}, steps in {:.3f} s ({:.3f} s here). The global batch of {} "
      "samples gives each of the DP{} replicas {} micro-batch{} of {} for {} pipeline stage{}, so {:.0f}% of the step "
      "is bubble and exposed communication; use fewer devices or a larger global batch.",
      verdict, describe(f.plan), f.result.step_s, best.result.step_s, q.global_batch, p.dp, p.micro_batches(),
      p.micro_batches() == 1 ? "" : "es", p.micro_batch, p.pp, p.pp == 1 ? "" : "s",
      100 * (1 - best.result.compute_s / best.result.step_s));
}

// Times every candidate's step, `q.threads` at once. Each candidate is simulated alone
// on its own Simulator, so the results are those of one thread; the first exception in
// candidate order is rethrown, as a loop would have thrown it.
void time_candidates(const ModelSpec& m, const PlanSearch& q, const engine::DeviceSpec& device,
                     const engine::Fabric& fabric, std::vector<PlannedStep>& candidates) {
  const size_t n = candidates.size();
  std::vector<std::exception_ptr> errors(n);
  std::atomic<size_t> next{0};
  size_t done = 0;
  std::mutex progress_mutex;
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) {
      PlannedStep& c = candidates[i];
      try {
        const TrainingJob job{.name = "plan", .arrival_s = 0, .model = m, .plan = c.plan, .devices = q.devices, .budget = {}};
        c.result = simulate_step(job, aligned_placement(c.plan, fabric), device, fabric, q.step);
      } catch (...) {
        errors[i] = std::current_exception();
      }
      if (q.progress) {
        const std::lock_guard<std::mutex> lock(progress_mutex);
        q.progress(++done, n);
      }
    }
  };
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t threads = std::min<size_t>(n, q.threads > 0 ? static_cast<size_t>(q.threads) : hardware);
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace

std::vector<int> expert_parallel_choices(int experts, int dp) {
  std::vector<int> eps;
  for (int ep : powers_of_two_upto(std::min(dp, experts)))
    if (dp % ep == 0 && experts % ep == 0 && (ep == 1 || ep >= 4)) eps.push_back(ep);
  return eps;
}

void PlanSearch::keep_framework_of(const Plan& p) {
  attention_kernel = p.attention_kernel;
  cuda_graphs = p.cuda_graphs;
  tp_overlap = p.tp_overlap;
  overlap_grad_reduce = p.overlap_grad_reduce;
  moe_host_overhead_s = p.moe_host_overhead_s;
  fp8_activation_cache = p.fp8_activation_cache;
  fp8_swiglu_input_store = p.fp8_swiglu_input_store;
  fp8_recipe = p.fp8_recipe;
  nvfp4_hadamard = p.nvfp4_hadamard;
  unfused_kernels = p.unfused_kernels;
  allow_dualpipe = p.schedule == PipelineSchedule::kDualPipe;
  activation_offload = p.activation_offload;
}

PlanReport plan_search(const ModelSpec& m, const PlanSearch& q, const engine::DeviceSpec& device,
                       const engine::Fabric& fabric) {
  // Plans of different shapes share most of their collectives (the same groups at the
  // same sizes): one memo serves every candidate, and the half-size search of the note.
  if (q.step.mode == engine::CommMode::kAnalytical && q.step.memo == nullptr) {
    engine::CollectiveMemo memo(fabric, q.step.network);
    PlanSearch with_memo = q;
    with_memo.step.memo = &memo;
    return plan_search(m, with_memo, device, fabric);
  }
  if (static_cast<size_t>(q.devices) > fabric.device_count())
    throw UserError(fmt::format("plan: {} devices asked, the system has {}", q.devices, fabric.device_count()));
  // Every candidate shares the precision: reject it once, before the search, rather than
  // time plans on a peak the device does not have (FP8 on Ascend: hardware.md §1.1).
  check_precision(q.precision, device);

  PlanReport report;
  std::vector<PlannedStep> timed;  // the fitting candidates, in enumeration order; timed below
  double smallest_need = std::numeric_limits<double>::max();
  std::string smallest_plan;
  const std::vector<int> cps = m.seq_len >= 16384 ? std::vector<int>{1, 2, 4, 8} : std::vector<int>{1};
  const std::vector<int> tps = powers_of_two_upto(std::min(q.scale_up_domain, 16));
  for (int tp : tps) {
    for (int cp : cps) {
      if (q.devices % (tp * cp) != 0) continue;
      for (int pp : divisors(q.devices / (tp * cp), std::min(m.layers, 64))) {
        const int dp = q.devices / (tp * cp * pp);
        const std::vector<int> eps = m.moe ? expert_parallel_choices(m.moe->experts, dp) : std::vector<int>{1};
        // Schedules: 1F1B (v 1), interleaved (v 2, 4), DualPipe (v 0 here) when allowed.
        std::vector<int> schedules = pp > 1 ? std::vector<int>{1, 2, 4} : std::vector<int>{1};
        if (q.allow_dualpipe && pp % 2 == 0) schedules.push_back(0);
        for (int sched : schedules) {
          const int v = std::max(sched, 1);
          for (int ep : eps) {
            for (int mbs : {1, 2}) {
              // Less sharding and less recompute are never slower: take the first that fits.
              bool done = false;
              for (DataSharding sh : {DataSharding::kZero1, DataSharding::kZero3}) {
                for (Recompute rc : {Recompute::kNone, Recompute::kSelective, Recompute::kFull}) {
                  if (done) break;
                  ++report.considered;
                  Plan p{.tp = tp, .pp = pp, .dp = dp, .cp = cp, .ep = ep, .sequence_parallel = tp > 1,
                         .schedule = sched == 0  ? PipelineSchedule::kDualPipe
                                     : v > 1     ? PipelineSchedule::kInterleaved
                                                 : PipelineSchedule::k1F1B,
                         .virtual_stages = v, .allow_uneven_stages = true, .sharding = dp * cp > 1 ? sh : DataSharding::kNone,
                         .recompute = rc, .micro_batch = mbs, .global_batch = q.global_batch, .precision = q.precision,
                         .attention_kernel = q.attention_kernel, .cuda_graphs = q.cuda_graphs, .tp_overlap = q.tp_overlap,
                         .overlap_grad_reduce = q.overlap_grad_reduce, .moe_host_overhead_s = q.moe_host_overhead_s,
                         .fp8_activation_cache = q.fp8_activation_cache,
                         .fp8_swiglu_input_store = q.fp8_swiglu_input_store,
                         .activation_offload = q.activation_offload, .fp8_recipe = q.fp8_recipe,
                         .nvfp4_hadamard = q.nvfp4_hadamard, .unfused_kernels = q.unfused_kernels};
                  if (q.global_batch % (dp * mbs) != 0) continue;
                  if (!check(m, p).empty()) continue;
                  if (v > 1 && p.micro_batches() % pp != 0) continue;
                  ++report.valid;
                  const FitReport fit = check_fit(m, p, device);
                  if (!fit.fits) {
                    if (fit.need.total().value() < smallest_need) {
                      smallest_need = fit.need.total().value();
                      smallest_plan = fit.message;
                    }
                    continue;
                  }
                  done = true;
                  ++report.fitting;
                  timed.push_back({.plan = p, .result = {}, .memory = fit.need});
                }
                if (done) break;
              }
            }
          }
        }
      }
    }
  }
  if (timed.empty())
    throw UserError(fmt::format("plan: no plan of {} on {} x {} fits in memory ({} plans tried); the smallest: {}",
                                m.name, q.devices, device.name, report.valid, smallest_plan));
  time_candidates(m, q, device, fabric, timed);
  std::stable_sort(timed.begin(), timed.end(),
                   [](const PlannedStep& a, const PlannedStep& b) { return a.result.step_s < b.result.step_s; });
  const PlannedStep& best = timed.front();
  std::string why = fmt::format("{} is fastest of {} fitting plans: step {:.3f} s, MFU {:.1f}%, bound by {}.",
                                describe(best.plan), timed.size(), best.result.step_s, 100 * best.result.mfu,
                                best.result.bottleneck);
  if (timed.size() > 1) {
    const PlannedStep& second = timed[1];
    why += fmt::format(" It beats the runner-up ({}) by {:.1f}%: {}.", describe(second.plan),
                       100 * (second.result.step_s / best.result.step_s - 1),
                       biggest_difference(best.result, second.result));
    // The best plan of a different (tp, pp) shape shows what the shape buys; when that
    // is the runner-up, the sentence above already said it.
    for (const PlannedStep& other : timed) {
      if (other.plan.tp == best.plan.tp && other.plan.pp == best.plan.pp) continue;
      if (&other == &second) break;
      why += fmt::format(" The best other shape, {}, is {:.1f}% slower: {}.", describe(other.plan),
                         100 * (other.result.step_s / best.result.step_s - 1),
                         biggest_difference(best.result, other.result));
      break;
    }
  }
  report.note = fewer_devices_note(m, q, device, fabric, best);
  if (!report.note.empty()) why += " " + report.note;
  report.explanation = why;
  timed.resize(std::min(timed.size(), static_cast<size_t>(std::max(q.top, 1))));
  report.best = std::move(timed);
  return report;
}

}  // namespace podsim::workloads
