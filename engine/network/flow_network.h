#pragma once
// FlowNetwork: the flow-level network model on a Simulator (DESIGN.md, "Network
// model"). A flow is (source, destination, bytes, route). It first waits out its
// latency -- the hop latencies of its route plus a per-message overhead -- and then
// moves its bytes at its max-min fair rate (engine/network/maxmin.h), which changes
// whenever flows sharing its links, transitively, arrive or leave.
//
// Timing. The network keeps one pending event in the simulator, at the earliest
// activation or completion. At that instant it retires every flow that is done, runs
// their callbacks, activates every flow whose latency has elapsed (including flows the
// callbacks just started, if their latency is zero), and solves once. So a collective
// step that starts n flows together costs one solve, and flows that finish at the same
// instant complete in one event. A flow of b bytes re-rated to r at time t finishes at
// t + ceil(b_left / r) ns: durations round up (DESIGN.md, "Engine").
//
// Flows that share a bottleneck link share one rate (maxmin.h), so they are timed
// together: bottleneck l keeps its rate r_l and its service S_l(t), the bytes each of
// its flows has moved since l began, advanced lazily, S_l(t') = S_l(t) + r_l (t' - t).
// A flow keeps the mark m_f = S_l(joined) + bytes it had left when it joined; it has
// m_f - S_l(t) left at t and finishes at t + ceil((m_f - S_l(t)) / r_l) ns. Its
// flows finish in the order of their marks, so l holds them in a min-heap of marks and
// has one entry in the completion queue, for its first mark. A solve that re-rates l
// costs O(1) plus that entry, however many flows l carries; only a flow whose
// bottleneck moves is touched (it carries m_f - S_old into the new heap). The solver
// keeps the same classes and lists the classes it re-rated and the flows that moved
// (maxmin.h), so an event costs the network O(classes + moved flows). On the
// all-to-all-v of bench/README.md, 99.6% of the flows a solve re-rates keep their
// bottleneck. The finish times are those of per-flow bookkeeping up to rounding
// (S_l sums r dt once per bottleneck instead of once per flow).
// A re-rate that moves l's first finish later keeps l's entry, now a lower bound: it
// is re-filed only when it reaches the head of the queue (so the network never wakes
// up for it) or when it pops. On the 384-rank `cm` all-to-all-v a solve re-rates ~214
// classes, ~133 of them slower, and one class in ~180 finishes, so most entries would
// be replaced before they pop. Classes due at one instant retire in the order their
// finish times were last computed (ClassTiming::stamp), the order a queue of one entry
// per re-rate pops them in.
//
//   FlowNetwork net(sim, links);
//   net.start_flow({.src = DeviceId{0}, .dst = DeviceId{1}, .bytes = Bytes::mega(1),
//                   .route = route}, [&] { done = sim.now(); });
//   sim.run();  // alone on its path: done = latency + 1 MB / bottleneck, rounded up
//
// Links that cannot bind. A link l whose every flow also crosses one of a set of other
// links, its feeders (Fabric::feeders: the links into l's switch, for a leaf switch's
// up link), with capacities summing to at most l's, can never be a bottleneck: the
// flows on l split by the feeder they cross, each part carries at most that feeder's
// load, so load(l) <= sum of the feeders' loads <= sum of their capacities <= c_l.
// The max-min allocation without l's constraint is then feasible on l too, and every
// flow keeps a bottleneck elsewhere, so it is the allocation with it (unique: Bertsekas
// & Gallager, "Data Networks", §6.5.2). Such a link is left out of the solver's routes
// (declare_feeders), and its load is kept here, class by class: the flows of a
// bottleneck class share one rate, so a link's load is the sum over classes of (flows
// of the class on it) x (the class's rate), updated when a class is re-rated or a flow
// joins or leaves one. On the 384-rank all-to-all-v of bench/README.md on `cm`, whose
// leaf links have exactly the capacity of their eight devices' links, the solver then
// passes over 27% fewer (class, link) pairs per solve (bench/README.md). A feeder must
// itself be a link the solver keeps, so no two links vouch for each other, and every
// route through l must cross one of l's feeders (checked as each flow starts).
//
// Link efficiency. Every link carries payload at capacity * link_efficiency, one
// uniform factor for all links (default 1: line rate). The calibration to measured
// bandwidths is not here: collectives carry it, per interconnect and message size, in
// their cost terms (engine/network/link_curves.h, comm_tuner.h; docs/collectives.md).
// link_efficiency stays for what-if studies (a compare scenario's link_efficiency).
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include "engine/network/fabric.h"
#include "engine/network/maxmin.h"
#include "engine/network/monotone_queue.h"
#include "engine/simulator.h"

namespace podsim::engine {

struct NetworkOptions {
  // Payload rate / line rate, in (0, 1], on every link alike; a what-if knob on top of
  // the collectives' measured curves (link_curves.h), which already hold the achieved
  // fractions (e.g. the UB's 164 of 196 GB/s read, NDR's 47 of 50 GB/s per NIC).
  double link_efficiency = 1.0;
  // Software cost of one message, paid before its first byte moves (launch, handshake).
  SimTime per_message_overhead = SimTime::zero();
};

struct FlowSpec {
  DeviceId src{};
  DeviceId dst{};
  Bytes bytes;
  // Copied on start; the span need not outlive the call.
  std::span<const LinkId> route;
  // The caller's label, handed back to a FlowObserver (which collective it belongs to).
  uint64_t tag = 0;
  // Waited out with the route's latency before the first byte moves: the sender's
  // software cost on top of the wire (a collective library's per-step latency,
  // collectives.h). >= 0.
  SimTime extra_latency = SimTime::zero();
};

// A flow that has delivered its last byte, for observers (traces).
struct FinishedFlow {
  DeviceId src{}, dst{};
  Bytes bytes;
  SimTime start, end;  // started (before its latency), last byte arrived
  uint64_t tag = 0;    // FlowSpec::tag
};

// Told of every flow as it finishes, inside the network's event. Without one the
// network keeps no per-flow record.
class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  virtual void flow_finished(const FinishedFlow& f) = 0;
};

struct LinkStats {
  Bytes carried;  // bytes of the flows that crossed it, credited when each finishes
  SimTime busy;   // time with at least one flow moving bytes
  // Of the effective capacity (line rate * link_efficiency). Peak: over all instants;
  // mean: carried / (capacity * now).
  double peak_utilization = 0;
  double mean_utilization = 0;
};

class FlowNetwork {
 public:
  using Callback = std::function<void()>;
  // Makes flow i of a batch. Its route must stay valid until the next call.
  using FlowMaker = std::function<FlowSpec(size_t i)>;

  // REQUIRES (std::invalid_argument): every capacity > 0, latency >= 0;
  // 0 < link_efficiency <= 1; per_message_overhead >= 0.
  FlowNetwork(Simulator& sim, std::span<const LinkSpec> links, NetworkOptions options = {});
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;

  // Starts a flow now; on_done runs in an event at the instant its last byte arrives
  // (after its latency if it has no bytes), never inside this call.
  // REQUIRES (std::invalid_argument): a non-empty route of existing links with no link
  // twice (an empty route means the devices are not connected); bytes finite, >= 0.
  void start_flow(const FlowSpec& flow, Callback on_done);
  // Starts `count` flows now, flow i = make_flow(i); on_done runs once, when the last
  // one arrives (in an event at now if count == 0). Same requirements as start_flow;
  // if any flow is bad, it throws and no flow of the batch starts.
  void start_flows(size_t count, const FlowMaker& make_flow, Callback on_done);

  // Declares that every route crossing l also crosses one of `feeders`. If their
  // capacities sum to at most l's, none of them is left out itself, l feeds none of
  // the links left out and fewer than 65,535 links are, l is left out of the solve (see
  // above) and this returns true; otherwise it changes nothing and returns false. A flow that later crosses l
  // without crossing a feeder is refused (std::invalid_argument: the fabric's routes
  // contradict its feeders).
  // REQUIRES (std::invalid_argument): no flow started yet; links exist; l not among
  // its feeders.
  bool declare_feeders(LinkId l, std::span<const LinkId> feeders);
  // The same for every link of `fabric` with feeders (Fabric::feeders); the number of
  // links left out. REQUIRES: fabric.links() are this network's links.
  size_t declare_feeders(const Fabric& fabric);
  // Whether l is left out of the solve (declare_feeders).
  bool left_out(LinkId l) const { return !slot_.empty() && slot_[index(l)] != kNoSlot; }

  // `observer` (may be null: none) must outlive the network or be replaced first.
  void set_observer(FlowObserver* observer) { observer_ = observer; }

  const NetworkOptions& options() const { return options_; }
  size_t link_count() const { return latency_.size(); }
  // Payload capacity: line rate * link_efficiency.
  Bandwidth capacity(LinkId l) const { return Bandwidth(solver_.capacity(l)); }
  // Sum of the rates of the flows moving bytes on l right now.
  Bandwidth load(LinkId l) const;
  SimTime latency(LinkId l) const { return latency_[index(l)]; }
  LinkStats link_stats(LinkId l) const;

  size_t flows_in_flight() const { return solver_.flow_count(); }
  uint64_t flows_started() const { return flows_started_; }
  uint64_t flows_completed() const { return flows_completed_; }
  uint64_t solves() const { return solves_; }
  // Flows the solver recomputed, summed over solves (maxmin.h: a solve recomputes the
  // flows at or above the smallest changed rate that connect to a change).
  uint64_t flows_resolved() const { return flows_resolved_; }
  // Recomputed flows whose bottleneck link changed, summed over solves: the only ones
  // the network touches (a re-rated flow that keeps its bottleneck costs nothing).
  uint64_t flows_moved() const { return flows_moved_; }
  // Solves that took the solver's quiet path, and those that fell back from it to the
  // fill (maxmin.h, "Quiet solves").
  uint64_t quiet_solves() const { return solver_.quiet_solves(); }
  uint64_t quiet_fallbacks() const { return solver_.quiet_fallbacks(); }
  uint64_t quiet_repairs() const { return solver_.quiet_repairs(); }
  // Quiet solves whose queue was the one by rank (maxmin.h, "The quiet queue").
  uint64_t rank_queue_solves() const { return solver_.rank_queue_solves(); }
  uint64_t ordered_solves() const { return solver_.ordered_solves(); }
  uint64_t ordered_fallbacks() const { return solver_.ordered_fallbacks(); }

 private:
  uint32_t open_group(Callback on_done, uint64_t flows);
  FlowId add_flow(const FlowSpec& flow, uint32_t group);
  void group_flow_done(uint32_t group);
  void arm_timer(SimTime t);
  void advance();
  void retire_finished(uint64_t now);
  void activate_due(uint64_t now);
  void apply_rates(uint64_t now);
  void observe_finish(uint32_t f, uint64_t now);
  // Bottleneck classes.
  double served_at(uint32_t l, int64_t t) const;
  int64_t finish_of(uint32_t l, double mark) const;
  bool finish_not_before(uint32_t l, uint64_t t) const;
  double mark_of(uint32_t f) const;
  void schedule(uint32_t l);
  bool marks_need_rebase(uint32_t l) const;
  void rebase_marks(uint32_t l);
  void retire_class(uint32_t l, int64_t first_finish, uint64_t now);
  void retire_due(uint32_t l, uint32_t f, double mark, uint64_t now);
  void retire(uint32_t f, uint64_t now);
  void fix_completion_head();
  struct Marked;
  void heap_push(uint32_t l, uint32_t f, double mark);
  void heap_remove(uint32_t l, uint32_t f);
  void heap_sift_up(std::vector<Marked>& h, size_t i);
  void heap_sift_down(std::vector<Marked>& h, size_t i);
  void note_load(uint32_t l, double load, int64_t t);
  // Links left out of the solve (declare_feeders), by slot: a flow joins or leaves class c.
  void passive_join(uint32_t f, uint32_t c);
  void passive_leave(uint32_t f, uint32_t c);
  void passive_touch(uint16_t s) {
    if (passive_touched_[s]) return;
    passive_touched_[s] = 1;
    passive_touched_list_.push_back(s);
  }
  double passive_load(uint16_t s) const;
  void passive_rerate();

  Simulator& sim_;
  const NetworkOptions options_;
  MaxMinSolver solver_;

  // Links: latency and statistics.
  std::vector<SimTime> latency_;
  std::vector<double> carried_;
  // What a load change updates, together (a solve changes ~325 links' loads on the
  // 384-rank `cm` all-to-all-v).
  struct alignas(32) LinkUse {
    int64_t since = 0;   // when the link's load last changed
    int64_t busy_ns = 0;
    double peak_load = 0;
    bool loaded = false;  // load > 0 since `since`
  };
  std::vector<LinkUse> use_;

  // Flows, indexed by FlowId; valid while the flow is in flight.
  static constexpr uint32_t kNoClass = UINT32_MAX;
  std::vector<double> bytes_;        // its size
  std::vector<uint32_t> class_;      // its bottleneck link, kNoClass before its first rate
  std::vector<uint32_t> heap_pos_;   // in its class's heap
  std::vector<uint32_t> seq_;        // bumped on activation rollback and removal
  std::vector<uint32_t> group_;
  std::vector<FinishedFlow> observed_;  // with an observer: src, dst, bytes, start, tag
  MonotoneQueue activations_;        // (time its latency is paid, flow, seq)
  // (time, bottleneck link, ClassTiming::seq): a class's entry is a lower bound of its
  // first finish time (see ClassTiming::key).
  MonotoneQueue completions_;

  // Bottleneck classes, indexed by link: the flows whose bottleneck it is. What a
  // re-rate reads and writes sits in one cache line: a solve on the 384-rank `cm`
  // all-to-all-v re-rates ~214 classes and only ~1 of them loses a flow.
  static constexpr uint64_t kNoKey = UINT64_MAX;
  static constexpr uint32_t kNoFlow = UINT32_MAX;
  struct alignas(64) ClassTiming {
    double rate = 0;         // r_l
    double served = 0;       // S_l as of `since`
    int64_t since = 0;
    double first = 0;        // the smallest mark of its flows (with one flow: its mark)
    // The key of its live entry in completions_ (kNoKey: none), at most its first
    // finish time. A re-rate that moves the finish time later keeps the entry (on the
    // all-to-all-v most re-rates slow a class down); it is re-filed when it reaches
    // the head of the queue (fix_completion_head) or pops.
    uint64_t key = kNoKey;
    // When its finish time was last computed: classes due at one instant retire in
    // this order, the order of their entries had each re-time filed one.
    uint64_t stamp = 0;
    uint32_t seq = 0;        // of its live entry; bumped when the entry is replaced
    uint32_t flows = 0;
    // Its only flow, while it has one and its heap is empty: a ring step's flow is
    // alone in its class, and its heap would be a cache line of its own, touched at
    // each join, schedule and retire. Its mark is `first`.
    uint32_t one = kNoFlow;
    static constexpr uint8_t kVisited = 1, kTouched = 2;
    uint8_t state = 0;       // in classes_; its flows changed (apply_rates)
    uint8_t listed = 0;      // times in the solve's Changes::classes (apply_rates)
  };
  std::vector<ClassTiming> timing_;
  std::vector<uint32_t> classes_;        // the classes a solve may have changed
  std::vector<uint32_t> moved_;          // apply_rates's scratch: the flows it moved
  // A flow in its class's heap with its mark: finish mark in its class (see above).
  struct Marked {
    double mark;
    uint32_t flow;
    bool operator<(const Marked& o) const { return mark < o.mark || (mark == o.mark && flow < o.flow); }
  };
  std::vector<std::vector<Marked>> class_heap_;  // flows by mark, min first
  uint32_t class_front(uint32_t l) const {
    return timing_[l].one != kNoFlow ? timing_[l].one : class_heap_[l].front().flow;
  }
  uint64_t stamps_ = 0;                  // ClassTiming::stamp's clock
  struct Due {
    uint64_t stamp;
    uint32_t cls;
    int64_t finish;
  };
  std::vector<Due> due_;                 // retire_finished's scratch

  // Links left out of the solve (declare_feeders); all empty until one is. A link left
  // out has a slot, 0, 1, ... in the order they were declared: what the network keeps
  // for them is indexed by slot, so a class's counts are 4 bytes each (a 384-rank `cm`
  // all-to-all-v event reads ~5,100 of them, most out of cache: bench/README.md).
  static constexpr uint16_t kNoSlot = UINT16_MAX;
  bool any_left_out_ = false;            // every check on the hot paths reads this
  std::vector<uint16_t> slot_;           // by link: its slot, kNoSlot if it stays in the solve
  std::vector<uint32_t> slot_link_;      // by slot: the link
  std::vector<uint8_t> feeds_;           // by link: a feeder of a link left out
  std::vector<std::pair<uint32_t, uint32_t>> feeder_range_;  // by link: in feeder_pool_
  std::vector<uint32_t> feeder_pool_;
  // A flow's slots (the rest kNoSlot); a route's further links left out stay in the
  // solve (they are only left out where it pays; keeping one is always exact).
  static constexpr size_t kMaxPassiveHops = 4;
  std::vector<std::array<uint16_t, kMaxPassiveHops>> flow_passive_;
  // A class's flows crossing a slot. A count stops at kMaxCount and the slot's further
  // flows of the class start another count: a class's load on a slot is the sum of its
  // counts there.
  struct PassiveCount {
    uint16_t slot;
    uint16_t flows;
  };
  static constexpr uint16_t kMaxCount = UINT16_MAX;
  std::vector<std::vector<PassiveCount>> class_passive_;  // by class
  std::vector<double> passive_load_;     // by slot: sum over its flows of their rates
  std::vector<uint32_t> passive_flows_;  // by slot: flows with a rate crossing it
  size_t passive_links_loaded_ = 0;      // slots with passive_flows_ > 0
  std::vector<uint8_t> passive_touched_;  // by slot
  struct Rerate {
    uint32_t cls;
    double d;  // its new rate less its old
  };
  std::vector<Rerate> rerated_;          // apply_rates's scratch, for passive_rerate
  std::vector<uint16_t> passive_touched_list_;
  std::vector<LinkId> solver_route_;     // add_flow's scratch: the route less those links

  // Groups: a batch of flows with one callback.
  struct Group {
    uint64_t pending = 0;
    Callback on_done;
  };
  std::vector<Group> groups_;
  std::vector<uint32_t> free_groups_;
  std::vector<Callback> ready_;      // callbacks due at this instant

  EventHandle timer_;
  SimTime timer_at_ = SimTime::max();
  bool in_advance_ = false;
  FlowObserver* observer_ = nullptr;

  uint64_t flows_started_ = 0;
  uint64_t flows_completed_ = 0;
  uint64_t solves_ = 0;
  uint64_t flows_resolved_ = 0;
  uint64_t flows_moved_ = 0;
};

}  // namespace podsim::engine
