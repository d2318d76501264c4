#include "scheduler/failure_process.h"

#include <fmt/format.h>

#include <cmath>

#include "engine/check.h"
#include "engine/error.h"

namespace podsim::scheduler {

using engine::SimTime;

std::vector<uint32_t> unit_devices(const Inventory& inv, FailureUnit unit, uint32_t index) {
  if (unit == FailureUnit::kDevice) return {index};
  return inv.node_devices(index);
}

void check_scripted_failures(const Inventory& inv, const std::vector<ScriptedFailure>& scripted) {
  for (const ScriptedFailure& f : scripted) {
    const size_t units = f.unit == FailureUnit::kDevice ? inv.devices().size() : inv.node_count();
    if (f.index >= units)
      throw UserError(fmt::format("scripted {} failure: index {} out of range (the cluster has {})", to_string(f.unit),
                                  f.index, units));
  }
}

FailureProcess::FailureProcess(const Inventory& inv, const std::vector<FailureKind>& kinds, engine::RandomEngine rng)
    : inv_(inv), kinds_(kinds), rng_(std::move(rng)) {
  for (uint32_t k = 0; k < kinds_.size(); ++k) {
    if (!(kinds_[k].mtbf_hours > 0) || !(kinds_[k].weibull_shape > 0))
      throw UserError(fmt::format("failures.kinds[{}]: mtbf_hours and weibull_shape must be > 0", k));
    const size_t units = kinds_[k].unit == FailureUnit::kDevice ? inv_.devices().size() : inv_.node_count();
    for (uint32_t u = 0; u < units; ++u) draw(k, u, SimTime::zero());
  }
}

void FailureProcess::draw(uint32_t kind, uint32_t unit, SimTime from) {
  const FailureKind& k = kinds_[kind];
  // Weibull with mean m: scale m / Gamma(1 + 1/shape); shape 1 is the exponential.
  const double scale = k.mtbf_hours * 3600.0 / std::tgamma(1.0 + 1.0 / k.weibull_shape);
  pending_.push({from + SimTime::seconds_ceil(engine::weibull(rng_, k.weibull_shape, scale)), kind, unit});
}

std::optional<SimTime> FailureProcess::next() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.top().at;
}

FailureProcess::Failure FailureProcess::take() {
  PODSIM_CHECK(!pending_.empty(), "FailureProcess::take without a pending failure");
  const Pending p = pending_.top();
  pending_.pop();
  const FailureKind& k = kinds_[p.kind];
  draw(p.kind, p.unit, p.at + k.repair);  // renewal: up again after repair
  return {.at = p.at, .devices = unit_devices(inv_, k.unit, p.unit), .repair = k.repair};
}

}  // namespace podsim::scheduler
