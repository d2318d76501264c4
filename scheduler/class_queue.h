#pragma once
// ClassQueue: a sorting policy's queue kept between scheduling passes, each class of
// queued job (SchedulerView::queue_class: equal devices, constraints and pools named,
// so they fit or not alike) ordered by the policy's key. The policies used to sort the
// whole queue at every pass, O(n log n) per pass (bench/README.md "Deep queues"); with
// this a pass looks at the first jobs of the classes that can take devices, and a job's
// key is computed once, at the first pass after it enters the queue (the key of a
// queued job is fixed while it waits: scheduler/policy_keys.h).
//
// Jobs enter through queued() and leave through left() (the run loop's queue changes,
// Policy::queued/left_queue), or erase() when the policy starts one in a pass.
#include <cstdint>
#include <iterator>
#include <set>
#include <utility>
#include <vector>

namespace podsim::scheduler {

template <typename Key>
class ClassQueue {
 public:
  using Entry = std::pair<Key, uint32_t>;  // (key, job)
  using Set = std::set<Entry>;

  void queued(uint32_t job) {
    grow(job);
    if (state_[job] == kIn) return;
    state_[job] = kFresh;
    fresh_.push_back(job);
  }
  void left(uint32_t job) { erase(job); }
  void erase(uint32_t job) {
    if (job >= state_.size()) return;
    if (state_[job] == kIn) {
      Set& s = classes_[class_[job]];
      s.erase({keys_[job], job});
      if (s.empty()) nonempty_.erase(class_[job]);
    }
    state_[job] = kOut;
  }

  // Keys the jobs queued since the last call, in the order they were queued: key_of(job)
  // and class_of(job) (a dense class id).
  template <typename KeyOf, typename ClassOf>
  void settle(KeyOf key_of, ClassOf class_of) {
    for (uint32_t j : fresh_) {
      if (state_[j] != kFresh) continue;
      const uint32_t c = class_of(j);
      if (c >= classes_.size()) {
        classes_.resize(c + 1);
        member_.resize(c + 1);
      }
      keys_[j] = key_of(j);
      class_[j] = c;
      member_[c] = j;
      classes_[c].emplace(keys_[j], j);
      nonempty_.insert(c);
      state_[j] = kIn;
    }
    fresh_.clear();
  }

  // Classes with queued jobs, ascending.
  const std::set<uint32_t>& nonempty() const { return nonempty_; }
  const Set& jobs_of(uint32_t c) const { return classes_[c]; }
  // A job of class c (it was queued once): what the class's jobs ask for is its.
  uint32_t member(uint32_t c) const { return member_[c]; }

 private:
  enum State : uint8_t { kOut, kFresh, kIn };
  void grow(uint32_t job) {
    if (job < state_.size()) return;
    state_.resize(job + 1, kOut);
    keys_.resize(job + 1);
    class_.resize(job + 1);
  }
  std::vector<State> state_;  // by job
  std::vector<Key> keys_;     // by job, while kIn
  std::vector<uint32_t> class_;
  std::vector<uint32_t> fresh_;
  std::vector<Set> classes_;
  std::vector<uint32_t> member_;
  std::set<uint32_t> nonempty_;
};

}  // namespace podsim::scheduler
