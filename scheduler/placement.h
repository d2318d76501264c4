#pragma once
// Placement: which free devices of one pool a gang job gets. Every strategy answers the
// same question and passes the same contract test (tests/scheduler/placement_test.cc):
// a result takes exactly `devices` free devices of `pool`, or there is none iff the
// pool has fewer free.
//
//   kFirstFit        nodes in index order, as many as each has free.
//   kBestFit         packing by node: the node with the fewest free devices that still
//                    fits the job; a job bigger than any node's free space takes the
//                    nodes with the most free first, then best-fits the remainder.
//   kTopologyAware   the same rule one level up first: fewest scale-up domains (best-fit
//                    domain, else fullest-free domains first), then within each domain
//                    fewest nodes, nodes of one leaf switch first.
//   kFragmentationAware  fewest domains as above, but within a domain fills partially
//                    used nodes (tightest first) before breaking a whole free node, so
//                    whole nodes stay free for the big jobs that need them.
//
// Cost: O(domains of the pool + nodes of the domains chosen) per placement; O(nodes of
// the pool) for kFirstFit and kBestFit.
//
// Constraints (JobRequest::placement, place_within): a job with whole_nodes takes only
// nodes with nothing taken, each whole (its size a multiple of the node size): in index
// order for kFirstFit and kBestFit (all such nodes are equally tight), fewest domains
// first for the domain-aware strategies. A job with max_domains takes the strategy's
// choice if it spans few enough domains, else the fewest-domains choice (kTopologyAware's
// rule, whose greedy fullest-first is the minimum count), else waits.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/free_map.h"
#include "scheduler/job.h"

namespace podsim::scheduler {

enum class PlacementKind { kFirstFit, kBestFit, kTopologyAware, kFragmentationAware };
const char* to_string(PlacementKind k);

struct PlacementChoice {
  std::vector<NodeTake> takes;
  PlacementShape shape;
};

class PlacementStrategy {
 public:
  virtual ~PlacementStrategy() = default;
  // nullopt iff free_in_pool(pool) < devices. REQUIRES: devices > 0.
  virtual std::optional<PlacementChoice> place(const FreeMap& free, uint32_t pool, uint32_t devices) const = 0;
  // As place(), meeting `c`: nullopt also when the free devices cannot meet it now.
  // REQUIRES: !constraint_problem(inventory, pool, devices, c).
  std::optional<PlacementChoice> place_within(const FreeMap& free, uint32_t pool, uint32_t devices,
                                              const PlacementConstraints& c) const;

 protected:
  // Picks whole nodes domain by domain (fewest domains) rather than in index order.
  virtual bool packs_domains() const { return false; }
};

// Why `devices` devices can never meet `c` in `pool`, even with the pool empty (a
// device count that is not a multiple of the node size; more devices than the
// max_domains largest domains hold); nullopt if they can.
std::optional<std::string> constraint_problem(const Inventory& inv, uint32_t pool, uint32_t devices,
                                              const PlacementConstraints& c);

std::unique_ptr<PlacementStrategy> make_placement(PlacementKind kind);

// The shape of a set of node takes (helper shared by the strategies and tests).
PlacementShape shape_of(const Inventory& inv, uint32_t pool, const std::vector<NodeTake>& takes);

}  // namespace podsim::scheduler
