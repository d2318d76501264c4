#include "scenario/sweep_memory.h"

#include <algorithm>
#include <utility>

#include "scenario/cluster_run.h"
#include "scenario/compare_run.h"
#include "scenario/run_size.h"

namespace podsim::scenario {

PointMemory point_memory(const ScenarioFile& file, std::optional<double> available) {
  const sim::RunLimits limits = run_limits(file);
  PointMemory out{.bytes = 0, .limit = limits.max_bytes ? limits.max_bytes : available,
                  .limit_is_set = limits.max_bytes.has_value()};
  if (file.scenario().has_compare())
    out.bytes = study_memory_bytes(file);
  else if (has_cluster_run(file))
    out.bytes = cluster_run_bytes(file);
  return out;
}

MemoryGate::Pass::Pass(Pass&& other) noexcept
    : gate_(std::exchange(other.gate_, nullptr)), bytes_(other.bytes_), waited_(other.waited_) {}

MemoryGate::Pass::~Pass() {
  if (gate_) gate_->leave(bytes_);
}

MemoryGate::Pass MemoryGate::enter(size_t ticket, const PointMemory& need) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return turn_ == ticket; });
  const auto fits = [&] { return running_ == 0 || !need.limit || running_bytes_ + need.bytes <= *need.limit; };
  std::optional<Wait> waited;
  if (!fits()) {
    waited = Wait{.running = running_, .running_bytes = running_bytes_};
    changed_.wait(lock, fits);
  }
  ++turn_;
  ++running_;
  running_bytes_ += need.bytes;
  most_running_ = std::max(most_running_, running_);
  changed_.notify_all();  // the next ticket's turn
  return Pass(this, need.bytes, waited);
}

void MemoryGate::leave(double bytes) {
  std::lock_guard lock(mu_);
  --running_;
  // Back to exactly 0 when the last leaves, whatever the rounding of the sums.
  running_bytes_ = running_ == 0 ? 0 : running_bytes_ - bytes;
  changed_.notify_all();
}

size_t MemoryGate::most_running() const {
  std::lock_guard lock(mu_);
  return most_running_;
}

}  // namespace podsim::scenario
