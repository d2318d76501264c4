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
// append, against log4(n) cache-missing levels per pop of a 4-ary heap. A bucket of
// level 1 or 2 is not scattered further but sorted once (stable counting sort) into a
// "run" that pops in order (engine/sorted_run.h); pops from a run prefetch the slots of
// the pops to come, which at 1 M pending are the only random memory accesses left.
// Buckets are FIFOs of pooled blocks (engine/block_fifo.h), so memory follows the
// number of pending events, not the largest size each bucket ever had.
//
// Ties: equal keys always share a bucket, buckets are filled by appending and drained
// in order, so insertion order among equal times is kept without a sequence number
// (only a run's late entries, kept in a heap, carry one).
// Cancellation is lazy: a handle names a slot and a generation; cancel() bumps the
// slot's generation, and stale entries are dropped when their bucket is next touched.
//
// Cost: push O(1) (O(log k) into a run with k late entries); pop amortized O(levels)
// = O(8); cancel O(1). Measured in
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

#include "engine/block_fifo.h"
#include "engine/check.h"
#include "engine/sorted_run.h"
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
    if (key < last_) [[unlikely]]
      rebase(key);  // only after a next_time() peek past an earlier push
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
      slots_[slot].payload = std::move(payload);
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back(Slot{0, std::move(payload)});
    }
    const uint32_t generation = ++slots_[slot].generation;  // odd: pending
    const Entry e{key, slot, generation};
    if (key < run_.limit()) [[unlikely]]
      push_into_run(e);
    else
      insert(e);
    ++size_;
    return EventHandle{slot, generation};
  }

  // Returns true iff the event was pending (and now never fires).
  bool cancel(EventHandle h) {
    if (!h.valid() || h.slot >= slots_.size() || slots_[h.slot].generation != h.generation) return false;
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
    Entry e;
    if (dead_ == 0 && !run_.empty()) [[likely]] {
      // The run's front is the minimum (nothing pending below the run's limit is
      // elsewhere) and, with nothing cancelled, live: settle() would only confirm it.
      e = run_.pop_front();
      last_ = e.key;
      // The slot of an event is a random index (slots are recycled), so at 1 M pending
      // its payload is a cache miss; the run knows which slots the next pops read.
      if (const Entry* ahead = run_.sorted_ahead(kPrefetchDistance)) {
        const Slot* slot = &slots_[ahead->slot];
        __builtin_prefetch(slot);
        // A slot larger than 8 bytes may straddle two cache lines (std::function: 40).
        if constexpr (sizeof(Slot) > 8) __builtin_prefetch(reinterpret_cast<const char*>(slot + 1) - 1);
      }
    } else {
      settle();
      e = !run_.empty() ? run_.pop_front() : next_in_level0();
    }
    last_popped_ = e.key;
    // One cache line for both: at 1 M pending the slot is a cache miss, and separate
    // payload and generation arrays made it two.
    Slot& s = slots_[e.slot];
    Payload p = std::move(s.payload);
    ++s.generation;  // even: free; the moved-from payload needs no reset
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
  struct Slot {
    uint32_t generation;  // odd: pending; a handle must match exactly
    Payload payload;
  };
  // 128 entries (2 KiB) per block: long enough for sequential scans to stream, short
  // enough that the partly filled blocks of ~hundreds of live buckets stay small.
  static constexpr uint32_t kBlockEntries = 128;
  using Bucket = BlockFifo<Entry, kBlockEntries>;

  Entry next_in_level0() {
    Bucket& b = buckets_[0][last_ & kDigitMask];
    const Entry e = b.front();
    b.pop_front(pool_);
    return e;
  }

  // The run (engine/sorted_run.h): a bucket of level 1 or 2 with at most kRunMaxSize
  // entries is sorted once (one or two counting-sort passes) instead of being scattered
  // into up to 256 buckets per level on its way down, each scatter an insert() with
  // its bitmap updates. kRunMaxSize covers a whole level-2 bucket (64 K keys wide) at
  // 1 M pending events with ~1 event per ns. A push inside the run's window joins its
  // heap of late entries; when late entries outnumber the sorted ones (zero-delay
  // storms), the run is dissolved back into the buckets, whose exact-key FIFOs serve
  // such storms in O(1), so no pattern costs more than without the run.
  static constexpr int kRunLevels = 2;
  static constexpr size_t kPrefetchDistance = 16;
  static constexpr size_t kRunMaxSize = size_t{1} << 17;
  static constexpr size_t kRunMinLate = 1024;

  [[gnu::noinline]] void push_into_run(const Entry& e) {
    if (run_.late_size() >= std::max(kRunMinLate, run_.sorted_remaining())) {
      dissolve_run();
      insert(e);
      return;
    }
    run_.push_late(e);
  }

  void dissolve_run() {
    run_.drain([this](const Entry& e) { insert(e); });
  }

  // While no cancelled entry is waiting in a bucket, every entry is live and the
  // (cache-missing) generation lookup is skipped.
  bool live(const Entry& e) const { return dead_ == 0 || slots_[e.slot].generation == e.generation; }

  [[gnu::always_inline]] void insert(const Entry& e) {
    const uint64_t diff = e.key ^ last_;
    const int level = diff == 0 ? 0 : (63 - std::countl_zero(diff)) / kDigitBits;
    const int digit = static_cast<int>((e.key >> (level * kDigitBits)) & kDigitMask);
    buckets_[level][digit].push_back(e, pool_);
    nonempty_[level][digit / 64] |= uint64_t{1} << (digit % 64);
    levels_nonempty_ |= uint32_t{1} << level;
  }

  void release(uint32_t slot) {
    ++slots_[slot].generation;  // even: free
    slots_[slot].payload = Payload{};
    free_.push_back(slot);
  }

  void mark_empty(int level, int digit) {
    buckets_[level][digit].clear(pool_);
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
  [[gnu::noinline]] void rebase(uint64_t key) {
    std::vector<Entry> all;
    all.reserve(size_);
    run_.drain([&](const Entry& e) {
      if (live(e)) all.push_back(e);
    });
    for (int level = 0; level < kLevels; ++level)
      for (int digit = 0; digit < kDigits; ++digit) {
        Bucket& b = buckets_[level][digit];
        b.for_each([&](const Entry& e) {
          if (live(e)) all.push_back(e);
        });
        mark_empty(level, digit);
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
      if (run_.limit() != 0) {
        while (!run_.empty() && !live(run_.front())) {
          run_.pop_front();
          --dead_;
        }
        if (!run_.empty()) {
          last_ = run_.front().key;
          return;
        }
        run_.end();
      }
      // Level 0: exact keys sharing every higher digit with last_.
      for (int d = first_nonempty(0, static_cast<int>(last_ & kDigitMask)); d >= 0; d = first_nonempty(0, d + 1)) {
        Bucket& b = buckets_[0][d];
        while (!b.empty() && !live(b.front())) {
          b.pop_front(pool_);
          --dead_;
        }
        if (!b.empty()) {
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
      if (level <= kRunLevels && from.size() <= kRunMaxSize) {
        // Keys below run_limit_ are all in this bucket: lower levels are empty, and
        // the others hold larger keys. A later push in that range joins the run, even
        // once the run is used up (until settle ends it): no pending key below the
        // limit is anywhere else.
        const uint64_t low_bits = (uint64_t{1} << (shift + kDigitBits)) - 1;
        run_.sort_from(from, level,
                       ((last_ & ~low_bits) | (static_cast<uint64_t>(digit) << shift)) + (uint64_t{1} << shift));
        mark_empty(level, digit);
        continue;
      }
      uint64_t min_key = UINT64_MAX;
      from.for_each([&](const Entry& e) { min_key = std::min(min_key, e.key); });
      last_ = min_key;
      from.for_each([&](const Entry& e) { insert(e); });
      mark_empty(level, digit);
    }
  }

  BlockPool<Entry, kBlockEntries> pool_;  // declared before the buckets that hold its blocks
  std::array<std::array<Bucket, kDigits>, kLevels> buckets_;
  std::array<std::array<uint64_t, kWords>, kLevels> nonempty_{};  // bit set: bucket may hold entries
  uint32_t levels_nonempty_ = 0;  // bit l set iff some bucket of level l is marked
  uint64_t last_ = 0;         // the current minimum key; no pending key is below it
  uint64_t last_popped_ = 0;  // the clock: key of the last popped entry
  std::vector<Slot> slots_;  // indexed by EventHandle::slot
  std::vector<uint32_t> free_;
  size_t size_ = 0;  // pending (not cancelled, not popped) events
  size_t dead_ = 0;  // cancelled entries still waiting in buckets or the run
  SortedRun<Entry> run_;
};

}  // namespace podsim::engine
