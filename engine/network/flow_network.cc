#include "engine/network/flow_network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/check.h"
#include "engine/network/invariants.h"

namespace podsim::engine {

namespace {

// Nanoseconds to move `bytes` at `rate`, rounded up. REQUIRES: rate > 0.
inline int64_t transfer_ns(double bytes, double rate) {
  if (bytes <= 0) return 0;
  return SimTime::seconds_ceil(bytes / rate).ns();
}

}  // namespace

FlowNetwork::FlowNetwork(Simulator& sim, std::span<const LinkSpec> links, NetworkOptions options)
    : sim_(sim), options_(options) {
  solver_.set_report_flows(false);  // timed class by class (apply_rates)
  if (!(options_.link_efficiency > 0 && options_.link_efficiency <= 1))
    throw std::invalid_argument("FlowNetwork: link_efficiency must be in (0, 1], got " +
                                std::to_string(options_.link_efficiency));
  if (options_.per_message_overhead < SimTime::zero())
    throw std::invalid_argument("FlowNetwork: per_message_overhead is negative");
  latency_.reserve(links.size());
  for (size_t i = 0; i < links.size(); ++i) {
    if (links[i].latency < SimTime::zero())
      throw std::invalid_argument("FlowNetwork: link " + std::to_string(i) + " has a negative latency");
    solver_.add_link(links[i].capacity.value() * options_.link_efficiency);
    latency_.push_back(links[i].latency);
  }
  carried_.assign(links.size(), 0);
  use_.resize(links.size());
  timing_.resize(links.size());
  class_heap_.resize(links.size());
}

void FlowNetwork::start_flow(const FlowSpec& flow, Callback on_done) {
  const uint32_t g = open_group(std::move(on_done), 1);
  try {
    add_flow(flow, g);
  } catch (...) {
    groups_[g] = Group{};
    free_groups_.push_back(g);
    throw;
  }
}

void FlowNetwork::start_flows(size_t count, const FlowMaker& make_flow, Callback on_done) {
  const uint32_t g = open_group(std::move(on_done), count);
  if (count == 0) {
    // Nothing to wait for: complete at this instant, through the timer like any group.
    groups_[g].pending = 1;
    group_flow_done(g);
    arm_timer(sim_.now());
    return;
  }
  std::vector<FlowId> added;
  try {
    for (size_t i = 0; i < count; ++i) added.push_back(add_flow(make_flow(i), g));
  } catch (...) {
    for (FlowId f : added) {
      ++seq_[index(f)];  // its activation entry goes stale
      solver_.remove_flow(f);
    }
    flows_started_ -= added.size();
    groups_[g] = Group{};
    free_groups_.push_back(g);
    throw;
  }
}

uint32_t FlowNetwork::open_group(Callback on_done, uint64_t flows) {
  uint32_t g;
  if (!free_groups_.empty()) {
    g = free_groups_.back();
    free_groups_.pop_back();
  } else {
    g = static_cast<uint32_t>(groups_.size());
    groups_.emplace_back();
  }
  groups_[g] = Group{flows, std::move(on_done)};
  return g;
}

FlowId FlowNetwork::add_flow(const FlowSpec& flow, uint32_t group) {
  if (flow.route.empty())
    throw std::invalid_argument("FlowNetwork: no route from device " + std::to_string(index(flow.src)) +
                                " to device " + std::to_string(index(flow.dst)) + " (not connected)");
  if (!(flow.bytes.value() >= 0) || !std::isfinite(flow.bytes.value()))
    throw std::invalid_argument("FlowNetwork: flow bytes must be finite and >= 0");
  if (flow.extra_latency < SimTime::zero()) throw std::invalid_argument("FlowNetwork: flow extra_latency is negative");
  std::span<const LinkId> solver_route = flow.route;
  std::array<uint16_t, kMaxPassiveHops> left_out;
  left_out.fill(kNoSlot);
  if (any_left_out_) {
    solver_route_.clear();
    size_t k = 0;
    for (LinkId id : flow.route) {
      const uint32_t l = index(id);
      if (l < slot_.size() && slot_[l] != kNoSlot && k < kMaxPassiveHops) {
        if (std::find(left_out.begin(), left_out.begin() + k, slot_[l]) != left_out.begin() + k)
          throw std::invalid_argument("FlowNetwork: route crosses link " + std::to_string(l) + " twice");
        const auto [first, last] = feeder_range_[l];
        const bool fed = std::any_of(feeder_pool_.begin() + first, feeder_pool_.begin() + last, [&](uint32_t e) {
          return std::find(flow.route.begin(), flow.route.end(), LinkId{e}) != flow.route.end();
        });
        if (!fed)
          throw std::invalid_argument("FlowNetwork: a route crosses link " + std::to_string(l) +
                                      " but none of the links declared to feed it (Fabric::feeders)");
        left_out[k++] = slot_[l];
        continue;
      }
      solver_route_.push_back(id);
    }
    solver_route = solver_route_;
  }
  const FlowId id = solver_.add_flow(solver_route);  // validates the links
  const uint32_t f = index(id);
  if (f >= bytes_.size()) {
    const size_t n = solver_.flow_id_bound();
    if (any_left_out_) flow_passive_.resize(n);
    bytes_.resize(n);
    class_.resize(n, kNoClass);
    heap_pos_.resize(n);
    seq_.resize(n);
    group_.resize(n);
  }
  if (observer_) {
    if (observed_.size() <= f) observed_.resize(solver_.flow_id_bound());
    observed_[f] = {.src = flow.src, .dst = flow.dst, .bytes = flow.bytes, .start = sim_.now(), .end = sim_.now(),
                    .tag = flow.tag};
  }
  SimTime latency = options_.per_message_overhead + flow.extra_latency;
  for (LinkId l : flow.route) latency += latency_[index(l)];
  bytes_[f] = flow.bytes.value();
  if (any_left_out_) flow_passive_[f] = left_out;
  class_[f] = kNoClass;
  group_[f] = group;
  ++seq_[f];
  const SimTime at = sim_.now() + latency;
  activations_.push(static_cast<uint64_t>(at.ns()), f, seq_[f]);
  ++flows_started_;
  arm_timer(at);
  return id;
}

void FlowNetwork::group_flow_done(uint32_t g) {
  PODSIM_CHECK(groups_[g].pending > 0, "flow group completed twice");
  if (--groups_[g].pending > 0) return;
  ready_.push_back(std::move(groups_[g].on_done));
  groups_[g] = Group{};
  free_groups_.push_back(g);
}

// Keeps the single pending event at the earliest time anything happens. Inside
// advance() the timer is re-armed at the end, so intermediate requests are ignored.
void FlowNetwork::arm_timer(SimTime t) {
  if (in_advance_ || t >= timer_at_) return;
  if (timer_.valid()) sim_.cancel(timer_);
  timer_at_ = t;
  timer_ = sim_.schedule_at(t, [this] { advance(); });
}

void FlowNetwork::advance() {
  in_advance_ = true;
  timer_ = EventHandle{};
  timer_at_ = SimTime::max();
  const auto now = static_cast<uint64_t>(sim_.now().ns());
  // Callbacks may start flows with zero latency; they join this instant's solve.
  for (;;) {
    retire_finished(now);
    activate_due(now);
    if (ready_.empty()) break;
    std::vector<Callback> ready;
    ready.swap(ready_);
    for (Callback& cb : ready)
      if (cb) cb();
  }
  apply_rates(now);
  in_advance_ = false;
  // A re-rated class leaves its old finish time behind; never wake up for one.
  activations_.drop_stale_heads([this](const MonotoneQueue::Entry& e) { return seq_[e.flow] == e.seq; });
  fix_completion_head();
  if (completions_.size() > 2 * link_count() + 1024)
    completions_.drop_stale([this](const MonotoneQueue::Entry& e) { return timing_[e.flow].seq == e.seq; });
  uint64_t next = UINT64_MAX;
  if (!activations_.empty()) next = activations_.min_key();
  if (!completions_.empty()) next = std::min(next, completions_.min_key());
  if (next != UINT64_MAX) arm_timer(SimTime::nanos(static_cast<int64_t>(next)));
}

// Drops stale entries at the head of the completion queue and re-files a live one
// whose class finishes later than its key, so that the head is the earliest finish.
void FlowNetwork::fix_completion_head() {
  while (!completions_.empty()) {
    const MonotoneQueue::Entry e = completions_.top();
    ClassTiming& c = timing_[e.flow];
    if (c.seq != e.seq) {  // re-rated since
      completions_.pop();
      continue;
    }
    const auto at = static_cast<uint64_t>(finish_of(e.flow, c.first));
    if (at == e.key) return;
    completions_.pop();
    c.key = at;
    completions_.push(at, e.flow, ++c.seq);
  }
}

void FlowNetwork::retire_finished(uint64_t now) {
  due_.clear();
  while (!completions_.empty() && completions_.min_key() <= now) {
    const MonotoneQueue::Entry e = completions_.pop();
    ClassTiming& c = timing_[e.flow];
    if (c.seq != e.seq) continue;  // re-rated since
    const int64_t at = finish_of(e.flow, c.first);
    if (static_cast<uint64_t>(at) > now) {  // a kept entry: its class slowed down since
      c.key = static_cast<uint64_t>(at);
      completions_.push(c.key, e.flow, ++c.seq);
      continue;
    }
    c.key = kNoKey;
    ++c.seq;
    due_.push_back({c.stamp, e.flow, at});
  }
  // In the order their finish times were computed (a queue of one entry per re-time
  // pops ties in that order); usually one class.
  if (due_.size() > 1) std::sort(due_.begin(), due_.end(), [](const Due& a, const Due& b) { return a.stamp < b.stamp; });
  for (const Due& d : due_) retire_class(d.cls, d.finish, now);
}

// Retires every flow of bottleneck l due by now, in the order of their marks, and
// files l's next finish time. `first_finish`: the first flow's, from l's live entry.
void FlowNetwork::retire_class(uint32_t l, int64_t first_finish, uint64_t now) {
  ClassTiming& c = timing_[l];
  if (const uint32_t f = c.one; f != kNoFlow) {  // a class of one (a ring step's flow)
    if (static_cast<uint64_t>(first_finish) <= now) {
      c.one = kNoFlow;
      c.flows = 0;
      retire_due(l, f, c.first, now);
    }
    schedule(l);
    return;
  }
  std::vector<Marked>& heap = class_heap_[l];
  int64_t finish = first_finish;
  size_t popped = 0;
  while (!heap.empty() && static_cast<uint64_t>(finish) <= now) {
    // A symmetric collective finishes a whole class at once: if its last mark is due
    // too, the rest go in mark order after one sort instead of a heap pop each.
    if (++popped == 8 && heap.size() > 8 &&
        static_cast<uint64_t>(finish_of(l, std::max_element(heap.begin(), heap.end())->mark)) <= now) {
      std::sort(heap.begin(), heap.end());
      c.flows = 0;
      for (const Marked& m : heap) retire_due(l, m.flow, m.mark, now);
      heap.clear();
      break;
    }
    const Marked m = heap.front();
    heap_remove(l, m.flow);
    retire_due(l, m.flow, m.mark, now);
    if (!heap.empty()) finish = finish_of(l, heap.front().mark);
  }
  schedule(l);
}

void FlowNetwork::retire_due(uint32_t l, uint32_t f, double mark, uint64_t now) {
  // What it had left at its class's last rate change, drained at that rate up to now.
  check_flow_delivered(f, mark - served_at(l, static_cast<int64_t>(now)), mark - timing_[l].served);
  retire(f, now);
}

void FlowNetwork::retire(uint32_t f, uint64_t now) {
  // The whole flow is credited to its links as it finishes.
  for (LinkId l : solver_.route(FlowId{f})) carried_[index(l)] += bytes_[f];
  if (any_left_out_) {
    for (const uint16_t s : flow_passive_[f])
      if (s != kNoSlot) carried_[slot_link_[s]] += bytes_[f];
    passive_leave(f, class_[f]);
  }
  class_[f] = kNoClass;
  ++seq_[f];
  solver_.remove_flow(FlowId{f});
  ++flows_completed_;
  observe_finish(f, now);
  group_flow_done(group_[f]);
}

void FlowNetwork::observe_finish(uint32_t f, uint64_t now) {
  if (!observer_ || f >= observed_.size()) return;
  observed_[f].end = SimTime::nanos(static_cast<int64_t>(now));
  observer_->flow_finished(observed_[f]);
}

void FlowNetwork::activate_due(uint64_t now) {
  while (!activations_.empty() && activations_.min_key() <= now) {
    const MonotoneQueue::Entry e = activations_.pop();
    if (seq_[e.flow] != e.seq) continue;  // its batch was rolled back
    const uint32_t f = e.flow;
    if (bytes_[f] == 0) {  // a message with no payload arrives with its latency
      ++seq_[f];
      solver_.remove_flow(FlowId{f});
      ++flows_completed_;
      observe_finish(f, now);
      group_flow_done(group_[f]);
      continue;
    }
    solver_.activate(FlowId{f});
    class_[f] = kNoClass;
  }
}

// S_l(t): bytes each flow of class l has moved since the class began.
inline double FlowNetwork::served_at(uint32_t l, int64_t t) const {
  const ClassTiming& c = timing_[l];
  return c.served + c.rate * static_cast<double>(t - c.since) * 1e-9;
}

// When a flow of class l with this mark finishes, at the class's current rate.
inline int64_t FlowNetwork::finish_of(uint32_t l, double mark) const {
  const ClassTiming& c = timing_[l];
  // SimTime's sum saturates: a transfer too slow to ever finish stays after the end of time.
  return (SimTime::nanos(c.since) + SimTime::nanos(transfer_ns(mark - c.served, c.rate))).ns();
}

// A sufficient test of finish_of(l, first mark) >= t without a division: with b the
// bytes left, r the rate and s = t - since, b 1e9 >= s r (1 + 2^-48) as rounded makes
// finish_of's rounded b / r 1e9 >= s, hence its ceiling too (six roundings, s's
// conversion included, each within a factor 1 +- 2^-53: the margin covers them). When
// s <= 0 the test may hold with b <= 0; finish_of is then since >= t.
// REQUIRES: rate > 0; 0 <= t < 2^63.
inline bool FlowNetwork::finish_not_before(uint32_t l, uint64_t t) const {
  const ClassTiming& c = timing_[l];
  const auto s = static_cast<double>(static_cast<int64_t>(t) - c.since);
  return (c.first - c.served) * 1e9 >= s * c.rate * (1 + 0x1p-48);
}

// REQUIRES: f has a class.
double FlowNetwork::mark_of(uint32_t f) const {
  const uint32_t l = class_[f];
  return timing_[l].one == f ? timing_[l].first : class_heap_[l][heap_pos_[f]].mark;
}

// m_f - S_l loses ~S_l * 2^-53 bytes to rounding; when S_l dwarfs what l's first flow
// has left, its marks count from zero again (they keep their order).
inline bool FlowNetwork::marks_need_rebase(uint32_t l) const {
  const ClassTiming& c = timing_[l];
  return c.served > 1e9 && c.served > 1e6 * (c.first - c.served);
}

void FlowNetwork::rebase_marks(uint32_t l) {
  ClassTiming& c = timing_[l];
  if (c.one == kNoFlow) {
    std::vector<Marked>& heap = class_heap_[l];
    for (Marked& m : heap) m.mark -= c.served;
    for (size_t i = heap.size() / 2; i-- > 0;) heap_sift_down(heap, i);
  }
  c.first -= c.served;  // the heap's minimum stays the minimum, less the same
  if (c.one == kNoFlow) c.first = class_heap_[l].front().mark;
  c.served = 0;
}

// Re-times class l: files its first flow's finish time in the completion queue, or
// keeps its entry if that is no later.
void FlowNetwork::schedule(uint32_t l) {
  ClassTiming& c = timing_[l];
  if (c.flows == 0) {  // until a flow joins: marks start small again
    ++c.seq;
    c.key = kNoKey;
    c.served = 0;
    c.rate = 0;
    return;
  }
  if (marks_need_rebase(l)) rebase_marks(l);
  c.stamp = ++stamps_;
  // The entry stays a lower bound. Most re-times slow the class down; those are told
  // without finish_of's division.
  if (c.key != kNoKey && finish_not_before(l, c.key)) return;
  const auto at = static_cast<uint64_t>(finish_of(l, c.first));
  if (at >= c.key) return;
  c.key = at;
  completions_.push(at, l, ++c.seq);
}

void FlowNetwork::apply_rates(uint64_t now) {
  const MaxMinSolver::Changes changes = solver_.solve();
  ++solves_;
  const auto t = static_cast<int64_t>(now);
  for (LinkId id : changes.links) note_load(index(id), solver_.load(id), t);
  // A flow whose bottleneck moved carries what it has left (at the old class's rate up
  // to now) into the new class. The classes to look at again: those of the recomputed
  // flows (a class is recomputed whole, maxmin.h) and those that lost one.
  std::vector<uint32_t>& moved = moved_;  // a few per solve; kept to save an allocation
  moved.clear();
  classes_.clear();
  const auto visit = [this](uint32_t l) {
    if (timing_[l].state & ClassTiming::kVisited) return;
    timing_[l].state |= ClassTiming::kVisited;
    classes_.push_back(l);
  };
  for (uint32_t c : changes.classes) {
    visit(c);
    ++timing_[c].listed;
  }
  for (FlowId id : changes.moved) {
    const uint32_t f = index(id);
    const uint32_t b = solver_.class_of(id);
    const uint32_t old = class_[f];
    if (old == b) continue;
    ++flows_moved_;
    double left = bytes_[f];
    if (old != kNoClass) {
      left = mark_of(f) - served_at(old, t);
      heap_remove(old, f);
      visit(old);
      timing_[old].state |= ClassTiming::kTouched;
    }
    if (any_left_out_) {
      if (old != kNoClass) passive_leave(f, old);
      passive_join(f, b);
    }
    class_[f] = b;
    heap_push(b, f, served_at(b, t) + left);
    timing_[b].state |= ClassTiming::kTouched;
    moved.push_back(f);
  }
  // Checked once every flow has moved: a class's old members may be leaving it.
  for (uint32_t f : moved)
    PODSIM_CHECK(timing_[class_[f]].one == f || solver_.rate(FlowId{f}) == solver_.rate(FlowId{class_front(class_[f])}),
                 "flows with one bottleneck got different rates");
  // A class whose rate or flows changed restarts its service count at now.
  for (uint32_t l : classes_) {
    ClassTiming& c = timing_[l];
    const bool touched = c.state & ClassTiming::kTouched;
    c.state = 0;
    // The solver's class c is the network's once the moves are made: its size, counted
    // here, where the class is at hand.
    flows_resolved_ += c.listed * c.flows;
    c.listed = 0;
    const bool empty = c.flows == 0;
    const double r = empty ? 0 : solver_.class_rate(l);
    if (r == c.rate && !touched) continue;  // same finish times
    if (any_left_out_ && r != c.rate) {
      rerated_.push_back({l, r - c.rate});
      __builtin_prefetch(&class_passive_[l]);  // passive_rerate reads the list's header first
    }
    c.served = served_at(l, t);
    c.since = t;
    c.rate = r;
    PODSIM_CHECK(empty || r > 0, "an active flow got rate 0");
    schedule(l);
  }
  if (!rerated_.empty()) passive_rerate();
  for (const uint16_t s : passive_touched_list_) {
    passive_touched_[s] = 0;
    const uint32_t l = slot_link_[s];
    check_link_within_capacity(l, passive_load_[s], solver_.capacity(LinkId{l}));
    note_load(l, passive_load(s), t);
  }
  passive_touched_list_.clear();
}

inline void FlowNetwork::note_load(uint32_t l, double load, int64_t t) {
  LinkUse& u = use_[l];
  if (u.loaded) u.busy_ns += t - u.since;
  u.since = t;
  u.loaded = load > 0;
  // A load at or below the link's peak passed the capacity check when the peak did
  // (the capacity never changes); only a new peak, or NaN, is checked. Saves a call
  // per changed link: ~420 per event on the 384-rank `cm` all-to-all-v.
  if (!(load <= u.peak_load)) {
    check_link_within_capacity(l, load, solver_.capacity(LinkId{l}));
    u.peak_load = load;
  }
}

Bandwidth FlowNetwork::load(LinkId l) const {
  return Bandwidth(left_out(l) ? passive_load(slot_[index(l)]) : solver_.load(l));
}

bool FlowNetwork::declare_feeders(LinkId id, std::span<const LinkId> feeders) {
  const size_t n = link_count();
  const uint32_t l = index(id);
  if (flows_started_ != 0) throw std::invalid_argument("FlowNetwork: feeders are declared before the first flow");
  if (l >= n) throw std::invalid_argument("FlowNetwork: feeders declared for link " + std::to_string(l) + ", which does not exist");
  for (LinkId e : feeders) {
    if (index(e) >= n) throw std::invalid_argument("FlowNetwork: feeder link " + std::to_string(index(e)) + " does not exist");
    if (e == id) throw std::invalid_argument("FlowNetwork: link " + std::to_string(l) + " declared as its own feeder");
  }
  if (feeders.empty()) return false;
  if (slot_.empty()) {
    slot_.assign(n, kNoSlot);
    feeds_.assign(n, 0);
    feeder_range_.assign(n, {0, 0});
  }
  // A link that vouches for another stays in the solve, and so must l's feeders.
  // The slots run out first at 65,535 links left out; the rest stay in (always exact).
  if (slot_[l] != kNoSlot || feeds_[l] || slot_link_.size() == kNoSlot) return false;
  double sum = 0;
  for (LinkId e : feeders) {
    if (slot_[index(e)] != kNoSlot) return false;
    sum += solver_.capacity(e);
  }
  if (!(sum <= solver_.capacity(id))) return false;
  if (!any_left_out_) {  // the per-class counts and loads only once a link is left out
    any_left_out_ = true;
    class_passive_.resize(n);
  }
  slot_[l] = static_cast<uint16_t>(slot_link_.size());
  slot_link_.push_back(l);
  passive_load_.push_back(0);
  passive_flows_.push_back(0);
  passive_touched_.push_back(0);
  for (LinkId e : feeders) feeds_[index(e)] = 1;
  const auto first = static_cast<uint32_t>(feeder_pool_.size());
  for (LinkId e : feeders) feeder_pool_.push_back(index(e));
  feeder_range_[l] = {first, static_cast<uint32_t>(feeder_pool_.size())};
  return true;
}

size_t FlowNetwork::declare_feeders(const Fabric& fabric) {
  if (fabric.links().size() != link_count())
    throw std::invalid_argument("FlowNetwork: the fabric has " + std::to_string(fabric.links().size()) +
                                " links, the network " + std::to_string(link_count()));
  size_t count = 0;
  for (uint32_t l = 0; l < link_count(); ++l) {
    const std::vector<LinkId> feeders = fabric.feeders(LinkId{l});
    if (!feeders.empty() && declare_feeders(LinkId{l}, feeders)) ++count;
  }
  return count;
}

// Flow f, with its links left out of the solve, joins class c at the class's current
// rate (apply_rates re-rates the class after).
void FlowNetwork::passive_join(uint32_t f, uint32_t c) {
  for (const uint16_t s : flow_passive_[f]) {
    if (s == kNoSlot) break;
    std::vector<PassiveCount>& counts = class_passive_[c];
    const auto it = std::find_if(counts.begin(), counts.end(),
                                 [s](const PassiveCount& p) { return p.slot == s && p.flows < kMaxCount; });
    if (it != counts.end()) {
      ++it->flows;
    } else {
      counts.push_back(PassiveCount{s, 1});
    }
    passive_load_[s] += timing_[c].rate;
    if (passive_flows_[s]++ == 0) ++passive_links_loaded_;
    passive_touch(s);
  }
}

void FlowNetwork::passive_leave(uint32_t f, uint32_t c) {
  for (const uint16_t s : flow_passive_[f]) {
    if (s == kNoSlot) break;
    std::vector<PassiveCount>& counts = class_passive_[c];
    const auto it = std::find_if(counts.begin(), counts.end(), [s](const PassiveCount& p) { return p.slot == s; });
    PODSIM_CHECK(it != counts.end(), "a flow left a class it was not counted in");
    if (--it->flows == 0) {
      *it = counts.back();
      counts.pop_back();
    }
    // The last flow off a link leaves it at exactly 0, whatever the sums rounded.
    const bool last = --passive_flows_[s] == 0;
    passive_load_[s] = last ? 0.0 : passive_load_[s] - timing_[c].rate;
    passive_links_loaded_ -= last;
    passive_touch(s);
  }
}

// The left-out links' loads follow the classes apply_rates re-rated, in the order it
// re-rated them: each link's running sum adds the same terms in the same order as when
// it was done class by class inside that loop (the moves' joins and leaves come first
// either way). A pass of its own, after the loop: inside it, the compiler kept fewer of
// this loop's pointers in registers (cachegrind, 128-rank `cm` all-to-all-v: 0.3% more
// instructions in all).
//
// The count lists, one per class on the heap, are out of cache by the next event (the
// solver's data evicts them): each list's lines are requested first, all together,
// instead of one miss after another as the loop reaches them (apply_rates requested
// their headers as it re-rated the classes).
//
// Which slots apply_rates notes: when the re-rated classes have at least as many counts
// as there are slots (on the 384-rank `cm` all-to-all-v an event re-rates ~214 classes
// with ~24 counts each, over 96 slots), every loaded slot, without a test per count:
// noting a link whose load did not change changes nothing (its busy time adds up the
// same, its peak stands). Otherwise those the counts name: a count's slot carries flows
// of the class, so it is one of passive_links_loaded_, and once all of those are
// touched the rest of the counts skip the touched test.
void FlowNetwork::passive_rerate() {
  size_t counts = 0;
  for (const Rerate& r : rerated_) {
    const std::vector<PassiveCount>& v = class_passive_[r.cls];
    if (v.empty()) continue;
    counts += v.size();
    // Three lines cover 32 counts; the hardware follows a longer list.
    const char* first = reinterpret_cast<const char*>(v.data());
    __builtin_prefetch(first);
    __builtin_prefetch(first + 64);
    __builtin_prefetch(first + v.size() * sizeof(PassiveCount) - 1);
  }
  // Local pointers: the byte stores to touched would otherwise reload the members.
  double* load = passive_load_.data();
  uint8_t* touched = passive_touched_.data();
  const size_t n = rerated_.size();
  size_t i = 0;
  if (const size_t slots = slot_link_.size(); counts >= slots) {
    size_t k = passive_touched_list_.size();
    passive_touched_list_.resize(k + slots);
    uint16_t* list = passive_touched_list_.data();
    for (size_t s = 0; s < slots; ++s) {  // without a branch: its outcome varies slot by slot
      const bool add = (passive_flows_[s] > 0) & !touched[s];
      touched[s] |= add;
      list[k] = static_cast<uint16_t>(s);
      k += add;
    }
    passive_touched_list_.resize(k);
  } else {
    size_t untouched = passive_links_loaded_;
    for (const uint16_t s : passive_touched_list_) untouched -= passive_flows_[s] > 0;
    for (; i < n && untouched > 0; ++i) {
      const double d = rerated_[i].d;
      for (const PassiveCount& p : class_passive_[rerated_[i].cls]) {
        load[p.slot] += p.flows * d;
        if (touched[p.slot]) continue;
        touched[p.slot] = 1;
        passive_touched_list_.push_back(p.slot);
        --untouched;
      }
    }
  }
  for (; i < n; ++i) {
    const double d = rerated_[i].d;
    for (const PassiveCount& p : class_passive_[rerated_[i].cls]) load[p.slot] += p.flows * d;
  }
  rerated_.clear();
}

// Rounding of the running sums can take it a few ulps outside [0, capacity].
double FlowNetwork::passive_load(uint16_t s) const {
  return std::clamp(passive_load_[s], 0.0, solver_.capacity(LinkId{slot_link_[s]}));
}

void FlowNetwork::heap_push(uint32_t l, uint32_t f, double mark) {
  ClassTiming& c = timing_[l];
  std::vector<Marked>& h = class_heap_[l];
  ++c.flows;
  if (c.one != kNoFlow) {  // a second flow: the first goes into the heap
    heap_pos_[c.one] = static_cast<uint32_t>(h.size());
    h.push_back({c.first, c.one});
    c.one = kNoFlow;
  } else if (h.empty()) {
    c.one = f;
    c.first = mark;
    return;
  }
  heap_pos_[f] = static_cast<uint32_t>(h.size());
  h.push_back({mark, f});
  heap_sift_up(h, h.size() - 1);
  c.first = h.front().mark;
}

void FlowNetwork::heap_remove(uint32_t l, uint32_t f) {
  ClassTiming& c = timing_[l];
  --c.flows;
  if (c.one == f) {
    c.one = kNoFlow;
    return;
  }
  std::vector<Marked>& h = class_heap_[l];
  const size_t i = heap_pos_[f];
  const Marked last = h.back();
  h.pop_back();
  if (last.flow != f) {
    h[i] = last;
    heap_pos_[last.flow] = static_cast<uint32_t>(i);
    heap_sift_up(h, i);
    heap_sift_down(h, heap_pos_[last.flow]);
  }
  if (!h.empty()) c.first = h.front().mark;
}

void FlowNetwork::heap_sift_up(std::vector<Marked>& h, size_t i) {
  const Marked m = h[i];
  while (i > 0) {
    const size_t parent = (i - 1) / 2;
    if (!(m < h[parent])) break;
    h[i] = h[parent];
    heap_pos_[h[i].flow] = static_cast<uint32_t>(i);
    i = parent;
  }
  h[i] = m;
  heap_pos_[m.flow] = static_cast<uint32_t>(i);
}

void FlowNetwork::heap_sift_down(std::vector<Marked>& h, size_t i) {
  const Marked m = h[i];
  const size_t n = h.size();
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && h[child + 1] < h[child]) ++child;
    if (!(h[child] < m)) break;
    h[i] = h[child];
    heap_pos_[h[i].flow] = static_cast<uint32_t>(i);
    i = child;
  }
  h[i] = m;
  heap_pos_[m.flow] = static_cast<uint32_t>(i);
}

LinkStats FlowNetwork::link_stats(LinkId id) const {
  const uint32_t l = index(id);
  const int64_t now = sim_.now().ns();
  LinkStats s;
  s.carried = Bytes(carried_[l]);
  const LinkUse& u = use_[l];
  int64_t busy = u.busy_ns;
  if (u.loaded) busy += now - u.since;
  s.busy = SimTime::nanos(busy);
  const double cap = solver_.capacity(id);
  s.peak_utilization = u.peak_load / cap;
  s.mean_utilization = now > 0 ? carried_[l] / (cap * static_cast<double>(now) * 1e-9) : 0;
  return s;
}

}  // namespace podsim::engine
