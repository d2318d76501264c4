#pragma once
// MonotoneQueue: a min-queue of (time, flow, sequence) entries whose keys stay at or
// above the simulated clock, for completion and activation times. A radix heap (Ahuja,
// Mehlhorn, Orlin, Tarjan, J. ACM 37(2), 1990), like engine/event_queue.h, but with
// 16-byte entries and no payload slots or handles: the flow network tells live entries
// from stale ones (a re-rated flow's old finish time) by the flow's sequence number,
// which keeps millions of pending completions cheap. Entries with equal keys sit
// together in bucket 0, so "everything finishing at t" pops as one run.
//
// Popping stale heads ahead of the clock (drop_stale_heads) moves the radix base past
// keys that may still be pushed; such a push re-files the queue (O(n)). That happens
// only when a stale entry was the earliest one, which is rare.
//
// Cost: push O(1); pop amortized O(1) for the clustered keys of collectives, O(64)
// worst case.
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "engine/check.h"

namespace podsim::engine {

class MonotoneQueue {
 public:
  struct Entry {
    uint64_t key;
    uint32_t flow;
    uint32_t seq;
  };

  void push(uint64_t key, uint32_t flow, uint32_t seq) {
    if (key < last_) rebase(key);
    insert(Entry{key, flow, seq});
    ++size_;
  }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  // REQUIRES: !empty().
  uint64_t min_key() {
    settle();
    return last_;
  }
  const Entry& top() {
    settle();
    return buckets_[0][head0_];
  }
  // REQUIRES: !empty().
  Entry pop() {
    settle();
    --size_;
    return buckets_[0][head0_++];
  }
  // Pops entries while the earliest one is not live(entry).
  template <typename Live>
  void drop_stale_heads(const Live& live) {
    while (size_ > 0 && !live(top())) pop();
  }
  // Removes every entry that is not live(entry). O(n).
  template <typename Live>
  void drop_stale(const Live& live) {
    std::vector<Entry> all = take_all();
    for (const Entry& e : all)
      if (live(e)) insert(e);
    size_ = 0;
    for (const auto& b : buckets_) size_ += b.size();
  }

 private:
  void insert(const Entry& e) {
    const uint64_t diff = e.key ^ last_;
    const int b = diff == 0 ? 0 : 64 - std::countl_zero(diff);
    buckets_[b].push_back(e);
    if (b > 0) nonempty_ |= uint64_t{1} << (b - 1);
  }
  void settle() {
    PODSIM_CHECK(size_ > 0, "MonotoneQueue: empty");
    if (head0_ < buckets_[0].size()) return;
    release(buckets_[0]);
    head0_ = 0;
    const int b = std::countr_zero(nonempty_) + 1;
    nonempty_ &= ~(uint64_t{1} << (b - 1));
    auto& bucket = buckets_[b];
    uint64_t min = bucket.front().key;
    for (const Entry& e : bucket) min = e.key < min ? e.key : min;
    last_ = min;
    // Every entry shares more leading bits with the new minimum than with the old, so
    // it lands in a lower bucket; order among equal keys is kept.
    for (const Entry& e : bucket) insert(e);
    release(bucket);
  }
  // Empties the queue into one vector, in bucket order, and resets the base to 0.
  std::vector<Entry> take_all() {
    std::vector<Entry> all;
    all.reserve(size_);
    all.insert(all.end(), buckets_[0].begin() + static_cast<std::ptrdiff_t>(head0_), buckets_[0].end());
    for (int b = 1; b < 65; ++b) all.insert(all.end(), buckets_[b].begin(), buckets_[b].end());
    for (auto& bucket : buckets_) release(bucket);
    head0_ = 0;
    nonempty_ = 0;
    last_ = 0;
    return all;
  }
  void rebase(uint64_t key) {
    std::vector<Entry> all = take_all();
    last_ = key;
    for (const Entry& e : all) insert(e);
  }
  // One-off giant buckets (an all-to-all's completions) give their memory back.
  static void release(std::vector<Entry>& bucket) {
    if (bucket.capacity() > (size_t{1} << 16)) {
      std::vector<Entry>().swap(bucket);
    } else {
      bucket.clear();
    }
  }

  std::array<std::vector<Entry>, 65> buckets_;
  size_t head0_ = 0;        // entries of bucket 0 before it are popped
  uint64_t nonempty_ = 0;   // bit b-1 set iff bucket b (b >= 1) holds entries
  uint64_t last_ = 0;       // radix base: no entry has a smaller key
  size_t size_ = 0;
};

}  // namespace podsim::engine
