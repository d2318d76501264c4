#pragma once
// BlockFifo: a first-in first-out sequence stored in fixed-size blocks that come from,
// and go back to, a shared BlockPool.
//
// Why not std::vector per bucket (what the event queue used first): a vector keeps its
// largest capacity forever and copies everything when it grows. The event queue has
// 2,048 buckets whose sizes swing between zero and the whole queue, so vectors both
// copied each entry again on growth (22 of ~265 instructions per push+pop at 1 M
// pending, callgrind) and retained, over a long run, capacity for every bucket's
// largest size (up to gigabytes at 1 M pending). Blocks are recycled through the pool:
// memory is the pending entries plus at most one partly filled block per non-empty
// bucket, and nothing is ever copied twice.
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/check.h"

namespace podsim::engine {

template <typename T, uint32_t kBlockSize>
class BlockPool {
 public:
  struct Block {
    T items[kBlockSize];
    Block* next;
  };

  BlockPool() = default;
  BlockPool(const BlockPool&) = delete;
  BlockPool& operator=(const BlockPool&) = delete;

  Block* take() {
    if (free_ == nullptr) [[unlikely]]
      grow();
    Block* b = free_;
    free_ = b->next;
    b->next = nullptr;
    return b;
  }

  // Returns the chain first -> ... -> last (linked by `next`) to the pool.
  void give(Block* first, Block* last) {
    last->next = free_;
    free_ = first;
  }

 private:
  static constexpr size_t kBlocksPerChunk = 64;

  void grow() {
    // Chunks are never freed before the pool: blocks are recycled, so the pool's size
    // is the high-water mark of blocks in use.
    chunks_.push_back(std::make_unique_for_overwrite<Block[]>(kBlocksPerChunk));
    Block* chunk = chunks_.back().get();
    for (size_t i = 0; i < kBlocksPerChunk; ++i) chunk[i].next = i + 1 < kBlocksPerChunk ? &chunk[i + 1] : free_;
    free_ = chunk;
  }

  std::vector<std::unique_ptr<Block[]>> chunks_;
  Block* free_ = nullptr;
};

template <typename T, uint32_t kBlockSize>
class BlockFifo {
 public:
  using Pool = BlockPool<T, kBlockSize>;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void push_back(const T& x, Pool& pool) {
    if (tail_count_ == kBlockSize || tail_ == nullptr) [[unlikely]] {
      typename Pool::Block* b = pool.take();
      if (tail_ != nullptr) tail_->next = b;
      else head_ = b;
      tail_ = b;
      tail_count_ = 0;
    }
    tail_->items[tail_count_++] = x;
    ++size_;
  }

  // REQUIRES: !empty().
  const T& front() const { return head_->items[head_index_]; }

  // REQUIRES: !empty(). A consumed block goes back to the pool at once.
  void pop_front(Pool& pool) {
    PODSIM_CHECK(size_ > 0, "pop_front on an empty block FIFO");
    --size_;
    if (++head_index_ == kBlockSize) {
      typename Pool::Block* done = head_;
      head_ = done->next;
      head_index_ = 0;
      pool.give(done, done);
      if (head_ == nullptr) {
        tail_ = nullptr;
        tail_count_ = 0;
      }
    }
  }

  // Returns every block to the pool.
  void clear(Pool& pool) {
    if (head_ != nullptr) pool.give(head_, tail_);
    head_ = tail_ = nullptr;
    head_index_ = tail_count_ = 0;
    size_ = 0;
  }

  // Calls f(item) for each item, oldest first. f may push into other BlockFifos of the
  // same pool (blocks taken from the pool are never this FIFO's), not into this one.
  template <typename F>
  void for_each(F&& f) const {
    for (const typename Pool::Block* b = head_; b != nullptr; b = b->next) {
      const uint32_t begin = b == head_ ? head_index_ : 0;
      const uint32_t end = b == tail_ ? tail_count_ : kBlockSize;
      for (uint32_t i = begin; i < end; ++i) f(b->items[i]);
    }
  }

 private:
  typename Pool::Block* head_ = nullptr;
  typename Pool::Block* tail_ = nullptr;
  uint32_t head_index_ = 0;  // next item to pop in head_
  uint32_t tail_count_ = 0;  // items written in tail_
  size_t size_ = 0;          // items pushed and not popped
};

}  // namespace podsim::engine
