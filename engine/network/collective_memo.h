#pragma once
// CollectiveMemo: the closed form's answers (collective_time) and the tuner's choices
// (tune) on one Fabric under one NetworkOptions, remembered by exact key so that a
// caller costing many steps pays for each distinct collective once.
//
// Both functions are pure in their arguments, so a remembered answer is the answer:
// times and choices are bit for bit those of the plain calls (tests). Keys are the whole
// input, compared exactly (doubles by their bits): a collective is its op, algorithm,
// group in order, bytes, all-to-all-v sizes, protocol and every cost term; a tuner call
// is its op, group in order and bytes. No hashing stands in for equality.
//
// Why it pays: the planner times ~900 plans of one model on one cluster, and plans of
// different shapes still share most collectives (the TP group of stage 0, EP groups of
// equal width, DP groups of equal replicas); on DeepSeek-V3 at 1,152 GB200 the closed
// form ran 287k times on 19.6k distinct collectives (bench/README.md, "The planner's
// collectives remembered").
//
//   topologies::EngineFabric fabric(cluster);
//   engine::CollectiveMemo memo(fabric, options);
//   Collective c = memo.tuned(CollectiveOp::kAllReduce, group, Bytes(64e6));
//   SimTime t = memo.time(c);  // == collective_time(fabric, c, options)
//
// Safe to call from several threads at once (the planner's); an answer computed twice
// by racing threads is the same answer, and the first stored is kept. Errors
// (std::invalid_argument for bad input) are thrown as by the plain calls and nothing
// is remembered. REQUIRES: the fabric outlives the memo.
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine/network/collectives.h"
#include "engine/network/fabric.h"
#include "engine/network/flow_network.h"

namespace podsim::engine {

class CollectiveMemo {
 public:
  CollectiveMemo(const Fabric& fabric, const NetworkOptions& options);
  CollectiveMemo(const CollectiveMemo&) = delete;
  CollectiveMemo& operator=(const CollectiveMemo&) = delete;

  // collective_time(fabric, c, options).
  SimTime time(const Collective& c);
  // tune(fabric, op, group, bytes, options), whose candidates are costed through time().
  Collective tuned(CollectiveOp op, const std::vector<DeviceId>& group, Bytes bytes);

  // Whether this memo answers for `fabric` under `options` (the same object, equal
  // options): callers that are handed a memo check it before using it.
  bool serves(const Fabric& fabric, const NetworkOptions& options) const;

  // Distinct collectives and tuner calls remembered (for tests and benchmarks).
  size_t times_remembered() const;
  size_t choices_remembered() const;

 private:
  struct TuneKey {
    CollectiveOp op;
    std::vector<DeviceId> group;
    uint64_t bytes;  // the double's bits
    bool operator==(const TuneKey&) const = default;
  };
  struct Hash {
    size_t operator()(const Collective& c) const;
    size_t operator()(const TuneKey& k) const;
  };
  struct Same {
    bool operator()(const Collective& a, const Collective& b) const;
  };

  const Fabric& fabric_;
  const NetworkOptions options_;
  mutable std::mutex mutex_;  // guards both maps
  std::unordered_map<Collective, SimTime, Hash, Same> times_;
  std::unordered_map<TuneKey, Collective, Hash> choices_;
};

// collective_time and tune through `memo` when there is one (it must serve `fabric`
// and `options`: an internal error otherwise), else the plain calls.
SimTime collective_time(const Fabric& fabric, const Collective& c, const NetworkOptions& options,
                        CollectiveMemo* memo);
Collective tuned(const Fabric& fabric, CollectiveOp op, const std::vector<DeviceId>& group, Bytes bytes,
                 const NetworkOptions& options, CollectiveMemo* memo);

}  // namespace podsim::engine
