#include "sim/trace_jobs.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "engine/printable.h"
#include "engine/error.h"
#include "scheduler/trace_classes.h"
#include "sim/job_pools.h"

namespace podsim::sim {
namespace {

// The classes of one source: each class's workload made once per GPU count, on first use.
class ClassWorkloads {
 public:
  explicit ClassWorkloads(const std::vector<TraceClass>& classes)
      : classes_(classes), used_(classes.size(), false), failed_(classes.size()) {}

  // The workload (JobRequest::workload) of class k at `gpus` GPUs, its model appended to
  // out.models on first use; nullopt if the class's plan cannot cut that many GPUs.
  std::optional<uint32_t> workload(size_t k, uint32_t gpus, SchedulerJobs& out) {
    auto [it, fresh] = made_.try_emplace({k, gpus});
    if (!fresh) return it->second;
    std::string why;
    std::optional<workloads::TrainingJob> model = classes_[k].workload(gpus, why);
    if (!model) {
      if (!failed_[k]) failed_[k] = why;
      return std::nullopt;
    }
    used_[k] = true;
    out.models.push_back(std::move(*model));
    out.auto_plan.push_back(classes_[k].auto_plan);
    it->second = static_cast<uint32_t>(out.models.size());  // workload k + 1 is models[k]
    return it->second;
  }

  // A class that matched rows but could cut none of their GPU counts: its workload is
  // wrong, not the rows.
  void throw_if_unusable() const {
    for (size_t k = 0; k < classes_.size(); ++k)
      if (!used_[k] && failed_[k] && !failed_[k]->empty()) throw UserError(*failed_[k]);
  }

 private:
  const std::vector<TraceClass>& classes_;
  std::map<std::pair<size_t, uint32_t>, std::optional<uint32_t>> made_;  // (class, gpus)
  std::vector<bool> used_;                         // some GPU count worked
  std::vector<std::optional<std::string>> failed_;  // why the first count that did not failed
};

// The pools a row's declared GPU type names ("H800|A100"), among `allowed`.
std::vector<uint32_t> typed_pools(const scheduler::Inventory& inv, const std::string& gpu_type,
                                  const std::vector<uint32_t>& allowed) {
  std::vector<uint32_t> out;
  size_t from = 0;
  for (;;) {
    const size_t bar = gpu_type.find('|', from);
    const std::string name = gpu_type.substr(from, bar == std::string::npos ? bar : bar - from);
    for (uint32_t p = 0; p < inv.pools().size(); ++p)  // by name, or by a node list's GPU type
      if (!name.empty() && (inv.pools()[p].name == name || inv.pools()[p].gpu_type == name) &&
          (allowed.empty() || std::find(allowed.begin(), allowed.end(), p) != allowed.end()) &&
          std::find(out.begin(), out.end(), p) == out.end())
        out.push_back(p);
    if (bar == std::string::npos) break;
    from = bar + 1;
  }
  return out;
}

}  // namespace

void add_trace_jobs(const TraceJobs& t, size_t index, const scheduler::Inventory& inv, uint32_t spares,
                    SchedulerJobs& out, FieldProblems& problems) {
  const std::string at = fmt::format("sources[{}]", index);
  const std::vector<uint32_t> allowed = named_pools(t.pools, inv, at + ".trace.pools", problems);
  // The reference: the pool named, else the slowest (as run-time-only jobs take it).
  const auto& pools = inv.pools();
  uint32_t reference = 0;
  for (uint32_t p = 0; p < pools.size(); ++p)
    if (pools[p].relative_speed < pools[reference].relative_speed) reference = p;
  if (!t.reference_pool.empty()) {
    if (auto p = inv.find_pool(t.reference_pool)) {
      reference = *p;
    } else {
      std::string known;
      for (const auto& q : pools) known += (known.empty() ? "" : ", ") + printable(q.name);
      problems.add(at + ".trace.reference.pool", fmt::format("unknown pool '{}' (pools: {})", printable(t.reference_pool), known));
    }
  }
  if (!problems.empty()) return;
  ClassWorkloads classes(t.classes);
  std::vector<scheduler::ClassRule> rules;
  for (const TraceClass& c : t.classes) rules.push_back(c.rule);
  out.skipped_rows += t.trace.skipped;
  for (const auto& [reason, count] : t.trace.skipped_by_reason) out.skipped_by_reason[reason] += count;
  const size_t n = t.max_jobs > 0 ? std::min(t.max_jobs, t.trace.jobs.size()) : t.trace.jobs.size();
  const auto skip = [&](const std::string& reason) {
    ++out.skipped_rows;
    ++out.skipped_by_reason[reason];
  };
  for (size_t k = 0; k < n; ++k) {
    const scheduler::TraceJob& tj = t.trace.jobs[k];
    const std::vector<uint32_t> job_pools = tj.gpu_type.empty() ? allowed : typed_pools(inv, tj.gpu_type, allowed);
    if (!tj.gpu_type.empty() && job_pools.empty()) {
      skip("GPU type names no pool it may use");
      continue;
    }
    const uint32_t biggest = biggest_pool(inv, job_pools, spares);
    if (tj.devices > biggest) {
      if (t.skip_oversized) {
        ++out.skipped_oversized;
        continue;
      }
      throw RowError(fmt::format("{}:{}: job '{}' needs {} GPUs; the largest pool it may use has {}", t.path, tj.line,
                                 printable(tj.id), tj.devices, pool_room(biggest, spares)),
                     at + ".trace", "set skip_oversized to drop such jobs");
    }
    scheduler::JobRequest r{.name = fmt::format("{}#{}", tj.id, index),
                            .arrival = engine::SimTime::seconds(t.start_s + tj.submit_s),
                            .devices = tj.devices,
                            .pools = job_pools,
                            .steps = std::max(tj.duration_s, 1.0),  // a 0 s job still starts and ends
                            .priority = tj.priority,
                            .user = !tj.user.empty() ? tj.user : !tj.queue.empty() ? tj.queue : "trace",
                            .checkpoint = t.checkpoint};
    if (!t.classes.empty()) {
      const std::optional<size_t> c = scheduler::match_class(rules, tj);
      if (!c && !t.unmatched_as_durations) {
        skip("no class matches (unmatched_as_durations replays them as run times)");
        continue;
      }
      if (c) {
        const TraceClass& cls = t.classes[*c];
        const std::optional<uint32_t> w = classes.workload(*c, tj.devices, out);
        if (!w) {
          skip(fmt::format("class '{}': its plan cannot cut {} GPUs", printable(cls.name), tj.devices));
          continue;
        }
        r.workload = *w;
        r.placement = cls.placement;
        if (auto why = never_placed(inv, r)) {
          if (t.skip_oversized) {
            ++out.skipped_oversized;
            continue;
          }
          throw RowError(fmt::format("{}:{}: job '{}' of class '{}': {}", t.path, tj.line, printable(tj.id), printable(cls.name), *why),
                         fmt::format("{}.trace.classes[{}].placement", at, *c), "set skip_oversized to drop such jobs");
        }
        out.class_work.push_back({.job = out.jobs.size(), .duration_s = tj.duration_s, .reference_pool = reference,
                                  .source = at});
      }
    }
    out.jobs.push_back(std::move(r));
  }
  classes.throw_if_unusable();
}

}  // namespace podsim::sim
