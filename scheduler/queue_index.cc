#include "scheduler/queue_index.h"

#include <algorithm>
#include <numeric>

#include "engine/check.h"

namespace podsim::scheduler {

QueueIndex::QueueIndex(const std::vector<JobRequest>& jobs, const AllowedPools& allowed)
    : rank_(jobs.size()), order_(jobs.size()), class_of_(jobs.size()), member_(jobs.size()) {
  std::iota(order_.begin(), order_.end(), 0u);
  std::stable_sort(order_.begin(), order_.end(),
                   [&](uint32_t a, uint32_t b) { return jobs[a].arrival < jobs[b].arrival; });
  for (uint32_t r = 0; r < order_.size(); ++r) rank_[order_[r]] = r;
  // The allowed pools are a function of (devices, constraints, pools named): keyed by
  // those, not by the list, which may hold every pool of a large cluster.
  std::map<std::tuple<uint32_t, PlacementConstraints, const std::vector<uint32_t>&>, uint32_t> ids;
  std::vector<std::vector<uint32_t>> members;
  for (uint32_t j : order_) {
    const JobRequest& r = jobs[j];
    auto [it, fresh] = ids.try_emplace({r.devices, r.placement, r.pools}, static_cast<uint32_t>(members.size()));
    if (fresh) {
      members.emplace_back();
      classes_.push_back({.key = {.devices = r.devices, .constraints = r.placement, .pools = &allowed[j]},
                          .any = MinTree(0, kNotWaiting)});
    }
    class_of_[j] = it->second;
    member_[j] = static_cast<uint32_t>(members[it->second].size());
    members[it->second].push_back(j);
  }
  for (size_t c = 0; c < classes_.size(); ++c) {
    Class& k = classes_[c];
    k.members = std::move(members[c]);
    for (uint32_t j : k.members) k.ranks.push_back(rank_[j]);
    k.any = MinTree(k.members.size(), kNotWaiting);
  }
}

void QueueIndex::enqueue(uint32_t job) {
  queued_.insert(rank_[job]);
  // Its time on any shape may have changed (progress rolled back, a restart due): unknown.
  set_leaf(job, 0, kUnknown);
}

void QueueIndex::dequeue(uint32_t job) {
  queued_.erase(rank_[job]);
  mark_started(job);
}

void QueueIndex::mark_started(uint32_t job) { set_leaf(job, kNotWaiting, kNotWaiting); }

void QueueIndex::set_leaf(uint32_t job, int64_t any, int64_t run_time) {
  Class& k = classes_[class_of_[job]];
  const size_t i = member_[job];
  const bool was = k.any.get(i) != kNotWaiting, is = any != kNotWaiting;
  k.waiting = k.waiting + is - was;
  k.any.set(i, any);
  for (auto& [shape, tree] : k.run_times) tree.set(i, run_time);
}

std::optional<uint32_t> QueueIndex::next(std::optional<uint32_t> after) const {
  auto it = after ? queued_.upper_bound(rank_[*after]) : queued_.begin();
  if (it == queued_.end()) return std::nullopt;
  return order_[*it];
}

void QueueIndex::append_queued(std::vector<uint32_t>& out) const {
  for (uint32_t r : queued_) out.push_back(order_[r]);
}

size_t QueueIndex::first_member_after(const Class& k, uint32_t after) const {
  return static_cast<size_t>(std::upper_bound(k.ranks.begin(), k.ranks.end(), rank_[after]) - k.ranks.begin());
}

std::optional<uint32_t> QueueIndex::next_in_class(size_t c, uint32_t after) const {
  const Class& k = classes_[c];
  const auto i = k.any.first_from(first_member_after(k, after), [](int64_t v) { return v != kNotWaiting; });
  if (!i) return std::nullopt;
  return k.members[*i];
}

std::optional<uint32_t> QueueIndex::next_in_class_ending_by(size_t c, const PlacementShape& shape, uint32_t after,
                                                            engine::SimTime now, engine::SimTime deadline) {
  Class& k = classes_[c];
  auto it = k.run_times.find(shape);
  if (it == k.run_times.end()) {
    // First search on this shape: every waiting job's time is unknown.
    it = k.run_times.emplace(shape, MinTree(k.members.size(), kNotWaiting)).first;
    for (size_t i = 0; i < k.members.size(); ++i)
      if (k.any.get(i) != kNotWaiting) it->second.set(i, kUnknown);
  }
  // Downward closed: a smaller run time ends earlier (SimTime's + saturates, monotone).
  auto ends_by = [&](int64_t v) {
    return v == kUnknown || (v != kNotWaiting && now + engine::SimTime::nanos(v) <= deadline);
  };
  const auto i = it->second.first_from(first_member_after(k, after), ends_by);
  if (!i) return std::nullopt;
  return k.members[*i];
}

void QueueIndex::note_run_time(uint32_t job, const PlacementShape& shape, engine::SimTime run_time) {
  Class& k = classes_[class_of_[job]];
  const auto it = k.run_times.find(shape);
  if (it == k.run_times.end() || k.any.get(member_[job]) == kNotWaiting) return;
  PODSIM_CHECK(run_time.ns() != kUnknown, "a run time is never the unknown marker");
  it->second.set(member_[job], run_time.ns());
}

}  // namespace podsim::scheduler
