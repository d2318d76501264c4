#pragma once
// SortedRun: the event queue's current window of keys [.., limit), held in order so
// pops cost a few instructions each.
//
// A bucket of the radix heap that is small enough is sorted once (stable LSD counting
// sort, one pass per 8-bit digit) instead of being scattered one level down. Events
// pushed later with a key inside the window cannot be appended to the sorted array
// without moving it, so they go to a small binary heap on (key, push order), the
// "late" entries; the front of the run is the smaller of the two heads, the sorted
// array winning ties because its entries were all pushed before any late one. In the
// hold benchmark at 1 M pending (bench/event_queue_bench.cc) a 64 K-entry window takes
// ~6% of the pushes as late entries.
//
// Entry: a trivially copyable struct with a `uint64_t key`.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "engine/check.h"

namespace podsim::engine {

template <typename Entry>
class SortedRun {
 public:
  // Every pending key below the limit is in the run; 0 means there is no run.
  uint64_t limit() const { return limit_; }
  bool empty() const { return head_ == end_ && late_.empty(); }
  size_t sorted_remaining() const { return end_ - head_; }
  size_t late_size() const { return late_.size(); }

  // The sorted entry `k` places after the head, or null past the end: a look-ahead for
  // prefetching what the coming pops will touch.
  const Entry* sorted_ahead(size_t k) const { return head_ + k < end_ ? &sorted_[head_ + k] : nullptr; }

  // The earliest entry. REQUIRES: !empty().
  const Entry& front() const { return from_sorted() ? sorted_[head_] : late_.front().entry; }

  // REQUIRES: !empty().
  Entry pop_front() {
    if (from_sorted()) return sorted_[head_++];
    std::pop_heap(late_.begin(), late_.end(), later);
    const Entry e = late_.back().entry;
    late_.pop_back();
    return e;
  }

  // REQUIRES: e.key < limit().
  void push_late(const Entry& e) {
    late_.push_back(Late{e, next_seq_++});
    std::push_heap(late_.begin(), late_.end(), later);
  }

  // Replaces the run (which must be empty) with `from`'s entries sorted stably on
  // their `digits` lowest 8-bit digits (the higher ones being equal), and sets the
  // limit. `from` is a BlockFifo<Entry, ...> (engine/block_fifo.h).
  template <typename Fifo>
  void sort_from(const Fifo& from, int digits, uint64_t limit) {
    PODSIM_CHECK(empty(), "a new run replaced entries still pending in the old one");
    const size_t n = from.size();
    if (sorted_.size() < n) {
      sorted_.resize(n);
      scratch_.resize(n);
    }
    head_ = 0;
    end_ = n;
    limit_ = limit;
    next_seq_ = 0;
    if (n <= kInsertionSortMax) {
      // A few entries (an analytical op graph keeps about one pending event per lane):
      // the counting sort's fixed cost, two 257-slot tables per pass, dominates. A
      // stable insertion sort on the key gives the same order: the entries share every
      // digit above `digits` (tests: event_queue_test, "small and large runs").
      size_t k = 0;
      from.for_each([&](const Entry& e) {
        size_t j = k++;
        for (; j > 0 && sorted_[j - 1].key > e.key; --j) sorted_[j] = sorted_[j - 1];
        sorted_[j] = e;
      });
      return;
    }
    for (int pass = 0; pass < digits; ++pass) {
      const int shift = pass * 8;
      // Passes alternate between scratch_ and sorted_ so that the last writes sorted_.
      Entry* to = (digits - pass) % 2 == 1 ? sorted_.data() : scratch_.data();
      const Entry* src = (digits - pass) % 2 == 1 ? scratch_.data() : sorted_.data();
      std::array<uint32_t, 257> start{};
      auto count = [&](const Entry& e) { ++start[((e.key >> shift) & 0xff) + 1]; };
      auto place = [&](const Entry& e) { to[start[(e.key >> shift) & 0xff]++] = e; };
      if (pass == 0) from.for_each(count);
      else
        std::for_each(src, src + n, count);
      for (int d = 0; d < 256; ++d) start[d + 1] += start[d];
      if (pass == 0) from.for_each(place);
      else
        std::for_each(src, src + n, place);
    }
  }

  // Calls f(entry) for every entry in (key, push) order and ends the run.
  template <typename F>
  void drain(F&& f) {
    while (!empty()) f(pop_front());
    end();
  }

  // Ends the run; REQUIRES: empty() or its entries are no longer wanted.
  void end() {
    head_ = end_ = 0;
    late_.clear();
    limit_ = 0;
  }

 private:
  // Runs up to this size are sorted by insertion (sort_from).
  static constexpr size_t kInsertionSortMax = 32;

  struct Late {
    Entry entry;
    uint64_t seq;  // push order among late entries, for ties
  };
  // std heap comparator: true if a pops after b.
  static bool later(const Late& a, const Late& b) {
    return a.entry.key > b.entry.key || (a.entry.key == b.entry.key && a.seq > b.seq);
  }
  bool from_sorted() const {
    return head_ < end_ && (late_.empty() || sorted_[head_].key <= late_.front().entry.key);
  }

  std::vector<Entry> sorted_;  // [head_, end_) pending, in order; capacity kept for reuse
  size_t head_ = 0, end_ = 0;
  std::vector<Late> late_;     // binary min-heap on (key, seq)
  uint64_t next_seq_ = 0;
  uint64_t limit_ = 0;
  std::vector<Entry> scratch_;  // counting-sort buffer
};

}  // namespace podsim::engine
