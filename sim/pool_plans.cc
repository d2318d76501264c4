#include "sim/pool_plans.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/printable.h"
#include "engine/error.h"
#include "workloads/memory.h"
#include "workloads/planner.h"
#include "workloads/step_model.h"

namespace podsim::sim {

PoolPlanResult pool_plans(const topologies::Cluster& cluster, const engine::Fabric& fabric,
                          const scheduler::Inventory& inv, const std::vector<workloads::TrainingJob>& models,
                          const std::vector<bool>& auto_plan, std::vector<scheduler::JobRequest>& jobs) {
  const size_t pools = inv.pools().size();
  std::vector<const engine::DeviceSpec*> spec(pools, nullptr);
  for (const topologies::Device& d : cluster.devices())
    if (!spec[d.pool]) spec[d.pool] = d.spec.get();
  std::vector<int> domain_size(pools, 0);
  for (uint32_t p = 0; p < pools; ++p)
    if (!inv.pool_domains(p).empty()) domain_size[p] = static_cast<int>(inv.domain_size(inv.pool_domains(p).front()));

  PoolPlanResult out;
  out.plans.resize(models.size());
  for (size_t k = 0; k < models.size(); ++k) {
    const workloads::TrainingJob& t = models[k];
    scheduler::JobRequest& r = jobs[k];
    out.plans[k].resize(pools);
    std::vector<std::string> why(pools);
    for (uint32_t p = 0; p < pools; ++p) {
      if (!r.pools.empty() && std::find(r.pools.begin(), r.pools.end(), p) == r.pools.end()) continue;
      if (r.devices > inv.pool_size(p)) {
        why[p] = fmt::format("needs {} devices, the pool has {}", r.devices, inv.pool_size(p));
      } else if (auto bad = workloads::precision_problem(t.plan.precision, *spec[p])) {
        why[p] = *bad;
      } else if (auto kernel = workloads::attention_kernel_problem(t.plan.attention_kernel, *spec[p])) {
        why[p] = *kernel;
      } else if (auto recipe = workloads::fp8_recipe_problem(t.plan, *spec[p])) {
        why[p] = fmt::format("plan.fp8_recipe: {}", *recipe);
      } else if (auto offload = workloads::offload_problem(t.plan, *spec[p])) {
        why[p] = *offload;
      } else if (auto ub = workloads::userbuffers_problem(t.plan, *spec[p])) {
        why[p] = fmt::format("plan.{}: {}", ub->field, ub->message);
      } else if (auto_plan.at(k)) {
        workloads::PlanSearch q{.devices = t.devices, .global_batch = t.plan.global_batch,
                                .precision = t.plan.precision, .scale_up_domain = domain_size[p], .top = 1};
        q.keep_framework_of(t.plan);
        try {
          out.plans[k][p] = workloads::plan_search(t.model, q, *spec[p], fabric).best.front().plan;
        } catch (const UserError& e) {
          why[p] = e.what();
        }
      } else if (const workloads::FitReport fit = workloads::check_fit(t.model, t.plan, *spec[p]); !fit.fits) {
        why[p] = fit.message;
      } else {
        out.plans[k][p] = t.plan;
      }
    }
    std::vector<uint32_t> fits;
    for (uint32_t p = 0; p < pools; ++p)
      if (out.plans[k][p]) fits.push_back(p);
    for (uint32_t p = 0; p < pools; ++p) {
      if (why[p].empty() || (r.pools.empty() && !fits.empty())) continue;
      out.problems.push_back({k, fmt::format("job '{}' does not fit pool '{}' ({}): {}", printable(t.name), printable(inv.pools()[p].name),
                                             spec[p]->name, why[p])});
    }
    if (r.pools.empty()) r.pools = fits;
  }
  return out;
}

}  // namespace podsim::sim
