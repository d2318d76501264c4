#pragma once
// EventQueue: the pending events of a discrete-event simulation, popped in order of
// (time, insertion sequence): of two events at the same instant, the one pushed first
// pops first, so runs are deterministic.
//
// Implementation: a radix heap (Ahuja, Mehlhorn, Orlin, Tarjan, "Faster algorithms for
// the shortest path problem", J. ACM 37(2), 1990). It exploits two facts of a
// simulation clock: times are integers, and no event is ever scheduled before the last
// one popped (monotone). An entry lives in bucket msb(key XOR last_popped), so buckets
// hold ever-narrower key ranges; each entry moves down at most 64 times over its life
// and usually once or twice, against log4(n) cache-missing levels per pop of a d-ary
// heap. Equal keys always share a bucket and buckets are filled by appending, so
// insertion order among equal times is preserved without storing a sequence number.
//
// Cancellation is lazy: a handle names a slot and a generation; cancel() bumps the
// slot's generation, and stale entries are dropped when their bucket is next touched.
//
// Cost: push O(1); pop amortized O(64) worst case, O(1) typical; cancel O(1).
// REQUIRES (checked): push(t) with t >= the time of the last popped event, t >= 0.
// Pushing below a peeked (next_time) but unpopped minimum is allowed and costs O(n).
#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "engine/check.h"
#include "engine/sim_time.h"

namespace podsim::engine {

// Names one pushed event. Default-constructed handles name nothing.
struct EventHandle {
  uint32_t slot = UINT32_MAX;
  uint32_t generation = 0;
  bool valid() const { return slot != UINT32_MAX; }
};

template <typename Payload>
class EventQueue {
 public:
  EventHandle push(SimTime t, Payload payload) {
    PODSIM_CHECK(t.ns() >= 0, "event time is negative");
    const auto key = static_cast<uint64_t>(t.ns());
    PODSIM_CHECK(key >= last_popped_, "event scheduled before the current simulated time");
    if (key < last_) rebase(key);  // only after a next_time() peek past an earlier push
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
      slots_[slot].payload = std::move(payload);
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back(Slot{std::move(payload), 0, false});
    }
    slots_[slot].pending = true;
    const uint32_t generation = slots_[slot].generation;
    insert(Entry{key, slot, generation});
    ++size_;
    return EventHandle{slot, generation};
  }

  // Returns true iff the event was pending (and now never fires).
  bool cancel(EventHandle h) {
    if (!h.valid() || h.slot >= slots_.size()) return false;
    Slot& s = slots_[h.slot];
    if (!s.pending || s.generation != h.generation) return false;
    release(h.slot);
    --size_;
    return true;
  }

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  // Time of the next event to pop. REQUIRES: !empty().
  SimTime next_time() {
    settle();
    return SimTime::nanos(static_cast<int64_t>(last_));
  }

  // Removes and returns the earliest event. REQUIRES: !empty().
  std::pair<SimTime, Payload> pop() {
    settle();
    const Entry e = buckets_[0][head0_++];
    last_popped_ = e.key;
    Payload p = std::move(slots_[e.slot].payload);
    release(e.slot);
    --size_;
    return {SimTime::nanos(static_cast<int64_t>(e.key)), std::move(p)};
  }

 private:
  struct Entry {
    uint64_t key;
    uint32_t slot;
    uint32_t generation;
  };
  struct Slot {
    Payload payload;
    uint32_t generation;
    bool pending;
  };

  static constexpr int kBuckets = 65;  // bucket 0: key == last_; bucket b: msb(key^last_) == b-1

  int bucket_of(uint64_t key) const {
    const uint64_t diff = key ^ last_;
    return diff == 0 ? 0 : 64 - std::countl_zero(diff);
  }
  void insert(const Entry& e) {
    const int b = bucket_of(e.key);
    buckets_[b].push_back(e);
    if (b > 0) nonempty_ |= uint64_t{1} << (b - 1);
  }
  bool live(const Entry& e) const {
    const Slot& s = slots_[e.slot];
    return s.pending && s.generation == e.generation;
  }
  void release(uint32_t slot) {
    Slot& s = slots_[slot];
    s.pending = false;
    ++s.generation;
    s.payload = Payload{};
    free_.push_back(slot);
  }

  // Re-files every live entry relative to a smaller base key. O(n), needed only when a
  // peek moved last_ ahead of the clock and an earlier event is then pushed. Walking
  // the buckets in order keeps equal keys in insertion order.
  void rebase(uint64_t key) {
    std::vector<Entry> all;
    all.reserve(size_);
    for (size_t i = head0_; i < buckets_[0].size(); ++i)
      if (live(buckets_[0][i])) all.push_back(buckets_[0][i]);
    for (int b = 1; b < kBuckets; ++b)
      for (const Entry& e : buckets_[b])
        if (live(e)) all.push_back(e);
    for (auto& bucket : buckets_) bucket.clear();
    head0_ = 0;
    nonempty_ = 0;
    last_ = key;
    for (const Entry& e : all) insert(e);
  }

  // Makes buckets_[0][head0_] the earliest live entry. REQUIRES: size_ > 0.
  void settle() {
    PODSIM_CHECK(size_ > 0, "pop or next_time on an empty event queue");
    for (;;) {
      auto& b0 = buckets_[0];
      while (head0_ < b0.size() && !live(b0[head0_])) ++head0_;
      if (head0_ < b0.size()) return;
      b0.clear();
      head0_ = 0;
      PODSIM_CHECK(nonempty_ != 0, "event queue lost track of its entries");
      const int b = std::countr_zero(nonempty_) + 1;
      auto& bucket = buckets_[b];
      nonempty_ &= ~(uint64_t{1} << (b - 1));
      std::optional<uint64_t> min_key;
      for (const Entry& e : bucket)
        if (live(e) && (!min_key || e.key < *min_key)) min_key = e.key;
      if (min_key) {
        last_ = *min_key;
        // Every live entry lands in a lower bucket: its key shares more leading bits
        // with the new minimum than with the old one. Iteration order keeps FIFO ties.
        for (const Entry& e : bucket)
          if (live(e)) insert(e);
      }
      bucket.clear();
    }
  }

  std::array<std::vector<Entry>, kBuckets> buckets_;
  size_t head0_ = 0;         // entries of bucket 0 before this index are consumed
  uint64_t nonempty_ = 0;    // bit b-1 set iff bucket b (b >= 1) may hold entries
  uint64_t last_ = 0;        // key of the most recent minimum; no key below it exists
  uint64_t last_popped_ = 0; // the clock: key of the last popped entry
  std::vector<Slot> slots_;  // payload storage, indexed by EventHandle::slot
  std::vector<uint32_t> free_;
  size_t size_ = 0;          // pending (not cancelled, not popped) events
};

}  // namespace podsim::engine
