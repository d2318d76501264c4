#pragma once
// RunningOrder: a preemptive policy's running jobs kept ordered between passes, per
// pool, by the policy's rank, with the devices they hold summed over every subtree.
// A pass (preemptive_pass in scheduler/policy.cc) used to key and sort every running
// job, O(R log R) per pass with R in the thousands on a large cluster; with this it asks
// only "devices held in pool p by the jobs ranked at or after x" and "the first job of
// pool p whose followers hold fewer than d devices", O(log R) each.
//
// The key a job is kept under must order the running jobs as the policy's rank does at
// every instant, and change only when the run loop says so (Policy::running_changed:
// the job started, stopped, or its finish moved): PRIORITY's rank itself; for SRTF the
// finish time (remaining times at any instant order running jobs as their finish times
// do, scheduler/policy_keys.h). A job's new key is taken at the next settle().
//
//   pool 0 holds a (rank 1, 4 devices), b (rank 2, 2), c (rank 3, 8):
//   held_from(pool(0), rank < 2) = 10;   first_with_followers_below(pool(0), 9) = b
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace podsim::scheduler {

// pb_ds node update: each node's metadata is the devices held in its subtree.
template <typename NodeCItr, typename NodeItr, typename Cmp, typename Alloc>
class DeviceSums {
 public:
  using metadata_type = int64_t;
  virtual ~DeviceSums() = default;
  void operator()(NodeItr n, NodeCItr end) const {
    int64_t sum = (*n)->devices;
    if (NodeItr l = n.get_l_child(); l != end) sum += l.get_metadata();
    if (NodeItr r = n.get_r_child(); r != end) sum += r.get_metadata();
    const_cast<int64_t&>(n.get_metadata()) = sum;
  }
  virtual NodeCItr node_begin() const = 0;
  virtual NodeCItr node_end() const = 0;
};

template <typename Key>
class RunningOrder {
 public:
  struct Entry {
    Key key;  // unique (ends in the job id)
    uint32_t job = 0;
    int64_t devices = 0;
    bool operator<(const Entry& o) const { return key < o.key; }
  };
  using Tree = __gnu_pbds::tree<Entry, __gnu_pbds::null_type, std::less<Entry>, __gnu_pbds::rb_tree_tag, DeviceSums>;
  using Iterator = typename Tree::const_iterator;

  // The job started, stopped, or what its key depends on changed.
  void changed(uint32_t job) {
    if (job >= where_.size()) {
      where_.resize(job + 1);
      dirty_.resize(job + 1, false);
    }
    if (dirty_[job]) return;
    dirty_[job] = true;
    changed_.push_back(job);
  }

  // Re-keys the jobs changed since the last call: key_of(job) for those running, on
  // pool_of(job), holding devices_of(job) devices; the others leave.
  template <typename IsRunning, typename KeyOf, typename PoolOf, typename DevicesOf>
  void settle(IsRunning is_running, KeyOf key_of, PoolOf pool_of, DevicesOf devices_of) {
    for (uint32_t j : changed_) {
      dirty_[j] = false;
      if (where_[j]) pools_[where_[j]->pool].erase(where_[j]->entry);
      where_[j].reset();
      if (!is_running(j)) continue;
      const uint32_t p = pool_of(j);
      if (p >= pools_.size()) pools_.resize(p + 1);
      const Entry e{.key = key_of(j), .job = j, .devices = devices_of(j)};
      pools_[p].insert(e);
      where_[j] = Place{p, e};
    }
    changed_.clear();
  }

  const Tree& pool(uint32_t p) const { return p < pools_.size() ? pools_[p] : empty_; }

  // Devices held in the tree.
  static int64_t held(const Tree& t) { return sum(t.node_begin(), t.node_end()); }
  // Devices held by the entries not `before`. REQUIRES: before(e) holds for a prefix.
  template <typename Before>
  static int64_t held_from(const Tree& t, Before before) {
    int64_t total = 0;
    for (auto n = t.node_begin(); n != t.node_end();) {
      if (before(**n)) {
        n = n.get_r_child();
      } else {
        total += (**n).devices + sum(n.get_r_child(), t.node_end());
        n = n.get_l_child();
      }
    }
    return total;
  }
  // The first entry not `before` (end() if none). REQUIRES: as held_from.
  template <typename Before>
  static Iterator first_from(const Tree& t, Before before) {
    Iterator best = t.end();
    for (auto n = t.node_begin(); n != t.node_end();) {
      if (before(**n)) {
        n = n.get_r_child();
      } else {
        best = *n;
        n = n.get_l_child();
      }
    }
    return best;
  }
  // The first entry whose followers hold fewer than d devices (end() if none): the
  // followers' devices shrink along the order, so these entries are a suffix.
  static Iterator first_with_followers_below(const Tree& t, int64_t d) {
    Iterator best = t.end();
    int64_t right = 0;  // devices of the entries after the current subtree
    for (auto n = t.node_begin(); n != t.node_end();) {
      const int64_t after = right + sum(n.get_r_child(), t.node_end());
      if (after < d) {
        best = *n;
        right = after + (**n).devices;
        n = n.get_l_child();
      } else {
        n = n.get_r_child();
      }
    }
    return best;
  }

 private:
  template <typename NodeItr, typename NodeEnd>
  static int64_t sum(NodeItr n, NodeEnd end) {
    return n == end ? 0 : n.get_metadata();
  }
  struct Place {
    uint32_t pool;
    Entry entry;
  };
  std::vector<Tree> pools_;
  Tree empty_;
  std::vector<std::optional<Place>> where_;  // by job: its entry while kept
  std::vector<bool> dirty_;                  // by job: in changed_
  std::vector<uint32_t> changed_;
};

}  // namespace podsim::scheduler
