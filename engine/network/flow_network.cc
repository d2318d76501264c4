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
int64_t transfer_ns(double bytes, double rate) {
  if (bytes <= 0) return 0;
  return SimTime::seconds_ceil(bytes / rate).ns();
}

}  // namespace

FlowNetwork::FlowNetwork(Simulator& sim, std::span<const LinkSpec> links, NetworkOptions options)
    : sim_(sim), options_(options) {
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
  busy_ns_.assign(links.size(), 0);
  peak_load_.assign(links.size(), 0);
  load_since_.assign(links.size(), 0);
  loaded_.assign(links.size(), 0);
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
  const FlowId id = solver_.add_flow(flow.route);  // validates the links
  const uint32_t f = index(id);
  if (f >= bytes_left_.size()) {
    const size_t n = solver_.flow_id_bound();
    bytes_left_.resize(n);
    rate_.resize(n);
    last_update_.resize(n);
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
  bytes_left_[f] = flow.bytes.value();
  rate_[f] = 0;
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
  // A re-rated flow leaves its old finish time behind; never wake up for one.
  const auto live = [this](const MonotoneQueue::Entry& e) { return seq_[e.flow] == e.seq; };
  activations_.drop_stale_heads(live);
  completions_.drop_stale_heads(live);
  if (completions_.size() > 2 * solver_.flow_count() + 1024) completions_.drop_stale(live);
  uint64_t next = UINT64_MAX;
  if (!activations_.empty()) next = activations_.min_key();
  if (!completions_.empty()) next = std::min(next, completions_.min_key());
  if (next != UINT64_MAX) arm_timer(SimTime::nanos(static_cast<int64_t>(next)));
}

void FlowNetwork::retire_finished(uint64_t now) {
  while (!completions_.empty() && completions_.min_key() <= now) {
    const MonotoneQueue::Entry e = completions_.pop();
    if (seq_[e.flow] != e.seq) continue;  // re-rated since, or gone
    const uint32_t f = e.flow;
    const double drained = rate_[f] * static_cast<double>(static_cast<int64_t>(now) - last_update_[f]) * 1e-9;
    check_flow_delivered(f, bytes_left_[f] - drained, bytes_left_[f]);
    // Credit exactly what was left: the last nanosecond's rounding moves no bytes.
    const double moved = bytes_left_[f];
    for (LinkId l : solver_.route(FlowId{f})) carried_[index(l)] += moved;
    bytes_left_[f] = 0;
    ++seq_[f];
    solver_.remove_flow(FlowId{f});
    ++flows_completed_;
    observe_finish(f, now);
    group_flow_done(group_[f]);
  }
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
    if (bytes_left_[f] == 0) {  // a message with no payload arrives with its latency
      ++seq_[f];
      solver_.remove_flow(FlowId{f});
      ++flows_completed_;
      observe_finish(f, now);
      group_flow_done(group_[f]);
      continue;
    }
    solver_.activate(FlowId{f});
    last_update_[f] = static_cast<int64_t>(now);
    rate_[f] = 0;
  }
}

// Drains f's bytes at its old rate up to now and credits them to its links.
void FlowNetwork::settle(uint32_t f, uint64_t now) {
  const double dt = static_cast<double>(static_cast<int64_t>(now) - last_update_[f]) * 1e-9;
  const double moved = std::min(bytes_left_[f], rate_[f] * dt);
  if (moved > 0) {
    bytes_left_[f] -= moved;
    for (LinkId l : solver_.route(FlowId{f})) carried_[index(l)] += moved;
  }
  last_update_[f] = static_cast<int64_t>(now);
}

void FlowNetwork::apply_rates(uint64_t now) {
  const MaxMinSolver::Changes changes = solver_.solve();
  ++solves_;
  flows_resolved_ += changes.flows.size();
  const auto t = static_cast<int64_t>(now);
  for (LinkId id : changes.links) {
    const uint32_t l = index(id);
    if (loaded_[l]) busy_ns_[l] += t - load_since_[l];
    load_since_[l] = t;
    loaded_[l] = solver_.load(id) > 0;
    check_link_within_capacity(l, solver_.load(id), solver_.capacity(id));
    peak_load_[l] = std::max(peak_load_[l], solver_.load(id));
  }
  for (FlowId id : changes.flows) {
    const uint32_t f = index(id);
    const double r = solver_.rate(id);
    if (r == rate_[f]) continue;  // same rate, same finish time: its entry stays valid
    settle(f, now);
    rate_[f] = r;
    ++seq_[f];
    PODSIM_CHECK(r > 0, "an active flow got rate 0");
    // SimTime's sum saturates: a transfer too slow to ever finish stays after the end of time.
    const SimTime done = SimTime::nanos(static_cast<int64_t>(now)) + SimTime::nanos(transfer_ns(bytes_left_[f], r));
    completions_.push(static_cast<uint64_t>(done.ns()), f, seq_[f]);
  }
}

LinkStats FlowNetwork::link_stats(LinkId id) const {
  const uint32_t l = index(id);
  const int64_t now = sim_.now().ns();
  LinkStats s;
  s.carried = Bytes(carried_[l]);
  int64_t busy = busy_ns_[l];
  if (loaded_[l]) busy += now - load_since_[l];
  s.busy = SimTime::nanos(busy);
  const double cap = solver_.capacity(id);
  s.peak_utilization = peak_load_[l] / cap;
  s.mean_utilization = now > 0 ? carried_[l] / (cap * static_cast<double>(now) * 1e-9) : 0;
  return s;
}

}  // namespace podsim::engine
