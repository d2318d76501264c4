#pragma once
// MinTree: a fixed-size array of int64 values with "the first index at or after i whose
// value passes a test" in O(log n), for tests that are downward closed (if a value
// passes, every smaller one does): a subtree whose minimum fails holds no match. The
// run loop's queue index (scheduler/queue_index.h) keeps one per class of queued job.
//
//   MinTree t(5, kUnset);  t.set(3, 7);
//   t.first_from(0, [](int64_t v) { return v <= 10; })  -> 3
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace podsim::scheduler {

class MinTree {
 public:
  MinTree(size_t n, int64_t value) : leaves_(std::bit_ceil(std::max<size_t>(n, 1))), size_(n), min_(2 * leaves_, value) {}

  size_t size() const { return size_; }
  int64_t get(size_t i) const { return min_[leaves_ + i]; }
  void set(size_t i, int64_t value) {
    size_t k = leaves_ + i;
    min_[k] = value;
    for (k /= 2; k >= 1; k /= 2) min_[k] = std::min(min_[2 * k], min_[2 * k + 1]);
  }

  // The first index >= from (and < size()) whose value passes `test`; nullopt if none.
  template <typename Test>
  std::optional<size_t> first_from(size_t from, const Test& test) const {
    if (from >= size_) return std::nullopt;
    // Walk up from the leaf, looking right of the path for a subtree holding a match,
    // then down into it; the padding past size() is never reached before a real match
    // because indices only grow.
    size_t k = leaves_ + from;
    if (test(min_[k])) return from;
    for (;;) {
      while (k % 2 == 1) {  // a right child: go up until there is a right sibling
        k /= 2;
        if (k == 0) return std::nullopt;
      }
      ++k;  // the right sibling
      if (test(min_[k])) break;
    }
    while (k < leaves_) k = test(min_[2 * k]) ? 2 * k : 2 * k + 1;
    const size_t i = k - leaves_;
    return i < size_ ? std::optional<size_t>(i) : std::nullopt;
  }

 private:
  size_t leaves_;
  size_t size_;
  std::vector<int64_t> min_;  // 1-based heap layout; leaves at [leaves_, 2 * leaves_)
};

}  // namespace podsim::scheduler
