#include "scheduler/fair_share.h"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/check.h"

namespace podsim::scheduler {
namespace {

using engine::SimTime;

// Each user's queued jobs are kept between passes, by class (SchedulerView::queue_class)
// in queue order, and each class knows its users by name. A pass used to group the
// whole queue by user and try jobs one by one, O(n) per pass (the whole-queue version:
// scheduler/policy_reference.cc). Now a round asks which classes can start a job now,
// and the user it picks is the first, in (share held, name) order, with a queued job in
// one of them: the users before it would have dropped out (nothing of theirs fits, and
// nothing changes while they drop), so they are dropped together. Users holding no
// share (no job running) all rank at 0, by name, and are found per class by name, so a
// round costs O(classes x log users + users holding a share), not O(queue).
class FairShare final : public Policy {
 public:
  void schedule(SchedulerView& v) override {
    settle(v);
    // Devices per unit of weight, by user, summed in running order (as before: the same
    // doubles).
    std::map<std::string_view, double> held;
    for (uint32_t j : v.running()) held[v.request(j).user] += v.request(j).devices / v.request(j).weight;
    // Users holding a share with queued jobs, not dropped, by (share, name).
    std::set<std::pair<double, std::string_view>> sharing;
    for (const auto& [user, share] : held)
      if (auto it = users_.find(user); it != users_.end() && it->second.queued > 0) sharing.emplace(share, it->first);
    // Users holding no share: those named up to `floor` (inclusive or not) have dropped.
    std::optional<std::string_view> floor;
    bool floor_inclusive = false, all_dropped = false;
    std::vector<uint32_t> fit;
    for (;;) {
      fit.clear();
      for (uint32_t c : nonempty_)
        if (v.class_could_start(c)) fit.push_back(c);
      if (fit.empty()) return;  // every user would drop out
      auto fits = [&](const User& u) {
        for (uint32_t c : fit)
          if (u.classes.count(c)) return true;
        return false;
      };
      std::optional<std::pair<double, std::string_view>> best;
      for (const auto& s : sharing)
        if (fits(users_.find(s.second)->second)) {
          best = s;
          break;
        }
      if (!all_dropped)
        for (uint32_t c : fit) {
          const std::set<std::string_view>& names = class_users_[c];
          auto it = !floor ? names.begin() : floor_inclusive ? names.upper_bound(*floor) : names.lower_bound(*floor);
          while (it != names.end() && held.count(*it)) ++it;
          if (it != names.end() && (!best || std::make_pair(0.0, *it) < *best)) best = {0.0, *it};
        }
      if (!best) return;
      // The users ahead of `best` drop out.
      sharing.erase(sharing.begin(), sharing.lower_bound(*best));
      const bool had_share = held.count(best->second) > 0;
      if (!had_share) floor = best->second, floor_inclusive = true;
      else if (best->first > 0) all_dropped = true;
      else floor = best->second, floor_inclusive = false;
      // Its first queued job that fits starts.
      User& u = users_.find(best->second)->second;
      const Entry* first = nullptr;
      for (uint32_t c : fit)
        if (auto k = u.classes.find(c); k != u.classes.end() && (!first || *k->second.begin() < *first))
          first = &*k->second.begin();
      const uint32_t j = first->second;
      const bool started = v.start_anywhere(j);
      PODSIM_CHECK(started, "FAIR_SHARE: a job of a class that could start did not");
      sharing.erase(*best);
      const double now_held = held[best->second] += v.request(j).devices / v.request(j).weight;
      erase(j);
      if (u.queued > 0) sharing.emplace(now_held, best->second);
    }
  }
  void queued(uint32_t j) override {
    if (j >= state_.size()) {
      state_.resize(j + 1, kOut);
      job_class_.resize(j + 1);
      job_arrival_.resize(j + 1);
      job_user_.resize(j + 1);
    }
    if (state_[j] == kIn) return;
    state_[j] = kFresh;
    fresh_.push_back(j);
  }
  void left_queue(uint32_t j) override { erase(j); }

 private:
  using Entry = std::pair<SimTime, uint32_t>;  // (arrival, job): queue order
  struct User {
    std::map<uint32_t, std::set<Entry>> classes;  // queued jobs by class
    size_t queued = 0;
  };
  enum State : uint8_t { kOut, kFresh, kIn };

  void settle(const SchedulerView& v) {
    for (uint32_t j : fresh_) {
      if (state_[j] != kFresh) continue;
      const uint32_t c = v.queue_class(j);
      if (c >= class_users_.size()) class_users_.resize(c + 1);
      const auto user = users_.try_emplace(v.request(j).user).first;
      auto& [name, u] = *user;
      u.classes[c].emplace(v.request(j).arrival, j);
      ++u.queued;
      class_users_[c].insert(name);
      nonempty_.insert(c);
      job_class_[j] = c;
      job_arrival_[j] = v.request(j).arrival;
      job_user_[j] = &*user;
      state_[j] = kIn;
    }
    fresh_.clear();
  }
  void erase(uint32_t j) {
    if (j >= state_.size()) return;
    if (state_[j] == kIn) {
      const uint32_t c = job_class_[j];
      auto& [name, u] = *job_user_[j];
      auto k = u.classes.find(c);
      k->second.erase({job_arrival_[j], j});
      --u.queued;
      if (k->second.empty()) {
        u.classes.erase(k);
        class_users_[c].erase(name);
        if (class_users_[c].empty()) nonempty_.erase(c);
      }
    }
    state_[j] = kOut;
  }

  std::map<std::string, User, std::less<>> users_;
  std::vector<std::set<std::string_view>> class_users_;  // by class: users with queued jobs of it
  std::set<uint32_t> nonempty_;                          // classes with queued jobs
  std::vector<State> state_;                             // by job
  std::vector<uint32_t> job_class_;                      // by job, while kIn
  std::vector<SimTime> job_arrival_;
  std::vector<std::pair<const std::string, User>*> job_user_;
  std::vector<uint32_t> fresh_;  // queued since the last pass
};

}  // namespace

std::unique_ptr<Policy> make_fair_share() { return std::make_unique<FairShare>(); }

}  // namespace podsim::scheduler
