#include "engine/network/invariants.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/check.h"

namespace podsim::engine {

void check_link_within_capacity(uint32_t link, double load, double capacity) {
  PODSIM_CHECK(load <= capacity * (1 + 1e-9),
               fmt::format("no link above capacity: link {} carries {:.6g} B/s of {:.6g} B/s", link, load, capacity));
}

void check_flow_delivered(uint32_t flow, double undelivered, double bytes_at_last_rate) {
  PODSIM_CHECK(undelivered <= 1e-6 * std::max(bytes_at_last_rate, 1.0),
               fmt::format("bytes sent equal bytes received: flow {} completed with {:.6g} bytes undelivered",
                           flow, undelivered));
}

}  // namespace podsim::engine
