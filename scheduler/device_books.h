#pragma once
// DeviceBooks: the cluster run's ledger of devices -- which are free (the free map
// placement reads), which job holds each, which are down and for how many failures at
// once, the hot spares held back in each pool -- and the counts sampled from it. It
// holds the invariants "a device has at most one owner" and "devices held never exceed
// capacity" (docs/reliability.md); scheduler/cluster_run.cc decides what happens to
// jobs, this only keeps the books.
//
//   DeviceBooks books(inv);
//   books.hold_spares(2);                       // the last 2 devices of each pool
//   std::vector<uint32_t> d = books.take(j, pool, choice.takes);
//   for (uint32_t hit : books.fail(devices)) ...  // jobs that held a failed device
//   books.repair(devices);                      // back to the spares first, then free
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "scheduler/free_map.h"
#include "scheduler/inventory.h"

namespace podsim::scheduler {

class DeviceBooks {
 public:
  explicit DeviceBooks(const Inventory& inv);

  // Holds the last `n` devices of each pool back as hot spares (placements start from
  // the front). Throws UserError if that leaves a pool without a device.
  void hold_spares(uint32_t n);

  const FreeMap& free() const { return free_; }
  uint32_t spares_in_pool(uint32_t pool) const { return static_cast<uint32_t>(spares_[pool].size()); }
  // Free devices of `pool` plus those jobs hold there (what a preempting policy may use).
  uint32_t usable_in_pool(uint32_t pool) const { return free_.free_in_pool(pool) + held_in_pool_[pool]; }
  bool is_down(uint32_t device) const { return down_count_[device] > 0; }
  uint32_t allocated() const { return allocated_; }
  uint32_t down() const { return down_; }
  std::span<const uint32_t> held_in_pool() const { return held_in_pool_; }
  std::span<const uint32_t> down_in_pool() const { return down_in_pool_; }

  // Gives job `job` the devices of a placement in `pool`; returns them in rank order.
  std::vector<uint32_t> take(uint32_t job, uint32_t pool, std::span<const NodeTake> takes);
  // Job `job` lets go of `devices` (all it held, in `pool`); a down device stays out
  // until repaired.
  void release(uint32_t job, uint32_t pool, std::span<const uint32_t> devices);

  // Marks `devices` down (once more each: a device down twice needs two repairs). A
  // device nobody holds leaves the spares or the free map; returns the jobs that held one,
  // ascending, each once.
  std::vector<uint32_t> fail(std::span<const uint32_t> devices);
  // Whether `pool` has a spare for each down device among `devices`.
  bool spares_cover(uint32_t pool, std::span<const uint32_t> devices) const;
  // Replaces the down devices among `devices` (job `job`'s, in `pool`) by spares of the
  // pool: the devices replaced and those swapped in, in that order.
  // REQUIRES: spares_cover(pool, devices).
  struct Swap {
    std::vector<uint32_t> replaced, spares;
  };
  Swap swap_in_spares(uint32_t job, uint32_t pool, std::vector<uint32_t>& devices);
  // One failure less on each of `devices`; one no longer down refills its pool's spares
  // first, then is free. REQUIRES: each is down.
  void repair(std::span<const uint32_t> devices);

 private:
  const Inventory& inv_;
  FreeMap free_;
  uint32_t spares_per_pool_ = 0;
  std::vector<std::optional<uint32_t>> owner_;
  std::vector<uint16_t> down_count_;
  std::vector<std::vector<uint32_t>> spares_;
  std::vector<uint32_t> held_in_pool_, down_in_pool_;
  uint32_t allocated_ = 0, down_ = 0;
};

}  // namespace podsim::scheduler
