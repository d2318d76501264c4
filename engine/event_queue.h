#pragma once
// EventQueue: the pending events of a discrete-event simulation, popped in order of
// (time, insertion sequence): of two events at the same instant, the one pushed first
// pops first, so runs are deterministic.
//
// Implementation: a radix heap with 256-way digits (Ahuja, Mehlhorn, Orlin, Tarjan,
// "Faster algorithms for the shortest path problem", J. ACM 37(2), 1990, §3 with
// base-2^8 buckets). It exploits two facts of a simulation clock: times are integers,
// and no event is scheduled before the last one popped (monotone). Keys are split into
// eight 8-bit digits. An entry lives in bucket (level, digit), where level is the most
// significant digit in which its key differs from `last_` (the current minimum) and
// digit is its key's value there; level 0 holds exact keys. Popping takes from the
// lowest non-empty level-0 bucket; when level 0 is empty, the lowest non-empty bucket
// above is scanned for its minimum, which becomes `last_`, and its entries move down.
// An entry moves at most 7 times over its life (typically 1-3), each move a sequential
// append, against log4(n) cache-missing levels per pop of a 4-ary heap. A small bucket
// of level 1 or 2 is not scattered further but sorted once (stable counting sort) into
// a "run" that pops in order (see insert_into_run).
//
// Ties: equal keys always share a bucket, buckets are filled by appending and drained
// in order, so insertion order among equal times is kept without a sequence number.
// Cancellation is lazy: a handle names a slot and a generation; cancel() bumps the
// slot's generation, and stale entries are dropped when their bucket is next touched.
//
// Cost: push O(1); pop amortized O(levels) = O(8); cancel O(1). Measured in
// bench/event_queue_bench.cc (numbers in bench/README.md).
// REQUIRES (checked): push(t) with t >= the time of the last popped event, t >= 0.
// Pushing below a peeked (next_time) but unpopped minimum is allowed and costs O(n).
#include <algorithm>
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
      payloads_[slot] = std::move(payload);
    } else {
      slot = static_cast<uint32_t>(payloads_.size());
      payloads_.push_back(std::move(payload));
      generations_.push_back(0);
    }
    const uint32_t generation = ++generations_[slot];  // odd: pending
    const Entry e{key, slot, generation};
    if (run_head_ < run_.size() && key <= run_hi_) insert_into_run(e);
    else insert(e);
    ++size_;
    return EventHandle{slot, generation};
  }

  // Returns true iff the event was pending (and now never fires).
  bool cancel(EventHandle h) {
    if (!h.valid() || h.slot >= generations_.size() || generations_[h.slot] != h.generation) return false;
    release(h.slot);
    --size_;
    ++dead_;
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
    const Entry e = run_head_ < run_.size() ? run_[run_head_++] : next_in_level0();
    last_popped_ = e.key;
    Payload p = std::move(payloads_[e.slot]);
    ++generations_[e.slot];  // even: free; the moved-from payload needs no reset
    free_.push_back(e.slot);
    --size_;
    return {SimTime::nanos(static_cast<int64_t>(e.key)), std::move(p)};
  }

 private:
  static constexpr int kDigitBits = 8;
  static constexpr int kDigits = 1 << kDigitBits;
  static constexpr uint64_t kDigitMask = kDigits - 1;
  static constexpr int kLevels = 64 / kDigitBits;
  static constexpr int kWords = kDigits / 64;
  static_assert(kWords == 4, "mark_empty tests four words");

  struct Entry {
    uint64_t key;
    uint32_t slot;
    uint32_t generation;
  };
  Entry next_in_level0() {
    Bucket& b = buckets_[0][last_ & kDigitMask];
    return b.entries[b.head++];
  }

  // The run: a small bucket sorted once (stable counting sort on the digits below its
  // level) and then popped in order, instead of scattering it into up to 256 exact-key
  // buckets that each cost a bitmap update and an emptying. A push inside the run's key
  // range is inserted in order (after equal keys: FIFO); when that would move many
  // entries (zero-delay storms), the run is dissolved back into the buckets, which then
  // serve as before, so no pattern costs more than without the run.
  static constexpr size_t kRunMaxMove = 64;
  static constexpr int kRunLevels = 2;         // sort buckets of levels 1-2 (1-2 passes)
  static constexpr size_t kRunMaxSize = 1 << 12;  // measured best of 2^9..2^16 on the hold benchmark

  void insert_into_run(const Entry& e) {
    auto pos = std::upper_bound(run_.begin() + static_cast<std::ptrdiff_t>(run_head_), run_.end(), e.key,
                                [](uint64_t k, const Entry& x) { return k < x.key; });
    if (static_cast<size_t>(run_.end() - pos) > kRunMaxMove) {
      dissolve_run();
      insert(e);
      return;
    }
    run_.insert(pos, e);
  }

  void dissolve_run() {
    for (size_t i = run_head_; i < run_.size(); ++i) insert(run_[i]);
    run_.clear();
    run_head_ = 0;
  }

  // Stable LSD counting sort of `from` on its `levels` lowest digits into run_.
  void sort_into_run(std::vector<Entry>& from, int levels) {
    run_.swap(from);
    scratch_.resize(run_.size());
    for (int l = 0; l < levels; ++l) {
      const int shift = l * kDigitBits;
      std::array<uint32_t, kDigits + 1> start{};
      for (const Entry& e : run_) ++start[((e.key >> shift) & kDigitMask) + 1];
      for (int d = 0; d < kDigits; ++d) start[d + 1] += start[d];
      for (const Entry& e : run_) scratch_[start[(e.key >> shift) & kDigitMask]++] = e;
      run_.swap(scratch_);
    }
    run_head_ = 0;
    from.clear();  // `from` now holds the old run's storage, kept for reuse
  }

  struct Bucket {
    std::vector<Entry> entries;
    size_t head = 0;  // entries before head are consumed (level 0 only)
  };

  // While no cancelled entry is waiting in a bucket, every entry is live and the
  // (cache-missing) generation lookup is skipped.
  bool live(const Entry& e) const { return dead_ == 0 || generations_[e.slot] == e.generation; }

  [[gnu::always_inline]] void insert(const Entry& e) {
    const uint64_t diff = e.key ^ last_;
    const int level = diff == 0 ? 0 : (63 - std::countl_zero(diff)) / kDigitBits;
    const int digit = static_cast<int>((e.key >> (level * kDigitBits)) & kDigitMask);
    buckets_[level][digit].entries.push_back(e);
    nonempty_[level][digit / 64] |= uint64_t{1} << (digit % 64);
    levels_nonempty_ |= uint32_t{1} << level;
  }

  void release(uint32_t slot) {
    ++generations_[slot];  // even: free
    payloads_[slot] = Payload{};
    free_.push_back(slot);
  }

  void mark_empty(int level, int digit) {
    Bucket& b = buckets_[level][digit];
    b.entries.clear();
    b.head = 0;
    auto& words = nonempty_[level];
    words[digit / 64] &= ~(uint64_t{1} << (digit % 64));
    if ((words[0] | words[1] | words[2] | words[3]) == 0) levels_nonempty_ &= ~(uint32_t{1} << level);
  }

  // Lowest non-empty digit >= from at `level`, or -1.
  [[gnu::always_inline]] int first_nonempty(int level, int from) const {
    if (from >= kDigits) return -1;
    const auto& words = nonempty_[level];
    int w = from >> 6;
    uint64_t bits = words[w] & (~uint64_t{0} << (from & 63));
    while (bits == 0) {
      if (++w == kWords) return -1;
      bits = words[w];
    }
    return (w << 6) + std::countr_zero(bits);
  }

  // Re-files every live entry relative to a smaller base key. O(n), needed only when a
  // peek moved last_ ahead of the clock and an earlier event is then pushed. Walking
  // the buckets in key order keeps equal keys in insertion order.
  void rebase(uint64_t key) {
    std::vector<Entry> all;
    all.reserve(size_);
    for (size_t i = run_head_; i < run_.size(); ++i)
      if (live(run_[i])) all.push_back(run_[i]);
    run_.clear();
    run_head_ = 0;
    for (int level = 0; level < kLevels; ++level)
      for (int digit = 0; digit < kDigits; ++digit) {
        Bucket& b = buckets_[level][digit];
        for (size_t i = b.head; i < b.entries.size(); ++i)
          if (live(b.entries[i])) all.push_back(b.entries[i]);
        if (!b.entries.empty()) mark_empty(level, digit);
      }
    last_ = key;
    dead_ = 0;  // the cancelled were left behind
    for (const Entry& e : all) insert(e);
  }

  // Makes the level-0 bucket of last_ hold the earliest live entry at its head.
  // REQUIRES: size_ > 0.
  void settle() {
    PODSIM_CHECK(size_ > 0, "pop or next_time on an empty event queue");
    for (;;) {
      if (run_head_ < run_.size()) {
        while (run_head_ < run_.size() && !live(run_[run_head_])) {
          ++run_head_;
          --dead_;
        }
        if (run_head_ < run_.size()) {
          last_ = run_[run_head_].key;
          return;
        }
      }
      run_.clear();
      run_head_ = 0;
      // Level 0: exact keys sharing every higher digit with last_.
      for (int d = first_nonempty(0, static_cast<int>(last_ & kDigitMask)); d >= 0; d = first_nonempty(0, d + 1)) {
        Bucket& b = buckets_[0][d];
        while (b.head < b.entries.size() && !live(b.entries[b.head])) {
          ++b.head;
          --dead_;
        }
        if (b.head < b.entries.size()) {
          last_ = (last_ & ~kDigitMask) | static_cast<uint64_t>(d);
          return;
        }
        mark_empty(0, d);
      }
      // The lowest non-empty bucket above level 0 holds the minimum; it becomes last_
      // and the bucket's entries move down (never back into this bucket: they share
      // every digit from `level` up with the new last_, so it can be iterated while
      // inserting). Cancelled entries move too (checking here would cost a random
      // access per entry per move) and are dropped at level 0; a cancelled minimum is
      // harmless, still <= every pending key. Iterating in order keeps equal keys in
      // insertion order.
      const uint32_t upper = levels_nonempty_ & ~uint32_t{1};
      PODSIM_CHECK(upper != 0, "event queue lost track of its entries");
      const int level = std::countr_zero(upper);
      const int digit = first_nonempty(level, 0);
      PODSIM_CHECK(digit >= 0, "event queue level summary out of date");
      Bucket& from = buckets_[level][digit];
      const int shift = level * kDigitBits;
      if (level <= kRunLevels && from.entries.size() <= kRunMaxSize) {
        // Keys <= run_hi_ are all in this bucket: lower levels are empty, and the
        // others hold larger keys. A later push in that range joins the run.
        const uint64_t low_bits = (uint64_t{1} << (shift + kDigitBits)) - 1;
        run_hi_ = (last_ & ~low_bits) | (static_cast<uint64_t>(digit) << shift) | ((uint64_t{1} << shift) - 1);
        sort_into_run(from.entries, level);
        mark_empty(level, digit);
        continue;
      }
      uint64_t min_key = UINT64_MAX;
      for (const Entry& e : from.entries) min_key = std::min(min_key, e.key);
      last_ = min_key;
      for (const Entry& e : from.entries) insert(e);
      mark_empty(level, digit);
    }
  }

  std::array<std::array<Bucket, kDigits>, kLevels> buckets_;
  std::array<std::array<uint64_t, kWords>, kLevels> nonempty_{};  // bit set: bucket may hold entries
  uint32_t levels_nonempty_ = 0;  // bit l set iff some bucket of level l is marked
  uint64_t last_ = 0;         // the current minimum key; no pending key is below it
  uint64_t last_popped_ = 0;  // the clock: key of the last popped entry
  std::vector<Payload> payloads_;        // indexed by EventHandle::slot
  std::vector<uint32_t> generations_;    // odd: slot pending; a handle must match exactly
  std::vector<uint32_t> free_;
  size_t size_ = 0;  // pending (not cancelled, not popped) events
  size_t dead_ = 0;  // cancelled entries still waiting in buckets or the run
  std::vector<Entry> run_;      // sorted; entries before run_head_ are consumed
  size_t run_head_ = 0;
  uint64_t run_hi_ = 0;         // while the run is active, every key <= run_hi_ is in it
  std::vector<Entry> scratch_;  // counting-sort buffer
};

}  // namespace podsim::engine
