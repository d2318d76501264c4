#include "scheduler/synthetic.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace podsim::scheduler {

// Arrivals stay within 1e9 s (~31.7 years), the range of a scenario's own times.
constexpr double kMaxArrivalS = 1e9;

std::vector<JobRequest> generate_jobs(const SyntheticOptions& o, engine::RandomEngine& rng) {
  if (o.jobs > 0 && o.templates.empty()) throw std::invalid_argument("synthetic jobs need at least one template");
  if (!(o.mean_interarrival_s > 0)) throw std::invalid_argument("mean_interarrival_s must be > 0");
  std::vector<double> weights;
  std::vector<engine::WeightedChoice> sizes;
  for (const JobTemplate& t : o.templates) {
    if (!(t.weight > 0) || t.devices.empty() || !(t.median_steps > 0) || t.sigma < 0)
      throw std::invalid_argument(fmt::format("template '{}': weight, device choices and median_steps must be > 0", t.name));
    weights.push_back(t.weight);
    std::vector<double> w;
    for (const auto& [n, p] : t.devices) w.push_back(p);
    sizes.emplace_back(w);
  }
  // podsim's own distributions (engine/random.h): the same draws with any standard library.
  const engine::WeightedChoice pick(weights);
  std::vector<uint32_t> made(o.templates.size(), 0);
  std::vector<JobRequest> jobs;
  double t = o.start_s;
  for (uint32_t k = 0; k < o.jobs; ++k) {
    t += engine::exponential(rng, o.mean_interarrival_s);
    if (t > kMaxArrivalS)
      throw std::invalid_argument(fmt::format("job {} of {} would arrive at {:.3g} s", k + 1, o.jobs, t));
    const size_t which = pick(rng);
    const JobTemplate& tpl = o.templates[which];
    JobRequest j;
    j.name = fmt::format("{}{}-{}", o.name_prefix, tpl.name, made[which]++);
    j.arrival = engine::SimTime::seconds(t);
    j.devices = tpl.devices[sizes[which](rng)].first;
    j.steps = std::max(1.0, std::round(tpl.median_steps * std::exp(tpl.sigma * engine::standard_normal(rng))));
    j.pools = tpl.pools;
    j.priority = tpl.priority;
    j.user = tpl.user.empty() ? tpl.name : tpl.user;
    j.checkpoint = tpl.checkpoint;
    j.workload = tpl.workload;
    jobs.push_back(std::move(j));
  }
  return jobs;
}

}  // namespace podsim::scheduler
