#include "engine/network/maxmin.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/check.h"
#include "engine/network/maxmin_sums.h"

namespace podsim::engine {

namespace {

// Every kResync-th region solve of a link recomputes its frozen total from scratch,
// and so does every solve of a link with at most kShortList entries. The drift it
// bounds is a random walk of roundings, ~sqrt(128) ulps of the link's load at most,
// far below kTieTolerance; the scan it costs (a pass over the link's list, loading
// each entry's pair) was 5.8% of the CPU on the 384-rank `cm` all-to-all-v at every
// 32nd solve, and 128 took 2.5% off at 256 ranks with sim_us unchanged.
constexpr uint32_t kResync = 128;
constexpr size_t kShortList = 8;

// Rebuilding the route pool costs one pass over the live routes; do it when at least
// half the pool is dead, and not for small pools.
constexpr size_t kMinPoolGarbage = size_t{1} << 16;

}  // namespace

LinkId MaxMinSolver::add_link(double capacity) {
  if (!(capacity > 0) || !std::isfinite(capacity))
    throw std::invalid_argument("MaxMinSolver: link capacity must be positive and finite, got " +
                                std::to_string(capacity));
  const auto id = static_cast<uint32_t>(capacity_.size());
  capacity_.push_back(capacity);
  load_.push_back(0);
  sum_.push_back(0);
  since_exact_.push_back(0);
  above_.push_back(0);
  active_on_.push_back(0);
  in_heap_.push_back(0);
  in_round_.push_back(0);
  old_rate_.push_back(-1);
  other_max_.push_back(0);
  in_order_.push_back(0);
  cand_mark_.push_back(0);
  quiet_link_.emplace_back();
  culprit_mark_.push_back(0);
  crossed_mark_.push_back(0);
  on_.emplace_back();
  loose_on_.emplace_back();
  seeded_.push_back(0);
  needs_compact_.push_back(0);
  link_mark_.push_back(0);
  remaining_.push_back(0);
  unfrozen_.push_back(0);
  class_rate_.push_back(0);
  members_.emplace_back();
  one_.push_back(kNoFlow);
  cpairs_.emplace_back();
  class_mark_.push_back(0);
  slot_.push_back(0);
  slot_stamp_.push_back(0);
  from_slot_.push_back(0);
  from_stamp_.push_back(0);
  return LinkId{id};
}

FlowId MaxMinSolver::add_flow(std::span<const LinkId> route) {
  if (route.empty()) throw std::invalid_argument("MaxMinSolver: a flow needs at least one link");
  if (route.size() > std::numeric_limits<uint16_t>::max())
    throw std::invalid_argument("MaxMinSolver: route too long");
  for (size_t i = 0; i < route.size(); ++i) {
    if (index(route[i]) >= capacity_.size())
      throw std::invalid_argument("MaxMinSolver: route uses unknown link " + std::to_string(index(route[i])));
    // Routes are a handful of hops, so the quadratic check is the cheap one.
    for (size_t j = 0; j < i; ++j)
      if (route[j] == route[i])
        throw std::invalid_argument("MaxMinSolver: route crosses link " + std::to_string(index(route[i])) +
                                    " twice");
  }
  PODSIM_CHECK(pool_.size() + route.size() < std::numeric_limits<uint32_t>::max(), "route pool overflow");

  uint32_t f;
  if (!free_ids_.empty()) {
    f = free_ids_.back();
    free_ids_.pop_back();
  } else {
    PODSIM_CHECK(flows_.size() < kSingle, "too many flows");
    f = static_cast<uint32_t>(flows_.size());
    flows_.emplace_back();
  }
  Flow& flow = flows_[f];
  flow.route_begin = static_cast<uint32_t>(pool_.size());
  flow.route_len = static_cast<uint16_t>(route.size());
  pool_.insert(pool_.end(), route.begin(), route.end());
  flow.state = State::kSuspended;
  flow.cls = kNoClass;
  flow.tagged = 0;
  ++live_flows_;
  return FlowId{f};
}

void MaxMinSolver::activate(FlowId id) {
  const uint32_t f = index(id);
  PODSIM_CHECK(f < flows_.size() && flows_[f].state == State::kSuspended, "activate() on a flow that is not suspended");
  flows_[f].state = State::kActive;
  ++activated_;
  for (LinkId l : route(id)) {
    ++active_on_[index(l)];
    loose_on_[index(l)].push_back(f);
    seed(index(l));
  }
}

void MaxMinSolver::remove_flow(FlowId id) {
  const uint32_t f = index(id);
  PODSIM_CHECK(f < flows_.size() && (flows_[f].state == State::kSuspended || flows_[f].state == State::kActive),
               "remove_flow() on a flow that does not exist");
  if (flows_[f].state == State::kActive) {
    for (LinkId l : route(id)) --active_on_[index(l)];
    const uint32_t c = flows_[f].cls;
    if (c == kNoClass) {  // activated since the last solve: loose_on_ skips it
      for (LinkId l : route(id)) seed(index(l));
    } else {
      const double rate = class_rate_[c];
      drop_member(c, f);
      for (LinkId l : route(id)) {
        sum_[index(l)] -= rate;
        seed(index(l));
      }
      // Its pairs lose it in the next solve, class by class (drop_removed_flows).
    }
  }
  flows_[f].state = State::kRemoved;
  removed_.push_back(f);
  --live_flows_;
}

void MaxMinSolver::seed(uint32_t link) {
  if (!seeded_[link]) {
    seeded_[link] = 1;
    seeds_.push_back(link);
  }
}

uint32_t MaxMinSolver::find_pair(uint32_t c, uint32_t link) const {
  if (stamped_class_ == c && slot_stamp_[link] == stamp_) return slot_[link];
  if (from_class_ == c && from_stamp_[link] == from_epoch_) return from_slot_[link];
  for (const ClassPair& cp : cpairs_[c])
    if (cp.link == link) return cp.pair;
  PODSIM_CHECK(false, "a flow's class has no pair on one of its links");
  return 0;
}

void MaxMinSolver::add_to_class(uint32_t c, uint32_t p) {
  pairs_[p].cls = c;
  pair_cpos_[p] = static_cast<uint32_t>(cpairs_[c].size());
  cpairs_[c].push_back(ClassPair{pairs_[p].link, pairs_[p].mult, p});
}

// p's multiplicity changes by `by`, in pairs_ and in its class's list; returns it.
uint32_t MaxMinSolver::change_mult(uint32_t p, int32_t by) {
  const uint32_t m = pairs_[p].mult += static_cast<uint32_t>(by);
  cpairs_[pairs_[p].cls][pair_cpos_[p]].mult = m;
  return m;
}

// Takes p (multiplicity 0) out of its class's list; its link's list drops it later.
void MaxMinSolver::kill_pair(uint32_t p) {
  std::vector<ClassPair>& list = cpairs_[pairs_[p].cls];
  const ClassPair last = list.back();
  list[pair_cpos_[p]] = last;
  pair_cpos_[last.pair] = pair_cpos_[p];
  list.pop_back();
  if (stamped_class_ == pairs_[p].cls && slot_stamp_[pairs_[p].link] == stamp_ && slot_[pairs_[p].link] == p)
    slot_stamp_[pairs_[p].link] = 0;
}

// A pair whose multiplicity reached 0 outside a fill: its link's list drops it at once.
void MaxMinSolver::drop_pair(uint32_t p) {
  pairs_[p].mult = 0;
  dead_pairs_.push_back(p);
  compact(pairs_[p].link);
}

void MaxMinSolver::compact(uint32_t l) {
  if (!needs_compact_[l]) {
    needs_compact_[l] = 1;
    to_compact_.push_back(l);
  }
}

uint32_t MaxMinSolver::new_pair(uint32_t c, uint32_t link, uint32_t mult, uint32_t witness) {
  ++pairs_made_;
  uint32_t p;
  if (!free_pairs_.empty()) {
    p = free_pairs_.back();
    free_pairs_.pop_back();
    pairs_[p] = Pair{c, link, mult};
    witness_[p] = witness;
  } else {
    PODSIM_CHECK(pairs_.size() < kSingle, "too many (class, link) pairs");
    p = static_cast<uint32_t>(pairs_.size());
    pairs_.push_back(Pair{c, link, mult});
    witness_.push_back(witness);
    pair_cpos_.push_back(0);
  }
  add_to_class(c, p);
  on_[link].push_back(p);
  return p;
}

// Removal is batched: a completion instant removes many flows, and each link list is
// filtered once rather than searched once per removed flow. Ids are freed only now, so
// a list never holds an id that was reused.
void MaxMinSolver::drop_removed_flows() {
  // Pairs lose the removed flows: a class left without flows drops all its pairs; one
  // that lives on is stamped once and its removed flows decrement their pairs.
  partial_.clear();
  for (uint32_t f : removed_) {
    const uint32_t c = flows_[f].cls;
    if (c == kNoClass) continue;
    if (class_flows(c) != 0) {
      partial_.push_back(f);
      continue;
    }
    if (cpairs_[c].empty()) {  // alone in its class: its own entries go
      for (LinkId l : route(FlowId{f})) {
        // Alone on the link too (a ring step's flow): no compaction pass.
        std::vector<uint32_t>& on = on_[index(l)];
        if (on.size() == 1 && on[0] == (f | kSingle)) {
          on.clear();
        } else {
          compact(index(l));
        }
      }
    } else {
      for (const ClassPair& cp : cpairs_[c]) drop_pair(cp.pair);
      cpairs_[c].clear();
    }
  }
  if (!partial_.empty()) {
    std::sort(partial_.begin(), partial_.end(), [&](uint32_t a, uint32_t b) { return flows_[a].cls < flows_[b].cls; });
    for (uint32_t f : partial_) {
      const uint32_t c = flows_[f].cls;
      if (c != stamped_class_) stamp_pairs(c);
      for (LinkId l : route(FlowId{f})) {
        const uint32_t p = slot_[index(l)];
        if (witness_[p] == f) witness_[p] = kNoFlow;
        if (change_mult(p, -1) == 0) {
          kill_pair(p);
          drop_pair(p);
        }
      }
    }
    stamped_class_ = kNoClass;
  }
  for (uint32_t l : to_compact_) {
    std::erase_if(on_[l], [&](uint32_t e) { return entry_dead(e); });
    needs_compact_[l] = 0;
  }
  to_compact_.clear();
  free_pairs_.insert(free_pairs_.end(), dead_pairs_.begin(), dead_pairs_.end());
  dead_pairs_.clear();
  for (uint32_t f : removed_) {
    pool_garbage_ += flows_[f].route_len;
    flows_[f].state = State::kFree;
    flows_[f].cls = kNoClass;
    flows_[f].tagged = 0;
    free_ids_.push_back(f);
  }
  removed_.clear();
  if (pool_garbage_ >= kMinPoolGarbage && 2 * pool_garbage_ >= pool_.size()) compact_pool();
}

void MaxMinSolver::compact_pool() {
  std::vector<LinkId> pool;
  pool.reserve(pool_.size() - pool_garbage_);
  for (size_t f = 0; f < flows_.size(); ++f) {
    if (flows_[f].state == State::kFree) continue;
    const uint32_t begin = flows_[f].route_begin;
    flows_[f].route_begin = static_cast<uint32_t>(pool.size());
    pool.insert(pool.end(), pool_.begin() + begin, pool_.begin() + begin + flows_[f].route_len);
  }
  pool_.swap(pool);
  pool_garbage_ = 0;
}

// Gives each link's pairs consecutive ids, in the order of its list: the class loops
// read their own lists (ClassPair), so what follows a pair id into pairs_ is a pass over
// a link's list (the freeze of a round, the checks, the sums), and pairs made as flows
// move land wherever a free slot is, one per cache line. (Numbered by class, when the
// class loops followed the ids, the lists' passes loaded a line per entry.)
// Done when the pairs made since the last time are an eighth of those alive: right
// after a large collective starts, then every few hundred events (a few pairs per
// event move). The eighth was chosen when the class loops still followed the ids (a
// hint from one run each under load; bench/README.md); not re-tuned since.
void MaxMinSolver::renumber_pairs() {
  pairs_made_ = 0;
  remap_.assign(pairs_.size(), kSingle);
  std::vector<Pair> fresh;
  std::vector<uint32_t> fresh_witness, fresh_cpos;
  fresh.reserve(pairs_.size() - free_pairs_.size());
  fresh_witness.reserve(fresh.capacity());
  fresh_cpos.reserve(fresh.capacity());
  for (std::vector<uint32_t>& on : on_) {
    for (uint32_t& e : on) {
      if (e & kSingle) continue;
      PODSIM_CHECK(pairs_[e].mult != 0, "a link lists a dead pair");
      PODSIM_CHECK(remap_[e] == kSingle, "a link lists a pair twice");
      remap_[e] = static_cast<uint32_t>(fresh.size());
      fresh.push_back(pairs_[e]);
      fresh_witness.push_back(witness_[e]);
      fresh_cpos.push_back(pair_cpos_[e]);
      e = remap_[e];
    }
  }
  for (std::vector<ClassPair>& list : cpairs_) {
    for (ClassPair& cp : list) {
      PODSIM_CHECK(remap_[cp.pair] != kSingle, "a class has a pair no link lists");
      cp.pair = remap_[cp.pair];
    }
  }
  pairs_.swap(fresh);
  witness_.swap(fresh_witness);
  pair_cpos_.swap(fresh_cpos);
  free_pairs_.clear();
}

void MaxMinSolver::next_epoch() {
  epoch_ += 2;
  if (epoch_ < 2) {  // wrapped: stale marks could collide with the new epoch
    for (Flow& flow : flows_) flow.mark = 0;
    std::fill(class_mark_.begin(), class_mark_.end(), 0);
    epoch_ = 2;
  }
}

// Link l joins the search from `seed`; reached before by an earlier one, it records
// that the two components fill as one.
[[gnu::always_inline]] inline void MaxMinSolver::join_region_link(uint32_t l, uint32_t seed, uint32_t& merge_from) {
  // One load tells both whether l is in the region and which search reached it.
  const uint32_t mark = link_mark_[l];
  if (mark >= search_base_) {
    merge_from = std::min(merge_from, mark - search_base_);
    return;
  }
  link_mark_[l] = search_base_ + seed;
  comp_links_.push_back(LinkId{l});
  unfrozen_[l] = 0;
  above_[l] = 0;
  old_rate_[l] = -1;
}

// A fresh link stamp, above every mark in use; on wrap-around every mark is cleared.
uint32_t MaxMinSolver::next_link_stamps(size_t count) {
  if (link_stamp_ > std::numeric_limits<uint32_t>::max() - count - 1) {
    std::fill(link_mark_.begin(), link_mark_.end(), 0);
    link_stamp_ = 0;
  }
  const uint32_t first = link_stamp_ + 1;
  link_stamp_ += static_cast<uint32_t>(count);
  return first;
}

// Class c joins the region whole: its links join, and each counts c's flows on it as
// unfrozen and their old rates as load the region gives back (maxmin.h, the
// precedence region).
void MaxMinSolver::join_region_class(uint32_t c, size_t& flows, uint32_t seed, uint32_t& merge_from) {
  class_mark_[c] = epoch_;
  comp_classes_.push_back(c);
  flows += class_flows(c);
  old_rate_[c] = class_rate_[c];  // link c is in the region: its class joins from it
  const double x = class_rate_[c];
  if (cpairs_[c].empty()) {  // one flow, listed on its links as itself
    for (LinkId m : route(FlowId{one_[c]})) {
      const uint32_t li = index(m);
      join_region_link(li, seed, merge_from);
      ++unfrozen_[li];
      above_[li] += x;
    }
    return;
  }
  // Local pointers: the stores below would otherwise reload each vector's data.
  const uint32_t* const mark = link_mark_.data();
  uint32_t* const unfrozen = unfrozen_.data();
  double* const above = above_.data();
  const uint32_t base = search_base_;
  // Locals: through the reference and the pair, every store to the link arrays would
  // make the compiler reload them (they might alias).
  uint32_t merge = merge_from;
  for (const ClassPair& cp : cpairs_[c]) {
    const uint32_t l = cp.link, mult = cp.mult;
    // Most of a class's links are in the region already (join_region_link, inline).
    if (const uint32_t m = mark[l]; m >= base) [[likely]] {
      merge = std::min(merge, m - base);
    } else {
      join_region_link(l, seed, merge);
    }
    unfrozen[l] += mult;
    above[l] += x * mult;
  }
  merge_from = merge;
}

size_t MaxMinSolver::component_of_seed(uint32_t seed) const {
  const auto it = std::upper_bound(components_.begin(), components_.end(), seed,
                                   [](uint32_t s, const Component& c) { return s < c.first_seed; });
  return static_cast<size_t>(it - components_.begin()) - 1;
}

// Breadth-first from the changed links (seeds_), one connected region at a time, so
// that each is filled on its own: a ring step is n regions of one flow each, and
// filling them together would pay a heap over all. A region link brings in its own
// class (the flows bottlenecked on it) and the flows activated on it since the last
// solve; a class brings in its links. Classes that merely cross a region link stay
// frozen: their bottleneck is elsewhere and unchanged (maxmin.h). The search is
// directed (link -> its class -> its links), so a search can reach a link an earlier
// one found: the components from that one on are merged (contiguous ranges).
void MaxMinSolver::find_regions() {
  next_epoch();
  comp_classes_.clear();
  comp_loose_.clear();
  comp_links_.clear();
  components_.clear();
  search_base_ = next_link_stamps(seeds_.size() + 1);
  for (uint32_t k = 0; k < seeds_.size(); ++k) {
    const uint32_t seed = seeds_[k];
    seeded_[seed] = 0;
    if (link_mark_[seed] >= search_base_) continue;
    Component c{comp_classes_.size(), comp_loose_.size(), comp_links_.size(), 0, k};
    uint32_t merge_from = k;
    join_region_link(seed, k, merge_from);
    for (size_t i = c.first_link; i < comp_links_.size(); ++i) {
      const uint32_t l = index(comp_links_[i]);
      if (class_mark_[l] != epoch_ && class_flows(l) != 0) join_region_class(l, c.flows, k, merge_from);
      for (uint32_t f : loose_on_[l]) {
        if (flows_[f].state != State::kActive || flows_[f].mark == epoch_) continue;  // removed, or in
        flows_[f].mark = epoch_;
        comp_loose_.push_back(f);
        ++c.flows;
        for (LinkId m : route(FlowId{f})) {
          join_region_link(index(m), k, merge_from);
          ++unfrozen_[index(m)];
        }
      }
    }
    if (merge_from < k) {
      const size_t j = component_of_seed(merge_from);
      const Component& first = components_[j];
      c.first_class = first.first_class;
      c.first_loose = first.first_loose;
      c.first_link = first.first_link;
      c.first_seed = first.first_seed;
      for (size_t i = j; i < components_.size(); ++i) c.flows += components_[i].flows;
      components_.resize(j);
    }
    components_.push_back(c);
  }
  seeds_.clear();
  // The frozen flows' load: none if every entry is the region's; else the link's
  // total less the region's, except for short lists and every kResync-th time, when
  // it is summed afresh so rounding cannot accumulate. (The lists hold no dead entries
  // here: drop_removed_flows and finish_round compacted them.)
  for (LinkId id : comp_links_) {
    const uint32_t l = index(id);
    double frozen = 0;
    if (unfrozen_[l] == active_on_[l]) {
      // every active flow on it is the region's: nothing frozen, exactly
    } else if (on_[l].size() > kShortList && ++since_exact_[l] < kResync) {
      frozen = std::max(sum_[l] - above_[l], 0.0);
    } else {
      since_exact_[l] = 0;
      for (uint32_t e : on_[l]) {
        if (entry_dead(e)) continue;
        const uint32_t cls = entry_class(e);
        if (class_mark_[cls] != epoch_) frozen += class_rate_[cls] * entry_mult(e);
      }
    }
    remaining_[l] = capacity_[l] - frozen;
  }
}

// Checks (*) of maxmin.h on the links the last fill froze flows on (saturated_): no
// flow outside the region may be faster than the level it froze at. The classes that
// are become seeds of another round; true iff there are any.
bool MaxMinSolver::check_levels() {
  bool grown = false;
  for (const Saturation& s : saturated_) {
    const uint32_t l = s.link;
    const double bound = s.level * (1 + kTieTolerance);
    // Every flow on l was at most its class's old rate: a level that did not drop
    // below it leaves no flow above it; nor does one at or above every other class's.
    if ((old_rate_[l] >= 0 && old_rate_[l] <= bound) || other_max_[l] <= bound) continue;
    double top = 0;
    for (uint32_t e : on_[l]) {
      if (entry_dead(e)) continue;
      const uint32_t c = entry_class(e);
      const double x = class_rate_[c];
      if (c != l) top = std::max(top, x);
      if (class_mark_[c] == epoch_ + 1 || x <= bound) continue;  // solved now, or not faster
      class_mark_[c] = epoch_ + 1;  // listed once
      seed(c);
      grown = true;
    }
    other_max_[l] = top;
  }
  // A link left out of the heap that the fill overloaded should have saturated: it
  // joins the heap, and every class on it joins the region, for the next round.
  for (uint32_t l : overloaded_) {
    in_heap_[l] = solves_;
    for (uint32_t e : on_[l]) {
      if (entry_dead(e)) continue;
      const uint32_t c = entry_class(e);
      if (class_mark_[c] == epoch_ + 1) continue;
      class_mark_[c] = epoch_ + 1;
      seed(c);
    }
    grown = true;
  }
  return grown;
}

void MaxMinSolver::note_moved(uint32_t f) {
  if (flows_[f].moved) return;
  flows_[f].moved = 1;
  moved_.push_back(FlowId{f});
}

// Points `slot` at class c's pairs (valid where `stamps` holds the new `epoch`), so
// that a flow joining or leaving c finds its pair on each link in O(1).
void MaxMinSolver::point_slots(uint32_t c, std::vector<uint32_t>& slot, std::vector<uint32_t>& stamps,
                               uint32_t& epoch) const {
  if (++epoch == 0) {
    std::fill(stamps.begin(), stamps.end(), 0);
    epoch = 1;
  }
  for (const ClassPair& cp : cpairs_[c]) {
    slot[cp.link] = cp.pair;
    stamps[cp.link] = epoch;
  }
}

// The class flows join (slot_), and the class they leave when it splits (from_slot_).
void MaxMinSolver::stamp_pairs(uint32_t c) {
  stamped_class_ = c;
  point_slots(c, slot_, slot_stamp_, stamp_);
}

void MaxMinSolver::stamp_from(uint32_t c) {
  from_class_ = c;
  point_slots(c, from_slot_, from_stamp_, from_epoch_);
}

bool MaxMinSolver::drop_member(uint32_t c, uint32_t f) {
  if (one_[c] == f) {
    one_[c] = kNoFlow;
    return true;
  }
  std::vector<uint32_t>& m = members_[c];
  const uint32_t last = m.back();
  m[flows_[f].pos] = last;
  flows_[last].pos = flows_[f].pos;
  m.pop_back();
  return false;
}

// Takes f out of its class (if any); a class with pairs loses it from them.
void MaxMinSolver::leave_class(uint32_t f) {
  const uint32_t from = flows_[f].cls;
  note_moved(f);
  if (from == kNoClass || drop_member(from, f) || cpairs_[from].empty()) return;
  for (LinkId l : route(FlowId{f})) {
    const uint32_t p = find_pair(from, index(l));
    if (witness_[p] == f) witness_[p] = kNoFlow;
    if (change_mult(p, -1) == 0) {
      kill_pair(p);
      fill_dead_.push_back(p);
      compact(index(l));
    }
  }
}

// A class about to get a second flow: its only flow, kept without pairs, gets them.
void MaxMinSolver::give_pairs(uint32_t c) {
  if (one_[c] == kNoFlow) return;
  const uint32_t g = one_[c];
  one_[c] = kNoFlow;
  flows_[g].pos = 0;
  members_[c].push_back(g);
  for (LinkId l : route(FlowId{g})) {
    if (flows_[g].tagged) compact(index(l));  // its own entries are dead now
    slot_[index(l)] = new_pair(c, index(l), 1, g);
    slot_stamp_[index(l)] = stamp_;
  }
  flows_[g].tagged = 0;
}

// Moves f from its class (or none) into class `to`, which must be stamped. A flow
// alone in a class has no pairs: a ring step's flows, each alone on its links, are
// listed on them as themselves (maxmin.h).
void MaxMinSolver::move_flow(uint32_t f, uint32_t to) {
  leave_class(f);
  std::vector<uint32_t>& dst = members_[to];
  flows_[f].cls = to;
  if (one_[to] == kNoFlow && dst.empty() && cpairs_[to].empty()) {
    one_[to] = f;
    return;
  }
  give_pairs(to);
  flows_[f].pos = static_cast<uint32_t>(dst.size());
  dst.push_back(f);
  const bool was_tagged = flows_[f].tagged;
  flows_[f].tagged = 0;
  for (LinkId l : route(FlowId{f})) {
    const uint32_t li = index(l);
    if (was_tagged) compact(li);  // its own entries are dead now
    if (slot_stamp_[li] == stamp_) {
      change_mult(slot_[li], 1);
      if (witness_[slot_[li]] == kNoFlow) witness_[slot_[li]] = f;
    } else {
      slot_[li] = new_pair(to, li, 1, f);
      slot_stamp_[li] = stamp_;
    }
  }
}

// Moves every flow of class `from` into `to` (stamped): a class whose bottleneck moved.
void MaxMinSolver::rehome_class(uint32_t from, uint32_t to) {
  if (one_[from] != kNoFlow) {  // one flow without pairs
    move_flow(one_[from], to);
    return;
  }
  give_pairs(to);
  std::vector<uint32_t>& dst = members_[to];
  for (uint32_t f : members_[from]) {
    note_moved(f);
    flows_[f].cls = to;
    flows_[f].pos = static_cast<uint32_t>(dst.size());
    dst.push_back(f);
  }
  members_[from].clear();
  for (const ClassPair& cp : cpairs_[from]) {
    const uint32_t p = cp.pair, l = cp.link;
    if (slot_stamp_[l] == stamp_) {
      change_mult(slot_[l], static_cast<int32_t>(cp.mult));
      if (witness_[slot_[l]] == kNoFlow) witness_[slot_[l]] = witness_[p];
      pairs_[p].mult = 0;
      fill_dead_.push_back(p);
      compact(l);
    } else {
      add_to_class(to, p);
      slot_[l] = p;
      slot_stamp_[l] = stamp_;
    }
  }
  cpairs_[from].clear();
}

void MaxMinSolver::freeze_class(uint32_t c, double level) {
  class_mark_[c] = epoch_ + 1;
  class_rate_[c] = level;
  solved_classes_.push_back(c);
  if (cpairs_[c].empty()) {  // one flow, listed on its links as itself
    const uint32_t f = one_[c];
    for (LinkId l : route(FlowId{f})) {
      const uint32_t li = index(l);
      remaining_[li] -= level;
      --unfrozen_[li];
      if (li != c) other_max_[li] = std::max(other_max_[li], level);
    }
    if (!flows_[f].tagged) {
      // Entries it had as a lone flow before it got pairs this solve would come alive
      // again: they go first.
      for (LinkId l : route(FlowId{f}))
        if (needs_compact_[index(l)]) std::erase_if(on_[index(l)], [&](uint32_t e) { return entry_dead(e); });
      flows_[f].tagged = 1;
      for (LinkId l : route(FlowId{f})) on_[index(l)].push_back(f | kSingle);
    }
    return;
  }
  // Local pointers: the stores below would otherwise reload each vector's data.
  double* const remaining = remaining_.data();
  uint32_t* const unfrozen = unfrozen_.data();
  double* const other_max = other_max_.data();
  for (const ClassPair& cp : cpairs_[c]) {
    // Locals: after the store to unfrozen the compiler would reload the pair (aliasing).
    const uint32_t l = cp.link, mult = cp.mult;
    unfrozen[l] -= mult;
    if (l == c) {
      // Its own link saturates at `level`: every flow left on it is c's (the round
      // moved the others in), so it ends full. 0 is the exact value; the chain of
      // subtractions (one per flow, up to hundreds on a `cm` class) only rounds to it.
      remaining[l] = unfrozen[l] == 0 ? 0.0 : subtract_repeated(remaining[l], level, mult);
      continue;
    }
    // Flow by flow, as a list of flows would (maxmin_sums.h: in O(1) per binade); one
    // flow (most `cm` pairs) is one subtraction.
    remaining[l] = mult == 1 ? remaining[l] - level : subtract_repeated(remaining[l], level, mult);
    other_max[l] = std::max(other_max[l], level);
  }
}

// Link l saturates at `level`: every unfrozen flow on it freezes there and joins class
// l. A class wholly on l moves in whole; one partly on l splits (its flows crossing l
// move, the rest stay unfrozen in it); flows activated since the last solve join.
void MaxMinSolver::freeze_round_link(uint32_t l, double level) {
  // Most rounds move no flow: class l is unfrozen in the region, every one of its flows
  // crosses l, and they are all the unfrozen flows on l. Then nothing joins it.
  if (class_mark_[l] == epoch_ && unfrozen_[l] == class_flows(l)) {
    freeze_class(l, level);
    return;
  }
  units_.clear();
  const std::vector<uint32_t>& on = on_[l];
  for (const uint32_t e : on) {
    if (entry_dead(e)) continue;
    const uint32_t cls = entry_class(e);
    // A class whose own link saturates in this round, at the same level, keeps its
    // flows: that link bottlenecks them as well as l does. Moving them to l would
    // make tied links trade flows at every solve (on the 1,536-rank `nvl` all-to-all-v,
    // once the class's own link was filled to exactly 0, the racks' links tied bit for
    // bit and ~68,000 flows moved per solve, 30x the CPU per event).
    if (class_mark_[cls] == epoch_ && cls != l && in_round_[cls] != round_id_) units_.push_back(e);
  }
  // Flows joining class l find its pairs through the stamp; most rounds move none.
  if (!units_.empty() || !loose_on_[l].empty()) stamp_pairs(l);
  for (uint32_t e : units_) {
    const uint32_t c = entry_class(e);
    if (entry_mult(e) == class_flows(c)) {
      rehome_class(c, l);
    } else {
      split_.clear();
      stamp_from(c);
      // One flow of c crosses l: the pair names it (most splits on `cm`), no pass over
      // c's flows and their routes.
      if (!(e & kSingle) && pairs_[e].mult == 1 && witness_[e] != kNoFlow) {
        split_.push_back(witness_[e]);
      } else {
        for (uint32_t f : members_[c]) {
          const std::span<const LinkId> r = route(FlowId{f});
          if (std::find(r.begin(), r.end(), LinkId{l}) != r.end()) split_.push_back(f);
        }
      }
      for (uint32_t f : split_) move_flow(f, l);
      from_class_ = kNoClass;
    }
  }
  for (uint32_t f : loose_on_[l])
    if (flows_[f].state == State::kActive && flows_[f].cls == kNoClass) move_flow(f, l);
  // Its unfrozen flows may all be of classes whose links saturate in this round: then
  // l has no class of its own to freeze.
  if (class_flows(l) != 0) freeze_class(l, level);
}

// A d-ary heap (kArity children per node) of (key, link) entries, min first; ties by
// link id, so the order in which links pop is that of any heap with this order.
void MaxMinSolver::heap_sift_down(size_t i) {
  const HeapEntry e = heap_[i];
  const size_t n = heap_.size();
  for (;;) {
    const size_t first = kArity * i + 1;
    if (first >= n) break;
    // The smallest child, selected with masks rather than branches: which child wins
    // is data, and a mispredicted branch per compare cost more than the compares.
    size_t best = first;
    uint64_t best_key = std::bit_cast<uint64_t>(heap_[first].key);
    uint64_t best_link = heap_[first].link;
    const size_t last = std::min(first + kArity, n);
    for (size_t c = first + 1; c < last; ++c) {
      const uint64_t key = std::bit_cast<uint64_t>(heap_[c].key), link = heap_[c].link;
      const uint64_t mask = uint64_t{0} - ((key < best_key) | ((key == best_key) & (link < best_link)));
      best = (c & mask) | (best & ~mask);
      best_key = (key & mask) | (best_key & ~mask);
      best_link = (link & mask) | (best_link & ~mask);
    }
    if (!heap_less(heap_[best], e)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = e;
}

uint32_t MaxMinSolver::heap_pop() {
  const uint32_t top = heap_.front().link;
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) heap_sift_down(0);
  return top;
}

// The links of round_ saturate at `level`; returns the flows frozen. Flows whose own
// class's link saturates in this round too stay unfrozen on a link until that link
// freezes them (freeze_round_link).
size_t MaxMinSolver::freeze_round(double level) {
  if (++round_id_ == 0) {  // wrapped: stale stamps could collide
    std::fill(in_round_.begin(), in_round_.end(), 0);
    round_id_ = 1;
  }
  for (uint32_t l : round_) in_round_[l] = round_id_;
  size_t frozen = 0;
  for (uint32_t l : round_)
    if (const uint32_t before = unfrozen_[l]; before > 0) {
      freeze_round_link(l, level);
      frozen += before - unfrozen_[l];
      saturated_.push_back(Saturation{l, level});
    }
  return frozen;
}

// Classes by (rate, id), the rates by their bits: rates are >= 0 (a quiet solve gives
// up on one that is not > 0), so their bit patterns order as the doubles do. One order
// for the quiet heap, the order kept across solves and the ordered fill's candidates.
namespace {
inline bool quiet_before(uint64_t key_a, uint32_t cls_a, uint64_t key_b, uint32_t cls_b) {
  return (key_a < key_b) | ((key_a == key_b) & (cls_a < cls_b));
}
// The same order as a comparison of class ids, for std::sort.
auto by_rate(const double* rate) {
  return [rate](uint32_t a, uint32_t b) {
    return quiet_before(std::bit_cast<uint64_t>(rate[a]), a, std::bit_cast<uint64_t>(rate[b]), b);
  };
}
}  // namespace

// candidates_: the region's classes (comp_classes_[class_begin, class_end)) with
// flows, by (old rate, id). A region holding a good part of the classes takes the
// order kept from the last such fill, brought up to date by an insertion sort (the
// rates moved little since, so it costs about one pass), with the region's classes it
// lacks added first; a small one (one of many independent jobs' collectives) sorts its
// own classes, so that its cost does not grow with the whole network's.
void MaxMinSolver::order_candidates(size_t class_begin, size_t class_end) {
  candidates_.clear();
  if (4 * (class_end - class_begin) < order_.size()) {
    for (size_t i = class_begin; i < class_end; ++i)
      if (const uint32_t c = comp_classes_[i]; class_flows(c) != 0) candidates_.push_back(c);
    std::sort(candidates_.begin(), candidates_.end(), by_rate(class_rate_.data()));
  } else {
    if (++cand_stamp_ == 0) {  // wrapped: stale stamps could collide
      std::fill(cand_mark_.begin(), cand_mark_.end(), 0);
      cand_stamp_ = 1;
    }
    for (size_t i = class_begin; i < class_end; ++i) {
      const uint32_t c = comp_classes_[i];
      cand_mark_[c] = cand_stamp_;
      if (!in_order_[c] && class_flows(c) != 0) {
        in_order_[c] = 1;
        order_.push_back(c);
      }
    }
    sort_order();
    for (const uint32_t c : order_)
      if (cand_mark_[c] == cand_stamp_) candidates_.push_back(c);
  }
}

// order_ without the classes that lost their flows, by (rate, id) again: by the rates'
// bits, as the quiet heap orders them (quiet_before), so that the queue by rank pops
// in the heap's order. The keys beside the order make the common step, an entry
// already in place, one compare of two words in order.
void MaxMinSolver::sort_order() {
  std::erase_if(order_, [&](uint32_t c) {
    if (class_flows(c) != 0) return false;
    in_order_[c] = 0;
    return true;
  });
  const size_t n = order_.size();
  order_key_.resize(n);
  const double* const rate = class_rate_.data();
  uint32_t* const order = order_.data();
  uint64_t* const key = order_key_.data();
  for (size_t i = 0; i < n; ++i) key[i] = std::bit_cast<uint64_t>(rate[order[i]]);
  // Should the order have moved far (a large change, many new classes), the moves
  // stop at a budget and the order is sorted afresh: never quadratic.
  size_t budget = 8 * n + 64;
  for (size_t i = 1; i < n; ++i) {
    const uint64_t k = key[i];
    const uint32_t c = order[i];
    if (!quiet_before(k, c, key[i - 1], order[i - 1])) [[likely]] continue;
    size_t j = i;
    for (; j > 0 && quiet_before(k, c, key[j - 1], order[j - 1]) && budget > 0; --j, --budget) {
      key[j] = key[j - 1];
      order[j] = order[j - 1];
    }
    key[j] = k;
    order[j] = c;
    if (budget == 0) {
      std::sort(order_.begin(), order_.end(), by_rate(rate));
      return;
    }
  }
}

// Progressive filling of one region taking its links in the order of their classes'
// old rates instead of from the heap (maxmin.h, "Ordered fills"): at each step the
// link of smallest fair share among the next kWindow candidates saturates. The levels
// must come out non-decreasing: a link outside the window whose share was smaller
// only loses share as flows freeze above it, so it shows as a level below the last.
// Then the fill is the heap's, with the same checks after it; else the region's
// remaining capacities and unfrozen counts go back to what find_regions() left (the
// flows moved stay moved: classes are consistent), and false.
bool MaxMinSolver::window_fill(size_t class_begin, size_t class_end, std::span<const LinkId> links, size_t flows) {
  order_candidates(class_begin, class_end);
  snapshot_.clear();
  for (LinkId id : links) snapshot_.push_back(Snapshot{remaining_[index(id)], unfrozen_[index(id)]});
  const size_t solved_before = solved_classes_.size(), saturated_before = saturated_.size();
  window_.clear();
  size_t next = 0, left = flows;
  double prev = 0;
  bool ok = true;
  while (left > 0) {
    while (window_.size() < window_size_ && next < candidates_.size()) window_.push_back(candidates_[next++]);
    // The smallest share r/u among the candidates, compared as r_a u_b < r_b u_a.
    // `best` starts at none, not at the window's size: that shrinks as candidates drop
    // out, and a candidate after a drop was then never taken (the fill fell back to the
    // heap when the level it settled for, 0, was below the last). Masks instead of the
    // branch (as in the heap's sift) cost more instructions than the mispredictions
    // they saved (cachegrind, 128-rank `cm`).
    constexpr size_t kNone = std::numeric_limits<size_t>::max();
    size_t best = kNone;
    double best_r = 0, best_u = 1;
    uint32_t best_l = 0;
    for (size_t i = 0; i < window_.size();) {
      const uint32_t l = window_[i];
      if (unfrozen_[l] == 0) {  // its flows froze on other links
        window_[i] = window_.back();
        window_.pop_back();
        continue;
      }
      const double r = std::max(remaining_[l], 0.0), u = unfrozen_[l];
      if (best == kNone || r * best_u < best_r * u || (r * best_u == best_r * u && l < best_l)) {
        best = i;
        best_r = r;
        best_u = u;
        best_l = l;
      }
      ++i;
    }
    if (best == kNone) {
      if (next < candidates_.size()) continue;
      ok = false;  // flows left that no class link holds
      break;
    }
    const double level = best_r / best_u;
    if (level < prev * (1 - kTieTolerance)) {
      ok = false;
      break;
    }
    prev = std::max(prev, level);
    const double bound = level * (1 + kTieTolerance);
    round_.clear();
    for (size_t i = 0; i < window_.size();) {
      const uint32_t l = window_[i];
      if (std::max(remaining_[l], 0.0) <= bound * unfrozen_[l]) {
        round_.push_back(l);
        window_[i] = window_.back();
        window_.pop_back();
        continue;
      }
      ++i;
    }
    left -= freeze_round(level);
  }
  if (!ok) {
    for (size_t i = 0; i < links.size(); ++i) {
      remaining_[index(links[i])] = snapshot_[i].remaining;
      unfrozen_[index(links[i])] = snapshot_[i].unfrozen;
    }
    for (size_t i = solved_before; i < solved_classes_.size(); ++i) class_mark_[solved_classes_[i]] = epoch_;
    solved_classes_.resize(solved_before);
    saturated_.resize(saturated_before);
    ++ordered_fallbacks_;
    return false;
  }
  ++ordered_solves_;
  for (LinkId id : links)
    if (const uint32_t l = index(id); remaining_[l] < -kTieTolerance * capacity_[l]) overloaded_.push_back(l);
  return true;
}

// Progressive filling over one region, from the residual capacities and unfrozen
// counts find_regions() left. A link's fair share never decreases as flows freeze (a
// flow frozen at level s <= share(l) leaves (r - s)/(n - 1) >= r/n), so the heap yields
// links in saturation order.
void MaxMinSolver::fill(size_t component) {
  const Component& k = components_[component];
  const bool last = component + 1 == components_.size();
  const size_t class_end = last ? comp_classes_.size() : components_[component + 1].first_class;
  const size_t loose_end = last ? comp_loose_.size() : components_[component + 1].first_loose;
  const size_t link_end = last ? comp_links_.size() : components_[component + 1].first_link;
  const std::span<const LinkId> links(comp_links_.data() + k.first_link, link_end - k.first_link);
  if (k.flows == 1) {  // alone: the tightest residual capacity, no heap
    uint32_t f = 0;
    if (loose_end > k.first_loose) {
      f = comp_loose_[k.first_loose];
    } else {
      for (size_t i = k.first_class; i < class_end; ++i)
        if (const uint32_t c = comp_classes_[i]; class_flows(c) != 0) f = first_flow(c);
    }
    double rate = std::numeric_limits<double>::infinity();
    uint32_t bottleneck = 0;
    // Its route, not the component's links: merged components (find_regions) may
    // hold links without flows.
    for (LinkId l : route(FlowId{f})) {
      if (remaining_[index(l)] < rate) {
        rate = remaining_[index(l)];
        bottleneck = index(l);
      }
    }
    if (flows_[f].cls != bottleneck) {
      // Into an empty class (a ring step's flow) it goes without pairs: no stamp.
      if (class_flows(bottleneck) != 0 || !cpairs_[bottleneck].empty()) stamp_pairs(bottleneck);
      move_flow(f, bottleneck);
    }
    freeze_class(bottleneck, rate);
    saturated_.push_back(Saturation{bottleneck, rate});
  } else if (k.flows > 1 && !(window_round_ && loose_end == k.first_loose && window_fill(k.first_class, class_end, links, k.flows))) {
    heap_.clear();
    left_out_.clear();
    for (LinkId id : links) {
      const uint32_t l = index(id);
      if (unfrozen_[l] == 0) continue;
      // A link no flow is bottlenecked on, with no new flow, had room to spare: it
      // stays out of the heap, and is checked after the fill (maxmin.h, "Links left
      // out"). Every region flow still crosses a heap link: its class's, or all its
      // links if it is new.
      if (class_flows(l) == 0 && loose_on_[l].empty() && in_heap_[l] != solves_) {
        left_out_.push_back(l);
        continue;
      }
      heap_.push_back(HeapEntry{std::max(remaining_[l], 0.0) / unfrozen_[l] + 0.0, l});  // + 0.0: no -0
    }
    for (size_t i = heap_.size() / kArity + 1; i-- > 0;)
      if (i < heap_.size()) heap_sift_down(i);
    // Keys are lower bounds: freezing a flow only raises the shares of its other links,
    // so a link is re-keyed when it reaches the top, not at every freeze. The top with
    // its true share as key is the minimum.
    const auto top_is_current = [&](double limit) {
      while (!heap_.empty()) {
        const uint32_t l = heap_.front().link;
        if (heap_.front().key > limit) return false;
        if (unfrozen_[l] == 0) {  // every flow froze on other links
          heap_pop();
          continue;
        }
        const double share = std::max(remaining_[l], 0.0) / unfrozen_[l];
        if (share <= heap_.front().key) return true;
        heap_.front().key = share + 0.0;
        heap_sift_down(0);
      }
      return false;
    };
    const double inf = std::numeric_limits<double>::infinity();
    // Once every flow has frozen, the links left (those that never saturate, most of
    // a region's) need no popping.
    size_t left = k.flows;
    while (left > 0 && top_is_current(inf)) {
      round_.clear();
      const uint32_t first = heap_pop();
      round_.push_back(first);
      // The level is the smallest share; every link within the tolerance of it
      // saturates in this round too.
      const double level = std::max(remaining_[first], 0.0) / unfrozen_[first];
      const double bound = level * (1 + kTieTolerance);
      while (top_is_current(bound)) round_.push_back(heap_pop());
      left -= freeze_round(level);
    }
    for (uint32_t l : left_out_)
      if (remaining_[l] < -kTieTolerance * capacity_[l]) overloaded_.push_back(l);
  }
  for (LinkId id : links) {
    const uint32_t l = index(id);
    // Rounding can leave a saturated link a few ulps below zero.
    load_[l] = std::min(capacity_[l], capacity_[l] - remaining_[l]);
  }
}

// After a round's fills: the region links' totals, and their lists without the
// entries the fills emptied.
void MaxMinSolver::finish_round() {
  for (LinkId id : comp_links_) {
    const uint32_t l = index(id);
    // A one-off giant list (an all-to-all starting) gives its memory back.
    if (loose_on_[l].capacity() > 4096) {
      std::vector<uint32_t>().swap(loose_on_[l]);
    } else {
      loose_on_[l].clear();
    }
    sum_[l] = capacity_[l] - remaining_[l];
    solved_links_.push_back(id);
  }
  drop_dead_entries();
}

// The lists lose the entries that moves emptied, and the emptied pairs are freed.
void MaxMinSolver::drop_dead_entries() {
  for (uint32_t l : to_compact_) {
    std::erase_if(on_[l], [&](uint32_t e) { return entry_dead(e); });
    needs_compact_[l] = 0;
  }
  to_compact_.clear();
  free_pairs_.insert(free_pairs_.end(), fill_dead_.begin(), fill_dead_.end());
  fill_dead_.clear();
}

// The fill of the regions (maxmin.h): rounds of the region, then (rarely) the region
// grown by the classes (*) caught.
void MaxMinSolver::fill_regions() {
  int rounds = 0;
  do {
    ++rounds;
    find_regions();
    // The first round of a solve that only removed flows fills in the old order
    // (maxmin.h, "Ordered fills"); a region grown, or new flows, take the heap.
    window_round_ = rounds == 1 && removal_only_;
    stamped_class_ = kNoClass;
    for (size_t c = 0; c < components_.size(); ++c) {
      saturated_.clear();
      overloaded_.clear();
      fill(c);
      if (check_levels()) {
        // This component's flows stay in the region: it only grows.
        const size_t end = c + 1 < components_.size() ? components_[c + 1].first_link : comp_links_.size();
        for (size_t i = components_[c].first_link; i < end; ++i) seed(index(comp_links_[i]));
      }
    }
    stamped_class_ = kNoClass;
    finish_round();
  } while (!seeds_.empty());
  if (rounds > 1) {
    ++regrown_solves_;
    // A class or link solved in two rounds is reported once.
    next_epoch();
    std::erase_if(solved_classes_, [&](uint32_t c) { return std::exchange(class_mark_[c], epoch_) == epoch_; });
    const uint32_t stamp = next_link_stamps(1);
    std::erase_if(solved_links_, [&](LinkId l) { return std::exchange(link_mark_[index(l)], stamp) == stamp; });
  }
}

// The fastest flow on l outside l's own class, from l's list.
double MaxMinSolver::entries_top(uint32_t l) const {
  double top = 0;
  for (uint32_t e : on_[l]) {
    if (entry_dead(e)) continue;
    if (const uint32_t c = entry_class(e); c != l) top = std::max(top, class_rate_[c]);
  }
  return top;
}

// The load on l from its list: every active flow's rate, or (skip_own) all but those of
// l's own class.
double MaxMinSolver::entries_sum(uint32_t l, bool skip_own) const {
  double sum = 0;
  for (uint32_t e : on_[l]) {
    if (entry_dead(e)) continue;
    const uint32_t c = entry_class(e);
    if (!skip_own || c != l) sum += class_rate_[c] * entry_mult(e);
  }
  return sum;
}

// The quiet queue as a binary heap of classes by (old rate, id), min first. Which child
// is smaller is data a branch predictor cannot learn (std::pop_heap's compares were 17%
// of the mispredicted branches on the 256-rank `cm` all-to-all-v), so a pop takes the
// hole to a leaf picking children with masks, as the fill's heap does, then sifts the
// last entry up from there (Floyd's variant: it nearly always stays near the bottom).
void MaxMinSolver::quiet_heap_push(Queued q) {
  size_t i = quiet_heap_.size();
  quiet_heap_.push_back(q);
  const uint64_t key = std::bit_cast<uint64_t>(q.old_rate);
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    const Queued& p = quiet_heap_[parent];
    if (!quiet_before(key, q.cls, std::bit_cast<uint64_t>(p.old_rate), p.cls)) break;
    quiet_heap_[i] = p;
    i = parent;
  }
  quiet_heap_[i] = q;
}

MaxMinSolver::Queued MaxMinSolver::quiet_heap_pop() {
  const Queued top = quiet_heap_.front();
  const Queued last = quiet_heap_.back();
  quiet_heap_.pop_back();
  const size_t n = quiet_heap_.size();
  if (n == 0) return top;
  Queued* const h = quiet_heap_.data();
  size_t i = 0;
  for (size_t c = 1; c < n; c = 2 * i + 1) {
    size_t best = c;
    if (c + 1 < n) {
      const uint64_t pick = quiet_before(std::bit_cast<uint64_t>(h[c + 1].old_rate), h[c + 1].cls,
                                         std::bit_cast<uint64_t>(h[c].old_rate), h[c].cls);
      best = c + pick;
    }
    h[i] = h[best];
    i = best;
  }
  const uint64_t key = std::bit_cast<uint64_t>(last.old_rate);
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!quiet_before(key, last.cls, std::bit_cast<uint64_t>(h[parent].old_rate), h[parent].cls)) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = last;
  return top;
}

// The queue of a quiet solve by rank (maxmin.h, "The quiet queue"): every class with
// flows in order_, by (rate, id) as the solve starts, which is the order the heap pops.
// (A class gets flows only in a solve that lists it: solve() adds it to order_ then.)
void MaxMinSolver::sync_order() {
  sort_order();
  rank_.resize(capacity_.size());
  for (size_t i = 0; i < order_.size(); ++i) rank_[order_[i]] = static_cast<uint32_t>(i);
  rank_bits_.assign((order_.size() + 63) / 64, 0);
  rank_low_ = rank_bits_.size();
  rank_queued_ = 0;
}

void MaxMinSolver::quiet_queue_push(uint32_t c) {
  if (!by_rank_) {
    quiet_heap_push(Queued{class_rate_[c], c});
    return;
  }
  PODSIM_CHECK(in_order_[c], "a class with flows is missing from the order of classes");
  const uint32_t r = rank_[c];
  rank_bits_[r >> 6] |= uint64_t{1} << (r & 63);
  rank_low_ = std::min<size_t>(rank_low_, r >> 6);
  ++rank_queued_;
}

// A class waits at its old rate: one not re-rated yet has it still, and one taken
// back by a repair has it back.
MaxMinSolver::Queued MaxMinSolver::quiet_queue_pop() {
  ++pops_;
  if (!by_rank_) return quiet_heap_pop();
  while (rank_bits_[rank_low_] == 0) ++rank_low_;
  uint64_t& word = rank_bits_[rank_low_];
  const uint32_t c = order_[rank_low_ * 64 + static_cast<size_t>(std::countr_zero(word))];
  word &= word - 1;
  --rank_queued_;
  return Queued{class_rate_[c], c};
}

// Quiet solves (maxmin.h): flows only left, and few flows change class. A link's first
// touch in a quiet solve clears its sums and notes whether a class is bottlenecked on it.
void MaxMinSolver::quiet_touch(uint32_t l) {
  QuietLink& q = quiet_link_[l];
  if (q.tag >> 2 == quiet_stamp_) return;
  q = QuietLink{0, 0, uint64_t{quiet_stamp_} << 2 | (class_flows(l) != 0 ? kWaiting : kNoClassHere)};
  touched_.push_back(l);
}

void MaxMinSolver::quiet_enqueue(uint32_t c) {
  quiet_touch(c);
  quiet_set_state(c, kQueued);
  class_mark_[c] = epoch_;
  quiet_queue_push(c);
}

// A push to link l by a class whose old rate is x_old, when l's tag is not that of a
// link touched with its class queued or without a class: the class there follows
// (queued). False when it was re-rated already (a tie in old rates) or is slower than
// the class pushing (the order broke).
// It sets the record up itself rather than through quiet_touch() and quiet_enqueue():
// calling them cost 1% more instructions on the 128-rank `cm` all-to-all-v (cachegrind).
bool MaxMinSolver::quiet_admit(uint32_t l, double x_old) {
  QuietLink& q = quiet_link_[l];
  uint64_t state = q.tag & 3;
  if (q.tag >> 2 != quiet_stamp_) {
    if (class_flows(l) == 0) {
      q = QuietLink{0, 0, uint64_t{quiet_stamp_} << 2 | kNoClassHere};
      touched_.push_back(l);
      return true;
    }
    state = kWaiting;
  }
  if (state == kRerated) return false;
  if (state != kWaiting) return true;  // no class there, or queued already
  if (class_rate_[l] < x_old) return false;
  if (q.tag >> 2 != quiet_stamp_) {
    q = QuietLink{0, 0, 0};
    touched_.push_back(l);
  }
  q.tag = uint64_t{quiet_stamp_} << 2 | kQueued;
  class_mark_[l] = epoch_;
  quiet_queue_push(l);
  return true;
}

// A change of d in the rate of `mult` flows at `x` now, pushed to link l (not their
// bottleneck): the class bottlenecked there follows. False when that class was re-rated
// already (a tie in old rates) or is slower than the class being re-rated, whose old
// rate is x_old (the order broke).
bool MaxMinSolver::quiet_push(uint32_t l, double d, uint32_t mult, double x, double x_old) {
  QuietLink& q = quiet_link_[l];
  if (q.tag >> 1 != uint64_t{quiet_stamp_} << 1 && !quiet_admit(l, x_old)) return false;
  q.delta += d * mult;
  q.pushed_max = std::max(q.pushed_max, x);
  return true;
}

// Class c's change, x - x_old, goes to its other links (maxmin.h, "Quiet solves").
bool MaxMinSolver::quiet_push_class(uint32_t c, double x, double x_old) {
  const double d = x - x_old;
  if (cpairs_[c].empty()) {  // one flow, listed on its links as itself
    for (LinkId m : route(FlowId{one_[c]}))
      if (index(m) != c && !quiet_push(index(m), d, 1, x, x_old)) return false;
    return true;
  }
  // Local copies: the pushes below do not touch the pairs, and reloading the vectors'
  // data on every pair cost as much as the pushes.
  QuietLink* const links = quiet_link_.data();
  // A tag >> 1 equal to this: touched in this solve, and no class there or one queued.
  const uint64_t settled = uint64_t{quiet_stamp_} << 1;
  for (const ClassPair& cp : cpairs_[c]) {
    const uint32_t l = cp.link;
    QuietLink& link = links[l];
    // Link c itself (re-rated: its tag is not `settled`) is skipped on the rare branch.
    if (link.tag >> 1 != settled) [[unlikely]] {
      if (l == c) continue;
      if (!quiet_admit(l, x_old)) return false;
    }
    link.delta += d * cp.mult;
    link.pushed_max = std::max(link.pushed_max, x);
  }
  return true;
}

// Link c of a class being re-rated carries flows faster than c's new rate (the
// culprits' flows): classes re-rated just before c took the share that c's flows
// needed, and progressive filling would have saturated link c first, freezing those
// flows on it at its level (maxmin.h, "Quiet repairs"). So the culprits re-rated in this
// solve, and every class re-rated after the first of them whose link a class taken back
// crosses, go back to the queue at their old rates (their pushes undone); a culprit not
// re-rated yet joins the queue. Link c's level is solved from its list with the flows
// of the classes taken back on it as c's own; those flows join class c, and their
// classes are re-rated later without them. False (the caller gives up) when a class to
// take back was repaired itself or more than kMaxTakenBack would go back, when a flow on
// c outside c and those classes is faster than the level, or the level is not positive.
bool MaxMinSolver::quiet_repair(uint32_t c, double x_old, double bound) {
  if (++repair_stamp_ == 0) {  // wrapped: stale marks could collide
    std::fill(culprit_mark_.begin(), culprit_mark_.end(), 0);
    std::fill(crossed_mark_.begin(), crossed_mark_.end(), 0);
    repair_stamp_ = 1;
  }
  const uint32_t stamp = repair_stamp_;
  // The culprits: classes on c faster than its tentative level. One not re-rated in
  // this solve joins the queue (its flows on c are c's to freeze, and it is re-rated
  // without them); one re-rated is taken back.
  size_t culprits = 0;
  for (const uint32_t e : on_[c]) {
    if (entry_dead(e)) continue;
    const uint32_t d = entry_class(e);
    if (d == c || class_rate_[d] <= bound || culprit_mark_[d] == stamp) continue;
    culprit_mark_[d] = stamp;
    if (class_mark_[d] == epoch_ + 1) {
      ++culprits;
    } else if (class_mark_[d] != epoch_) {
      quiet_enqueue(d);
    }
  }
  size_t first = restore_.size(), found = 0;
  for (size_t i = restore_.size(); i-- > 0 && found < culprits;)
    if (culprit_mark_[restore_[i].cls] == stamp) {
      first = i;
      ++found;
    }
  if (found < culprits) return false;  // every class re-rated is in restore_: a guard only
  // Taken back: the culprits, and every class re-rated after the first of them whose
  // link a class taken back crosses (it was rated with that class's push). The others
  // keep their rates: nothing taken back reaches their links.
  taken_.clear();
  for (size_t i = first; i < restore_.size(); ++i) {
    const uint32_t e = restore_[i].cls;
    if (culprit_mark_[e] != stamp && crossed_mark_[e] != stamp) continue;
    if (restore_[i].repaired || taken_.size() == kMaxTakenBack) return false;
    taken_.push_back(i);
    if (cpairs_[e].empty()) {
      for (LinkId m : route(FlowId{one_[e]})) crossed_mark_[index(m)] = stamp;
    } else {
      for (const ClassPair& cp : cpairs_[e]) crossed_mark_[cp.link] = stamp;
    }
  }
  // Last first: each one's push is undone, and it waits in the queue again.
  for (size_t k = taken_.size(); k-- > 0;) {
    const OldRate& r = restore_[taken_[k]];
    culprit_mark_[r.cls] = stamp;  // its flows on c are c's to freeze
    const double d = r.rate - class_rate_[r.cls];
    if (d != 0) {
      if (cpairs_[r.cls].empty()) {
        for (LinkId m : route(FlowId{one_[r.cls]}))
          if (index(m) != r.cls) quiet_link_[index(m)].delta += d;
      } else {
        for (const ClassPair& cp : cpairs_[r.cls])
          if (cp.link != r.cls) quiet_link_[cp.link].delta += d * cp.mult;
      }
    }
    class_rate_[r.cls] = r.rate;
    quiet_enqueue(r.cls);
  }
  const auto queued = [this](uint32_t x) { return class_mark_[x] == epoch_; };
  std::erase_if(restore_, [&](const OldRate& r) { return queued(r.cls); });
  std::erase_if(solved_classes_, queued);
  std::erase_if(exact_top_, [&](const Saturation& t) { return queued(t.link); });
  // Link c's level: its capacity less every other flow on it at its rate now, over c's
  // flows and the flows on it of the classes taken back.
  double others = 0, top = 0;
  size_t unfrozen = class_flows(c);
  culprits_.clear();
  for (const uint32_t e : on_[c]) {
    if (entry_dead(e)) continue;
    const uint32_t d = entry_class(e);
    if (d == c) continue;
    if (culprit_mark_[d] == stamp && queued(d)) {
      unfrozen += entry_mult(e);
      culprits_.push_back(e);
    } else {
      others += class_rate_[d] * entry_mult(e);
      top = std::max(top, class_rate_[d]);
    }
  }
  const double level = (capacity_[c] - others) / static_cast<double>(unfrozen);
  if (!(level > 0) || !std::isfinite(level) || top > level * (1 + kTieTolerance)) return false;
  quiet_touch(c);
  restore_.push_back(OldRate{x_old, c, true});
  class_rate_[c] = level;
  solved_classes_.push_back(c);  // listed even at its old rate: flows join it
  exact_top_.push_back(Saturation{c, top});
  if (!quiet_push_class(c, level, x_old)) return false;
  // The culprits' flows on c: their change (from the culprit's old rate to the level)
  // goes to their other links, then they join class c.
  stamp_pairs(c);
  quiet_moved_ = true;
  for (const uint32_t e : culprits_) {
    const uint32_t d = entry_class(e);
    const double xd = class_rate_[d];
    split_.clear();
    const bool whole = entry_mult(e) == class_flows(d);
    if (e & kSingle) {
      split_.push_back(e & ~kSingle);
    } else if (pairs_[e].mult == 1 && witness_[e] != kNoFlow) {
      split_.push_back(witness_[e]);
    } else {
      for (uint32_t f : members_[d]) {
        const std::span<const LinkId> r = route(FlowId{f});
        if (std::find(r.begin(), r.end(), LinkId{c}) != r.end()) split_.push_back(f);
      }
    }
    for (const uint32_t f : split_)
      for (LinkId m : route(FlowId{f})) {
        if (index(m) != c && !quiet_push(index(m), level - xd, 1, level, x_old)) return false;
        if (index(m) != c) quiet_links_.push_back(index(m));
      }
    if (whole) {
      rehome_class(d, c);
    } else {
      stamp_from(d);
      for (const uint32_t f : split_) move_flow(f, c);
      from_class_ = kNoClass;
    }
  }
  stamped_class_ = kNoClass;
  ++quiet_repairs_;
  return true;
}

// Quiet solves (maxmin.h): flows only left. The classes are re-rated in the order of
// their old rates, each from its own link's equation, and the change pushed to its
// other links once; a class whose link turns out slower than classes just re-rated is
// repaired (quiet_repair). False (rates as before, other_max_ only raised; flows a
// repair moved stay moved, their links seeded) when a check fails, and the caller fills.
bool MaxMinSolver::quiet_solve() {
  next_epoch();
  if (++quiet_stamp_ == 0) {  // wrapped: stale stamps could collide
    for (QuietLink& link : quiet_link_) link.tag = 0;
    quiet_stamp_ = 1;
  }
  touched_.clear();
  quiet_heap_.clear();
  // The queue by rank when its set-up (a pass over the classes) costs less than the
  // heap's pops would (maxmin.h, "The quiet queue").
  by_rank_ = quiet_queue_ == QuietQueue::kRank ||
             (quiet_queue_ == QuietQueue::kChosen && static_cast<double>(order_.size()) < kRankRatio * pops_avg_);
  if (by_rank_) {
    sync_order();
    ++rank_queue_solves_;
  }
  pops_ = 0;
  restore_.clear();
  exact_top_.clear();
  quiet_links_.clear();
  quiet_moved_ = false;
  const auto give_up = [&] {
    for (size_t i = restore_.size(); i-- > 0;) class_rate_[restore_[i].cls] = restore_[i].rate;
    solved_classes_.clear();
    stamped_class_ = kNoClass;
    from_class_ = kNoClass;
    if (quiet_moved_) {
      ++quiet_repair_fallbacks_;
      // The moved flows now carry their new class's old rate: the fill takes their
      // classes and links in (seeded), sums those links' frozen load afresh, and
      // bounds the faster flows on them from the lists.
      for (const OldRate& r : restore_)
        if (r.repaired) quiet_links_.push_back(r.cls);
      for (const uint32_t l : quiet_links_) {
        seed(l);
        since_exact_[l] = kResync;
        other_max_[l] = std::numeric_limits<double>::infinity();
      }
      drop_dead_entries();
    }
    return false;
  };
  for (const uint32_t l : seeds_) {
    quiet_touch(l);
    if (class_flows(l) != 0) quiet_enqueue(l);
  }
  while (!quiet_queue_empty()) {
    const Queued q = quiet_queue_pop();
    const uint32_t c = q.cls;
    if (class_flows(c) == 0) continue;  // a repair moved all its flows away
    const double x_old = q.old_rate;
    class_mark_[c] = epoch_ + 1;
    quiet_set_state(c, kRerated);
    // Every flow of c crosses link c: c's flows there are all of them. The others' load
    // is the link's total less c's, plus what the classes re-rated before pushed; every
    // kResync-th time (and on short lists) it is summed afresh from the list, where
    // those classes already carry their new rates.
    const auto m = static_cast<double>(class_flows(c));
    double others;
    if (on_[c].size() <= kShortList || ++since_exact_[c] >= kResync) {
      since_exact_[c] = 0;
      others = entries_sum(c, true);
    } else {
      others = sum_[c] - m * x_old + (quiet_touched(c) ? quiet_link_[c].delta : 0.0);
    }
    const double x = (capacity_[c] - others) / m;
    if (!(x > 0) || !std::isfinite(x)) return give_up();
    // Link c bottlenecks c iff no flow on it is faster: the classes re-rated before
    // (pushed_max), and the others, which were at most c's old rate (other_max_ bounds
    // them all; the list when that is not enough).
    const double bound = x * (1 + kTieTolerance);
    const bool bounded = !(quiet_touched(c) && quiet_link_[c].pushed_max > bound) &&
                         (x_old <= bound || other_max_[c] <= bound);
    if (!bounded) {
      const double top = entries_top(c);
      if (top > bound) {
        if (!quiet_repair(c, x_old, bound)) return give_up();
        continue;
      }
      exact_top_.push_back(Saturation{c, top});
    }
    quiet_touch(c);
    restore_.push_back(OldRate{x_old, c, false});
    class_rate_[c] = x;
    if (x == x_old) continue;
    solved_classes_.push_back(c);
    // The change goes to c's other links; a class bottlenecked there follows it. One
    // re-rated already (a tie in old rates) or slower than c (the order broke) fails.
    if (!quiet_push_class(c, x, x_old)) return give_up();
  }
  // Feasibility: a re-rated class's link is full by construction; every other touched
  // link (no class on it) must still fit its load.
  for (const uint32_t l : touched_) {
    if (class_mark_[l] == epoch_ + 1) continue;
    if (sum_[l] + quiet_link_[l].delta > capacity_[l] * (1 + kTieTolerance)) return give_up();
  }
  // The solution holds: the totals, loads and bounds follow.
  for (const uint32_t l : touched_) {
    if (class_mark_[l] == epoch_ + 1) {
      sum_[l] = capacity_[l];
    } else if (on_[l].size() <= kShortList || ++since_exact_[l] >= kResync) {
      since_exact_[l] = 0;
      sum_[l] = entries_sum(l, false);
    } else {
      sum_[l] += quiet_link_[l].delta;
    }
    load_[l] = std::min(capacity_[l], std::max(sum_[l], 0.0));
    // Raised here, not at each push: during the solve, pushed_max bounds the classes
    // re-rated and other_max_ (as before the solve) the others.
    other_max_[l] = std::max(other_max_[l], quiet_link_[l].pushed_max);
    solved_links_.push_back(LinkId{l});
  }
  for (const Saturation& t : exact_top_) other_max_[t.link] = t.level;
  for (const uint32_t l : seeds_) seeded_[l] = 0;
  seeds_.clear();
  if (quiet_moved_) drop_dead_entries();
  return true;
}

MaxMinSolver::Changes MaxMinSolver::solve() {
  ++solves_;
  for (FlowId f : moved_) flows_[index(f)].moved = 0;
  moved_.clear();
  solved_classes_.clear();
  solved_links_.clear();
  changed_flows_.clear();
  drop_removed_flows();
  // The quiet path is tried on a solve that only removed flows, while at least two
  // thirds of the recent tries passed, and otherwise as a probe every quiet_probe_-th
  // such solve, whatever they did (maxmin.h, "Quiet solves": a failed try costs about a
  // tenth of the fill after it, and a run whose completions move flows about half the
  // time loses by trying). A probe that fails doubles the interval, up to
  // kQuietProbeMax; one that passes sets it back to kQuietProbe. Checked again with
  // repairs and the push loop of 2026-12-07 (cachegrind, 256-rank `cm`): trying every
  // time +6% instructions, a gate by expected cost in pair visits -0.7% (not kept); in
  // the first 4,096 solves only ~45% of the tries pass, most failures a repaired class
  // to take back (bench/README.md).
  const bool removal_only = activated_ == 0;
  activated_ = 0;
  const bool trusted = 3 * quiet_recent_ok_ >= 2 * quiet_recent_;
  const bool probe = removal_only && !trusted && ++since_probe_ >= quiet_probe_;
  bool quiet = false;
  if (removal_only && (trusted || probe)) {
    quiet = quiet_solve();
    pops_avg_ += (static_cast<double>(pops_) - pops_avg_) / 16;
    ++quiet_recent_;
    quiet_recent_ok_ += quiet;
    if (quiet_recent_ == kQuietWindow) {  // the recent past weighs more
      quiet_recent_ /= 2;
      quiet_recent_ok_ /= 2;
    }
    ++(quiet ? quiet_solves_ : quiet_fallbacks_);
    if (probe) {
      since_probe_ = 0;
      quiet_probe_ = quiet ? kQuietProbe : std::min(2 * quiet_probe_, kQuietProbeMax);
    }
  }
  removal_only_ = removal_only;
  if (!quiet) fill_regions();
  // Classes that got flows, for the quiet queue by rank (sync_order).
  for (const uint32_t c : solved_classes_)
    if (!in_order_[c] && class_flows(c) != 0) {
      in_order_[c] = 1;
      order_.push_back(c);
    }
  const size_t live_pairs = pairs_.size() - free_pairs_.size();
  if (pairs_made_ >= kMinPairsMade && 8 * pairs_made_ >= live_pairs) renumber_pairs();
  if (report_flows_)
    for (uint32_t c : solved_classes_) {
      if (one_[c] != kNoFlow) changed_flows_.push_back(FlowId{one_[c]});
      for (uint32_t f : members_[c]) changed_flows_.push_back(FlowId{f});
    }
  return Changes{changed_flows_, solved_links_, solved_classes_, moved_};
}

}  // namespace podsim::engine
