#include "scheduler/device_books.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/printable.h"
#include "engine/check.h"
#include "engine/error.h"

namespace podsim::scheduler {

DeviceBooks::DeviceBooks(const Inventory& inv)
    : inv_(inv),
      free_(inv),
      owner_(inv.devices().size()),
      down_count_(inv.devices().size(), 0),
      spares_(inv.pools().size()),
      held_in_pool_(inv.pools().size(), 0),
      down_in_pool_(inv.pools().size(), 0) {}

void DeviceBooks::hold_spares(uint32_t n) {
  spares_per_pool_ = n;
  if (n == 0) return;
  for (uint32_t p = 0; p < inv_.pools().size(); ++p) {
    if (n >= inv_.pool_size(p))
      throw UserError(fmt::format("failures.spares_per_pool: {} leaves no device in pool '{}' ({} devices)", n,
                                  printable(inv_.pools()[p].name), inv_.pool_size(p)));
  }
  for (uint32_t d = static_cast<uint32_t>(inv_.devices().size()); d-- > 0;) {
    const uint32_t p = inv_.devices()[d].pool;
    if (spares_[p].size() < n) {
      free_.take_device(d);
      spares_[p].push_back(d);
    }
  }
}

std::vector<uint32_t> DeviceBooks::take(uint32_t job, uint32_t pool, std::span<const NodeTake> takes) {
  std::vector<uint32_t> devices = free_.take(takes);
  for (uint32_t d : devices) {
    PODSIM_CHECK(!owner_[d], "device allocation never above capacity: a device was given to two jobs");
    owner_[d] = job;
  }
  allocated_ += static_cast<uint32_t>(devices.size());
  held_in_pool_[pool] += static_cast<uint32_t>(devices.size());
  PODSIM_CHECK(allocated_ + down_ <= inv_.devices().size(),
               "device allocation never above capacity: devices held exceed the inventory");
  return devices;
}

void DeviceBooks::release(uint32_t job, uint32_t pool, std::span<const uint32_t> devices) {
  for (uint32_t d : devices) {
    PODSIM_CHECK(owner_[d] == job, "a job releases a device it does not own");
    owner_[d].reset();
    if (down_count_[d] == 0) free_.give_back(d);  // a failed device stays out until repaired
  }
  allocated_ -= static_cast<uint32_t>(devices.size());
  held_in_pool_[pool] -= static_cast<uint32_t>(devices.size());
}

std::vector<uint32_t> DeviceBooks::fail(std::span<const uint32_t> devices) {
  std::vector<uint32_t> hit;
  for (uint32_t d : devices) {
    if (down_count_[d]++ > 0) continue;
    ++down_;
    ++down_in_pool_[inv_.devices()[d].pool];
    if (owner_[d]) {
      hit.push_back(*owner_[d]);
      continue;
    }
    auto& spares = spares_[inv_.devices()[d].pool];
    if (auto it = std::find(spares.begin(), spares.end(), d); it != spares.end()) spares.erase(it);
    else free_.take_device(d);
  }
  std::sort(hit.begin(), hit.end());
  hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
  return hit;
}

bool DeviceBooks::spares_cover(uint32_t pool, std::span<const uint32_t> devices) const {
  const auto failed = static_cast<size_t>(std::count_if(devices.begin(), devices.end(), [&](uint32_t d) { return is_down(d); }));
  return failed <= spares_[pool].size();
}

DeviceBooks::Swap DeviceBooks::swap_in_spares(uint32_t job, uint32_t pool, std::vector<uint32_t>& devices) {
  PODSIM_CHECK(spares_cover(pool, devices), "too few spares to swap in");
  std::vector<uint32_t>& spares = spares_[pool];
  Swap swap;
  for (uint32_t& d : devices) {
    if (!is_down(d)) continue;
    swap.replaced.push_back(d);
    owner_[d].reset();
    d = spares.back();
    spares.pop_back();
    owner_[d] = job;
    swap.spares.push_back(d);
  }
  return swap;
}

void DeviceBooks::repair(std::span<const uint32_t> devices) {
  for (uint32_t d : devices) {
    PODSIM_CHECK(down_count_[d] > 0, "repairing a device that is not down");
    if (--down_count_[d] > 0) continue;
    --down_;
    --down_in_pool_[inv_.devices()[d].pool];
    auto& spares = spares_[inv_.devices()[d].pool];
    if (spares.size() < spares_per_pool_) spares.push_back(d);
    else free_.give_back(d);
  }
}

}  // namespace podsim::scheduler
