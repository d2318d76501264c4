#include "scheduler/las_crossings.h"

#include <algorithm>
#include <cmath>

namespace podsim::scheduler {

using engine::SimTime;

void LasCrossings::changed(uint32_t j) { changed_.push_back(j); }

void LasCrossings::watch(const SchedulerView& v, uint32_t j) {
  const double s = v.attained_service(j);
  level_[j] = levels_.level(s);
  const std::vector<double>& t = levels_.thresholds();
  const auto next = std::upper_bound(t.begin(), t.end(), s);
  if (next == t.end()) return;  // past the last threshold: no level to cross
  const double devices = v.request(j).devices;
  const double margin_s = (1e-9 * (std::abs(*next) + std::abs(s))) / devices + 1e-6;
  const double gap_s = (*next - s) / devices - margin_s;
  const SimTime bound = gap_s > 0 ? v.now() + SimTime::seconds(gap_s) : v.now();
  bound_[j] = bound;
  by_bound_.emplace(bound, j);
}

void LasCrossings::update(const SchedulerView& v, const std::function<void(uint32_t)>& level_moved) {
  auto forget = [&](uint32_t j) {
    if (j >= bound_.size()) {
      bound_.resize(j + 1);
      level_.resize(j + 1);
    }
    if (bound_[j]) by_bound_.erase({*bound_[j], j});
    bound_[j].reset();
  };
  for (uint32_t j : changed_) {
    forget(j);
    if (v.is_running(j)) watch(v, j);
    level_moved(j);
  }
  changed_.clear();
  std::vector<uint32_t> due;
  for (auto it = by_bound_.begin(); it != by_bound_.end() && it->first <= v.now(); ++it) due.push_back(it->second);
  for (uint32_t j : due) {
    const size_t was = level_[j];
    forget(j);
    watch(v, j);
    if (level_[j] != was) level_moved(j);
  }
}

void LasCrossings::wake_at_next(SchedulerView& v) const {
  std::optional<SimTime> first;
  for (const auto& [bound, j] : by_bound_) {
    if (first && bound > *first) break;  // every later crossing is later still
    if (auto t = levels_.next_crossing(v, j); t && (!first || *t < *first)) first = t;
  }
  if (first) v.wake_at(*first);
}

}  // namespace podsim::scheduler
