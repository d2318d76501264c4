#pragma once
// MaxMinSolver: max-min fair rates for flows sharing capacitated links. Every network
// model reuses it; it knows nothing of time, bytes or topologies.
//
// The model (Bertsekas & Gallager, "Data Networks", 2nd ed., 1992, §6.5.2). Link l has
// capacity c_l; flow f crosses the links of its route R_f at rate x_f. An allocation
// is max-min fair iff it is feasible,
//     sum over flows f with l in R_f of x_f  <=  c_l     for every link l,
// and every flow has a bottleneck: a saturated link on its route on which no flow gets
// more than it does. Progressive filling finds it: raise all rates together; when a
// link saturates, freeze the flows crossing it; continue with the rest. Each round
// the level is the smallest fair share (c_l - frozen load on l) / (unfrozen flows on l)
// over links that still carry unfrozen flows.
//
// The verbs are SimGrid's (src/kernel/lmm/System.hpp: constraint, variable, expand,
// solve): add_link(capacity); add_flow(route), which makes a flow and records the
// links it uses in one call; remove_flow; solve. A flow is made suspended (SimGrid: a
// variable with sharing penalty 0) so that it can wait out its latency without taking
// a share; activate() lets it compete.
//
// Incremental: the precedence region (Ros-Giralt et al., "On the Bottleneck Structure
// of Congestion-Controlled Networks", SIGMETRICS 2020: a change at a bottleneck
// propagates only to the bottlenecks downstream of it in the bottleneck precedence
// graph). Every active flow f has a bottleneck class b(f) (below): a saturated link on
// its route on which no flow gets more. The classes are the graph's vertices; class c
// precedes link l if a flow of c crosses l (then x_c <= x_l: l's own flows are its
// fastest). From the links whose flow set changed (removals, activations), solve()
// builds the region Q, the smallest set with
//     every class of a changed link (a changed link's share moves) in Q, and
//     every class of a link crossed by a flow of Q in Q (that link's residual
//     capacity c_l - sum over frozen flows on l moves with x_Q, so its share does),
// plus the activated flows, and fills Q alone on the residual capacities
//     c'_l = c_l - sum over flows f on l not in Q of x_f,
// every flow outside Q keeping its rate. Why that is exact: max-min fairness is
// unique and is characterised by feasibility plus a bottleneck for every flow
// (Bertsekas & Gallager, §6.5.2). Feasibility holds by construction (Q's fill stays
// within c'_l). A flow outside Q keeps its bottleneck b: b is not a changed link and
// no flow of Q crosses it (else b's class would be in Q), so b carries the same flows
// at the same rates, saturated, with no flow above it. A flow of Q froze on a link l
// saturated in the fill, where no flow of Q gets more; it is a true bottleneck iff no
// flow outside Q on l is faster either:
//     x_d <= level(l)   for every flow d on l outside Q.            (*)
// When (*) holds on every link Q froze on, the combined rates are the max-min
// allocation. When it fails (a finite change can reorder shares: a link's level drops
// below an upstream class that the infinitesimal precedence argument leaves alone, or
// an unsaturated link saturates under flows that were faster), the offending classes
// join Q with their downstream closure and Q is filled again from the state the
// first fill left (which is feasible and consistent, so the argument above holds for
// the larger Q); Q only grows, so this ends, at worst with the whole component.
// Checking (*) is O(1) for a link whose class was in Q and whose level did not drop
// (all flows on l were at most its old level), and a pass over l's list otherwise.
// On the 128-rank all-to-all-v of bench/README.md `cm` (mean per event): the earlier
// region (every class at or above the completed flow's rate connected to it) held 84
// classes, 2,000 flows, 2,900 pairs; Q holds 67 classes, 1,350 flows, 2,060 pairs, and
// 67 classes really change rate (a dense all-to-all's completions do reach most links
// above them); in 3.5% of the events a class outside the first Q changed rate, so Q
// had to grow (an offline count, bench/README.md). `nvl`: 29 -> 21 classes, 620 -> 370
// pairs. Rates match a from-scratch solve within rounding, not bit for bit: which flows
// a solve recomputes decides the order of the sums (maxmin_test, the oracle and
// event-by-event tests; simgrid_compare within 1e-4).
//
// Bottleneck classes. A solve records, for each flow it recomputes, the link it froze
// on: its bottleneck, class_of(f). Every flow frozen on one link in one round gets the
// same level, so the flows of a class have bit-identical rates, and a solve that
// recomputes one of them recomputes all (the region takes classes whole). The solver keeps the
// classes from solve to solve and fills over them, not over flows:
//   - a link's list holds (class, link) pairs with multiplicities, m(c, l) = the number
//     of flows of class c crossing l (in no particular order); a class lists its
//     pairs. The equation's sums become sums over pairs,
//         load(l) = sum over pairs (c, l) of m(c, l) x_c,
//         share(l) = (c_l - frozen load on l) / (sum of m(c, l) over unfrozen c),
//     and freezing class c at level x subtracts m(c, l) x on each of its links, so a
//     region costs its pairs, not its flows' route entries: flows of one class on the
//     same link share one pair. A flow alone in its class (each flow of a ring step)
//     has no pair: its links list it as itself, which is cheaper than a pair for one,
//     and no member list either: the class keeps it in one_[c] (4 bytes in a
//     link-indexed array instead of a vector whose buffer is a cache line of its own,
//     touched when the flow joins, freezes and leaves). With the same for the flow
//     network's per-class heap, an in-line write-back of one-entry lists and no
//     compaction pass for a link that loses its only flow, a 1,536-rank ring takes 9%
//     less CPU (bench/README.md, fifth session); still ~28% more than before classes.
//   - the region search takes classes whole. When link l saturates, a class wholly on
//     l (m(c, l) = |c|) freezes whole and, if its bottleneck moved, joins class l; a
//     class partly on l splits: its flows crossing l join class l, the rest stay
//     unfrozen in it; flows activated since the last solve join the class of the link
//     they freeze on. A class whose own link saturates in the same round (a tie within
//     kTieTolerance) keeps its flows: its link bottlenecks them at the same level, and
//     moving them would make tied links trade flows at every solve (on the 1,536-rank
//     `nvl` all-to-all-v ~68,000 flows moved per solve, 30x the CPU per event, once
//     the class's own link was filled to exactly 0 and the racks' shares tied bit for
//     bit). Only these moves are flow by flow, and solve() reports them
//     (Changes::moved), so the flow network (flow_network.h) re-times moved flows and
//     re-rates a class in O(1) however many flows it has.
// Why pairs and not a per-flow list with faster steps: the per-flow fill's cost was the
// pass over every recomputed flow's route (region search 34%, freezing 22% of the CPU
// on the 128-rank all-to-all-v); pairs divide that pass by the flows per pair. On the
// 128-rank all-to-all-v of bench/README.md a solve recomputes ~2,000 flows in ~80
// classes: `nvl` ~650 pairs against ~7,100 route entries (11x less), `cm` ~2,900
// against ~7,900 (2.7x: a `cm` class is the flows into one NPU, from distinct NPUs, so
// most of its pairs have m = 1). About 1,300 of the 2,000 change rate and ~5 change
// class per event.
// A freeze subtracts the level flow by flow (m subtractions), as a list of flows
// would: one serial chain, m times a subtraction's latency. On the class's own link,
// which the freeze fills, it sets the remaining capacity to 0, its exact value, instead
// (a `cm` class's chain there is its hundreds of flows: 12% of the CPU on the 256-rank
// all-to-all-v). maxmin_sums.h takes it as integer
// steps on the significand, O(1) per binade and bit for bit the loop's result, for
// chains of 8 or more that move x by under a quarter or are 48 or longer (a link
// drained to ~0 crosses a binade every few steps): 30% less CPU on the 256-rank
// all-to-all-v on `nvl`, whose pairs carry ~11 flows each; not used in the region
// search's sums (on `cm`, one flow per pair, it cost 2-4% there).
//
// Cost of a solve: O(P + M + L log L + V) for a region whose classes hold P pairs on L
// links and move or split M flows (their routes), V the lists passed over to check (*)
// (and every 32nd visit of a link, to sum its frozen load afresh), and O(route) for a
// flow alone in its region. Links
// whose fair shares tie (within kTieTolerance) saturate in the same round and give
// their flows bit-identical rates, so a symmetric collective step (all-to-all on a
// crossbar) is one round and its flows finish at the same instant.
//
// The filling's queue of links by fair share is a binary heap of (share, link) entries,
// one per link, whose key is a lower bound of the link's share: freezing flows only
// raises the shares of the other links they cross, so a link is re-keyed in place
// (sift down) only when it reaches the top with a stale key, and the top with a
// current key is the minimum. Only the top is ever re-keyed or removed, so the heap
// keeps no positions, and the keys sit in the entries (a sift compares neighbours in
// one array instead of loading each link's key). Ties go to the smaller link id, so
// links pop in the same order from any heap with this order (rates bit-identical).
// On the 128-rank all-to-all-v of bench/README.md a solve's heap holds ~156 links and
// does ~285 sift-downs (one pop and ~0.8 re-keys per link); the indexed binary heap
// with a position per link and keys in a link-indexed array took 9% more CPU on the
// whole run (`cm` and `nvl` alike; binary and 8-ary entries were within the noise of
// 4-ary). A sift picks the smaller child with masks, not branches: keys are >= +0 (no
// -0 is stored), so their bit patterns order as the doubles do, and which child wins is
// data a branch predictor cannot learn; that took 13-15% off the whole run on `cm`
// (0.84 -> 0.72 s CPU, 128-rank all-to-all-v), with the binary heap ~2% ahead of 4-ary
// and 10% ahead of 8-ary once the compares stopped branching.
// The heap of (share, link) pairs before it pushed a new entry at every freeze
// and popped the stale ones later: ~28 entries per link per solve on an all-to-all-v,
// half the solver's time in pop_heap. Re-keying every touched link after each round
// instead (eager key updates) was the slower variant: 5.7 s against 2.3 s wall on the
// 128-rank all-to-all-v of bench/simgrid_compare (one run, machine load 8), because
// most touched links are far from the top when touched. Buckets (shares on a grid)
// would need a second pass to keep ties exact, and shares span many decades.
//
// Ordered fills. The first fill of a solve that only removed flows takes the region's
// links in the order of their classes' old rates rather than from the heap: at each
// step the link of smallest fair share among the next kWindow candidates (the region's
// classes by (old rate, id), a candidate dropped once no flow on its link is unfrozen)
// saturates, with every candidate within kTieTolerance of it, as a heap round. Why that
// is exact: it is progressive filling in a chosen order, and when the levels come out
// non-decreasing every flow frozen on link l at level x has l for a bottleneck (l ends
// saturated, the flows on it frozen before got at most x, none froze after), which is
// the characterisation of Bertsekas & Gallager §6.5.2; the checks after the fill ((*),
// the links left out) are the heap fill's. When a link outside the window had the
// smaller share, its share only falls as flows freeze above it (a flow frozen at s
// above the share r/u leaves (r - s)/(u - 1) < r/u), so it saturates later, below the
// level before it: the fill then puts the region's remaining capacities and unfrozen
// counts back as find_regions() left them (flows it moved stay moved; the classes
// are consistent) and the heap fills it. (A drop between classes whose flows do not
// meet does no harm; it falls back all the same.) How far the new order strays, on
// the 384-rank all-to-all-v of bench/README.md `cm` (main 627ffa8, each fill's pop
// order against its classes' old ranks): the same order in 7% of the fills, within 2
// places in 46%, 4 in 43%, 8 in 2.7%, further in 0.5%. With 8 the fill falls back in
// 0.2% of the 256-rank events (1.8% with 4, the same CPU within noise); the scan of 8
// candidates per step replaces the heap's ~1,500 sift-downs per fill of ~390 links
// (13% of the CPU). The order is kept from fill to fill (order_) and brought up to
// date by an insertion sort, about one pass since the rates moved little (sorting the
// region's ~380 classes afresh took 4% of the CPU).
//
// Links left out. A region link on which no flow is bottlenecked (its class is empty)
// and which no new flow crosses had room to spare before the change; it stays out of
// the heap, and its remaining capacity is still kept as classes freeze. After the fill
// it is checked: remaining >= -kTieTolerance c_l, i.e. the fill kept it feasible (up to
// the rounding a tie leaves). Why that is exact: the fill without such a link is the
// max-min allocation of the other links' constraints, so every flow has a bottleneck
// among them; if the allocation also fits the links left out, it is feasible for all
// links, and a bottleneck stays a bottleneck when a constraint it satisfies is added,
// so it is the max-min allocation (unique, Bertsekas & Gallager §6.5.2). When a link
// left out is overloaded, it should have saturated: it joins the heap for the rest of
// the solve, every class on it joins the region, and the region fills again as when
// (*) fails (its flows all refill, so the state the first fill left is feasible
// outside the region). Every region flow still crosses a heap link (its class's, or
// all its links if it is new), so every flow freezes. On the 256-rank all-to-all-v
// of bench/README.md a fill's heap holds 147 links instead of 271 on `cm` (124 left
// out) and 18 instead of 236 on `nvl`; a link left out is overloaded in 1.8% (`cm`)
// and 1.5% (`nvl`) of the fills. Before, on `cm` such links took 20% of the heap's
// re-keys (a link that carries many flows starts with a low share and comes back to
// the top as they freeze elsewhere) and, once all their flows had frozen, pops.
//
// Quiet solves. A solve that only removed flows (no activation since the last) first
// tries to keep every class as it is: classes below the smallest removed flow's rate
// keep their rates (progressive filling runs the same up to that level), and if no flow
// changes class, the rates solve each re-rated class's own link equation,
//     x_c = (c_l - load of the other classes on l) / |c|        (l = c's link),
// where every other class on l was at most c's old rate (l bottlenecked c). So the
// classes are re-rated in the order of their old rates, from a heap of classes seeded
// by the changed links' classes: x_c from the link's total less c's old load plus the
// changes pushed so far (from its list every kResync-th time), then x_c - x_c(old)
// times m(c, l') pushed to each other link l' of c, whose class joins the heap. One
// pass over the pairs of the classes that change, no region search, no heap of links.
// The result is the max-min allocation iff (the certificate of Bertsekas & Gallager)
//   - every re-rated class is bottlenecked on its link: no flow there is faster than
//     x_c (the classes pushed to it so far; the others were at most its old rate, or
//     other_max_ bounds them, or its list is read);
//   - no class re-rated already is pushed to again (a tie in old rates) and no class
//     joins the heap below the one being re-rated (the order broke);
//   - every touched link without a class still fits its load;
// classes not reached keep their links' loads and their bottlenecks. When a check fails
// (a flow changes class) and no repair (below) applies, the rates go back and the solve
// fills as below. Before repairs, on the
// all-to-all-v of bench/README.md at 256 ranks, 52% of the `cm` solves and 89% of the
// `nvl` ones pass; a failed try costs about a tenth of the fill after it (33 us against
// 248 us on `cm`). On `cm` the solves that pass are the cheap ones (17 us), so trying
// every time cost 12% more CPU there and saved 15-18% on `nvl`; the solver tries while
// two thirds of the recent tries passed, and otherwise probes every 8th removal-only
// solve to notice a change, the interval doubling after each failed probe up to 64
// (the first half of a `cm` run fails every probe: they were 2-4% of its CPU), which
// leaves `cm` on the fill and keeps the `nvl` gain.
//
// Quiet repairs. Of the quiet tries that failed on the 256-rank `cm` all-to-all-v (main
// d6be920, every removal-only solve tried), 98% failed the bottleneck check at some
// class c, and 96% (27,034 of 28,131) because a class d re-rated a step or two before
// c, from a smaller old rate, came out faster than c's new rate and has flows on c
// (on average d was the 32nd of the 33 classes re-rated when c failed). The order of the old rates broke there: d's link
// took the share that c's flows needed, and progressive filling would have saturated
// link c first, at a level below d's, freezing d's flows on c with c's. The repair does
// that step instead of giving up (quiet_repair()):
//   - the culprits are the classes on c faster than c's tentative rate: one re-rated
//     in this solve is taken back, with every class re-rated after it whose link a
//     class taken back crosses (it was rated with that push), their pushes undone,
//     and they wait in the queue again at their old rates; one not re-rated yet joins
//     the queue;
//   - link c's level is its capacity less every other flow on it at its current rate,
//     over c's flows and the culprits' flows on it (from c's list, exactly); c's
//     change and that of the culprits' flows (from their old rate to the level) are
//     pushed to their other links, and the culprits' flows on c join class c;
//   - the culprits are re-rated later from their own links, without those flows.
// Nothing of the certificate is skipped: every class re-rated after a repair, the
// culprits included, is checked against the flows on its link as before (the moved
// flows among them), a push onto a class re-rated already still fails, and so does
// a touched link without a class that no longer fits; what the quiet path returns
// satisfies the characterisation of Bertsekas & Gallager §6.5.2 however it got there.
// A repair gives up (the solve fills) when a class to take back was repaired itself
// (its moved flows cannot go back), more than kMaxTakenBack would be taken back, or a
// flow on c outside c and the culprits is faster than the level. The flows a repair
// moved before a give-up stay moved, in classes whose rates go back to the old ones:
// their links are seeded, so the fill takes their classes in, sums those links'
// frozen load afresh from the lists, and reads their bounds (other_max_) from the lists.
// On the all-to-all-v of bench/README.md at 256 ranks `cm` (main d6be920 -> after):
// quiet solves 43% -> 82% of the events, fills 56% -> 18%, 1.4 repairs per event,
// a failed try 4.5% of the events; the other failures are mostly a repaired class to
// take back and a touched link without a class overloaded (a new bottleneck).
// Letting a repair take back a class repaired earlier (its moved flows back to the
// classes they left, and a bound of 64 repairs per solve, since two classes could then
// trade flows for ever) did not pay: on the 256-rank `cm` run the passes rose from 81.9%
// to 82.0% of the events and the repairs from 1.4 to 3.0 per event; the tries it saved
// failed further on instead (bench/README.md).
// The pass's cost is its pushes: one per pair of a re-rated class (~36 instructions
// each before, ~30 now), and on the 384-rank `cm` run a pass re-rates ~400 classes
// (~27,000 pairs) in the first quarter of the events; on the 256-rank run most classes
// re-rated change by 1e-5 to 1e-3 of their rate (a real cascade, not rounding: a
// tolerance would not cut it). What the push loop keeps small: a link's quiet fields
// (delta, fastest class pushed, and a tag) in one record; other_max_ raised once
// per touched link at the end, not at each push (during the pass the fastest class
// pushed bounds the re-rated classes and other_max_ as before the solve the others, so
// the bottleneck check is as sound); and the queue a heap whose pops pick children
// with masks (std::pop_heap's compares were 17% of the mispredicted branches). The tag
// is the solve's stamp and where the link's class stands (none, queued, not queued yet,
// re-rated), so the common push (touched, its class queued or none there) is one test
// of one word; before, whether the class was queued was a second load (class_mark_)
// and a test that mispredicted on a sixth to a quarter of the pushes. Counted by
// cachegrind on the 256-rank `cm` all-to-all-v, with the fill's one-flow subtraction
// below: mispredicted branches -26%, instructions -4.8%.
//
// The quiet queue. The heap of classes by old rate took ~10% of the CPU on the 384-rank
// `cm` all-to-all-v (perf: its pops 7.8%, pushes 1.9%): a pass pops a few hundred
// classes, each pop ~9 levels of sift. The order it pops in is the classes' order by
// (rate, id) as the solve starts (a class waits at its old rate: one not re-rated yet
// has it still, one a repair takes back has it back). So the solver keeps every class
// with flows in one array by that order (order_, also the ordered fill's), a class
// added when a solve first gives it flows; at a quiet solve's start it is brought up
// to date by an insertion sort (the rates moved little since: a pass of one compare per
// class, the rates' bits beside the ids), each class notes its place (rank_), and the
// queue is a bit per place: a push sets the bit, a pop takes the lowest (a word scan
// from the lowest set word; a repair's classes taken back set bits below it again).
// The set-up is a pass over the classes, so it pays only when the pops are many: the
// solve takes it while the classes in order_ number fewer than kRankRatio times the
// classes popped per quiet solve (running mean), else the heap. The pops come out in
// the heap's order exactly (the tests compare the two queues bit for bit). Counted by
// cachegrind on the all-to-all-v of bench/README.md (main d8795fb -> after, kRankRatio
// 16 against the links, as first landed; the rank queue in 49% of the events at 384
// ranks `cm`): 128 ranks `cm` + `nvl` instructions -1.7%, mispredicted branches -7.4%;
// 256 `cm` -4.6% and -16%; 384 `cm` -4.8% and -19%; ratios 8 and 32 within 0.1% of 16
// at 256 and 384 ranks. Against the classes (the set-up no longer passes over the
// links): 256 `cm` -0.5% more, 384 the same.
//
// A link's list is not kept in any order: a class whose rate changes keeps its pairs
// where they are, so the write-back costs only the pairs made and dropped (the lists
// sorted by rate of the earlier region search cost a rewrite of each region link's
// upper part per solve). A region link's frozen load is its total less Q's old load on
// it, summed over Q's pairs as Q is found; every 32nd time it is summed afresh from
// the list, so rounding cannot build up.
//
// Storage is struct-of-arrays: a flow is a slice of one flat route pool plus its class
// and its place in it (~24 bytes and 4 per hop); a class its member list and pair list;
// a pair 12 bytes (class, link, multiplicity); a link the flat list of its pairs and
// lone flows. A class's list holds its pairs' links and multiplicities itself (12-byte
// entries, ClassPair), not only their ids: the region search, the freeze and the quiet
// push read one list in order instead of following each id into pairs_, and pair ids
// then serve the links' lists, so renumber_pairs gives each link's pairs consecutive ids
// (when the pairs made since the last time reach an eighth of those alive: after a large
// collective starts, then every few hundred events; pairs made as flows move land in
// scattered free slots). On the 384-rank all-to-all-v on `cm`, whose ~2.4 MB of pairs
// outgrow the second-level cache, the copies (with the pair's place in its class's
// list moved out of the pair) took 16.4 s of CPU against 19.4 s, and the numbering by
// link then 13.7 s against 16.8 s (medians of three runs alternated, load
// ~8, bench/README.md); ids numbered by class, before, had given 10% at 256 ranks.
// Entries of 8 bytes (link, multiplicity) with the ids in a list beside them measured
// the same as 12 (within the noise of four runs each). What did not pay on this
// machine (2-core EPYC, 32 KB first-level data cache, 1 MB second-level per core):
// rates copied into the link lists (16-byte entries: 12% slower), the links' fields in
// one cache-line record (3% slower on the all-to-all-v, 1-2% faster on the ring),
// summing the region totals or freezing a class's pairs four chains at a time (7-10%
// slower: the additions' latency was already hidden behind the loads), software
// prefetching of the pairs (4-8% slower), a branch-free search for theta (10% slower).
//
// Before the precedence region (2026-12-05, seventh session), where the CPU went on the
// 128-rank all-to-all-v on `cm` (perf, main at 76adc59): the region search 39% (of it
// the region totals' flow-by-flow additions ~15%), the heap 19%, freezing 15%. Tried
// there and dropped: a per-link copy of the rates beside each list (4% slower), the
// totals by add_repeated (3% slower). bench/README.md has the measurements since.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "engine/network/fabric.h"

namespace podsim::engine {

enum class FlowId : uint32_t {};
constexpr uint32_t index(FlowId f) { return static_cast<uint32_t>(f); }

class MaxMinSolver {
 public:
  // Two fair shares within this relative distance saturate in the same round and give
  // their flows the same rate. Far below the 1e-9 the tests demand, far above the
  // rounding of a few thousand subtractions.
  static constexpr double kTieTolerance = 1e-12;
  // class_of() of a flow that has no rate yet (suspended, or activated since the last
  // solve).
  static constexpr uint32_t kNoClass = UINT32_MAX;
  // The ordered fill's candidates (maxmin.h, "Ordered fills"): the links of the next
  // kWindow classes by old rate.
  static constexpr size_t kWindow = 8;

  MaxMinSolver() = default;
  MaxMinSolver(const MaxMinSolver&) = delete;
  MaxMinSolver& operator=(const MaxMinSolver&) = delete;

  // REQUIRES: capacity > 0 and finite (std::invalid_argument): a zero-capacity link
  // would leave its flows at rate 0 forever.
  LinkId add_link(double capacity);

  // A new, suspended flow over `route`. The ids of removed flows are reused.
  // REQUIRES (std::invalid_argument): route non-empty, every link exists, no link twice.
  FlowId add_flow(std::span<const LinkId> route);
  // Lets a suspended flow compete from the next solve(). REQUIRES: f is suspended.
  void activate(FlowId f);
  // Removes f (suspended or active); its id may be reused after the next solve().
  void remove_flow(FlowId f);

  // What the last solve() recomputed: every flow of the regions (including newly
  // activated ones), every link they touch, the bottleneck classes they are in now
  // (each got its rate set; it may be unchanged), and the flows whose class changed,
  // with the class each had before (kNoClass for a newly activated flow). Flows and
  // links not listed kept their rates and loads; a class not listed kept its rate and
  // its flows, except for flows removed since.
  // Valid until the next call that changes the solver.
  // `flows` is filled only while report_flows (the default); `moved` always.
  struct Changes {
    std::span<const FlowId> flows;
    std::span<const LinkId> links;
    std::span<const uint32_t> classes;
    std::span<const FlowId> moved;
  };
  Changes solve();
  // Whether solve() lists the flows it recomputed (Changes::flows): O(flows) per solve;
  // a caller that works class by class (the flow network) turns it off.
  void set_report_flows(bool on) { report_flows_ = on; }
  // Solves since construction whose first region proved too small and was grown
  // (maxmin.h, "Precedence"): each such solve filled again.
  uint64_t regrown_solves() const { return regrown_solves_; }
  // Solves that only removed flows and took the quiet path (maxmin.h, "Quiet solves"),
  // and those whose check failed there and fell back to the fill.
  uint64_t quiet_solves() const { return quiet_solves_; }
  uint64_t quiet_fallbacks() const { return quiet_fallbacks_; }
  // Classes a quiet solve froze with the flows of classes re-rated before them that
  // came out faster (maxmin.h, "Quiet repairs").
  uint64_t quiet_repairs() const { return quiet_repairs_; }
  // Quiet solves that fell back to the fill after a repair had moved flows.
  uint64_t quiet_repair_fallbacks() const { return quiet_repair_fallbacks_; }
  // Solves filled in the old order (maxmin.h, "Ordered fills"), and those whose check
  // failed there and fell back to the region fill.
  uint64_t ordered_solves() const { return ordered_solves_; }
  uint64_t ordered_fallbacks() const { return ordered_fallbacks_; }
  // The ordered fill's window (default kWindow); tests narrow it to make its fallback
  // common. REQUIRES: size >= 1.
  void set_window(size_t size) { window_size_ = std::max<size_t>(size, 1); }
  // The quiet solve's queue (maxmin.h, "The quiet queue"): chosen by cost (the
  // default), or one of the two always; tests force each to compare them bit for bit.
  enum class QuietQueue { kChosen, kHeap, kRank };
  void set_quiet_queue(QuietQueue q) { quiet_queue_ = q; }
  // Quiet solves whose queue was the one by rank.
  uint64_t rank_queue_solves() const { return rank_queue_solves_; }

  // As of the last solve(); 0 for a suspended flow or one activated since.
  double rate(FlowId f) const {
    const uint32_t c = flows_[index(f)].cls;
    return c == kNoClass ? 0 : class_rate_[c];
  }
  // The bottleneck class of f: the link it froze on in the last solve that recomputed
  // it, a saturated link on which no flow gets more. All flows of a class have one,
  // bit-identical rate, and a solve recomputes a class whole or not at all.
  // kNoClass for a suspended flow or one activated since the last solve.
  uint32_t class_of(FlowId f) const { return flows_[index(f)].cls; }
  LinkId bottleneck(FlowId f) const { return LinkId{flows_[index(f)].cls}; }
  // The rate of the flows of class c (the link c's bottleneck class), as of the last
  // solve; meaningless for a class without flows.
  double class_rate(uint32_t c) const { return class_rate_[c]; }
  size_t class_size(uint32_t c) const { return class_flows(c); }
  // Sum of the rates of the active flows on l, as of the last solve().
  double load(LinkId l) const { return load_[index(l)]; }
  double capacity(LinkId l) const { return capacity_[index(l)]; }
  std::span<const LinkId> route(FlowId f) const {
    return {pool_.data() + flows_[index(f)].route_begin, flows_[index(f)].route_len};
  }

  size_t link_count() const { return capacity_.size(); }
  // Flows added and not removed (suspended or active).
  size_t flow_count() const { return live_flows_; }
  // One past the largest flow id ever handed out: size for arrays indexed by FlowId.
  size_t flow_id_bound() const { return flows_.size(); }

 private:
  enum class State : uint8_t { kFree, kSuspended, kActive, kRemoved };

  // (class, link) incidence: `mult` flows of class `cls` cross `link`. 0: dead, to be
  // dropped from the link's list and freed.
  struct Pair {
    uint32_t cls;
    uint32_t link;
    uint32_t mult;
  };

  void seed(uint32_t link);
  void drop_removed_flows();
  void compact_pool();
  void find_regions();
  void join_region_link(uint32_t link, uint32_t seed, uint32_t& merge_from);
  void join_region_class(uint32_t c, size_t& flows, uint32_t seed, uint32_t& merge_from);
  bool check_levels();
  bool quiet_solve();
  void quiet_touch(uint32_t l);
  void quiet_enqueue(uint32_t c);
  bool quiet_push(uint32_t l, double d, uint32_t mult, double x, double x_old);
  bool quiet_push_class(uint32_t c, double x, double x_old);
  bool quiet_repair(uint32_t c, double x_old, double bound);
  void drop_dead_entries();
  bool window_fill(size_t class_begin, size_t class_end, std::span<const LinkId> links, size_t flows);
  void order_candidates(size_t class_begin, size_t class_end);
  void sort_order();
  void fill_regions();
  double entries_top(uint32_t l) const;
  double entries_sum(uint32_t l, bool skip_own) const;
  void finish_round();
  void next_epoch();
  void renumber_pairs();
  void fill(size_t component);
  void freeze_round_link(uint32_t l, double level);
  size_t freeze_round(double level);
  void freeze_class(uint32_t c, double level);
  void move_flow(uint32_t f, uint32_t to);
  void rehome_class(uint32_t from, uint32_t to);
  void point_slots(uint32_t c, std::vector<uint32_t>& slot, std::vector<uint32_t>& stamps, uint32_t& epoch) const;
  void stamp_pairs(uint32_t c);
  void stamp_from(uint32_t c);
  uint32_t find_pair(uint32_t c, uint32_t link) const;
  uint32_t new_pair(uint32_t c, uint32_t link, uint32_t mult, uint32_t witness);
  void kill_pair(uint32_t p);
  void compact(uint32_t link);
  void leave_class(uint32_t f);
  void give_pairs(uint32_t c);
  // A link's list entry: a pair, or (kSingle set) a flow alone in its class.
  static constexpr uint32_t kSingle = uint32_t{1} << 31;
  uint32_t entry_class(uint32_t e) const { return e & kSingle ? flows_[e & ~kSingle].cls : pairs_[e].cls; }
  uint32_t entry_mult(uint32_t e) const { return e & kSingle ? 1 : pairs_[e].mult; }
  bool entry_dead(uint32_t e) const {
    if (!(e & kSingle)) return pairs_[e].mult == 0;
    const Flow& f = flows_[e & ~kSingle];
    return f.state != State::kActive || !f.tagged;
  }
  void add_to_class(uint32_t c, uint32_t p);
  void drop_pair(uint32_t p);
  void note_moved(uint32_t f);
  // The filling's heap of links by fair share (smallest first).
  struct HeapEntry {
    double key;  // a lower bound of the link's fair share, >= 0
    uint32_t link;
  };
  static constexpr size_t kArity = 2;
  static bool heap_less(const HeapEntry& a, const HeapEntry& b) {
    return a.key < b.key || (a.key == b.key && a.link < b.link);
  }
  void heap_sift_down(size_t i);
  uint32_t heap_pop();

  // Links.
  std::vector<double> capacity_;
  std::vector<double> load_;
  std::vector<double> sum_;                       // sum of the active flows' rates
  std::vector<std::vector<uint32_t>> on_;         // pairs on each link, by class rate
  std::vector<std::vector<uint32_t>> loose_on_;   // flows activated since the last solve
  std::vector<uint32_t> since_exact_;             // region solves since sum_ was exact
  std::vector<uint32_t> active_on_;               // active flows crossing the link

  // Bottleneck classes, indexed by link: the flows that froze on it, one rate.
  std::vector<double> class_rate_;
  std::vector<std::vector<uint32_t>> members_;    // its flows (Flow::pos: index here)
  // A class of one flow without pairs keeps it here and leaves members_[c] empty: a
  // ring step's flows never touch a member list (the list is a cache line of its own).
  static constexpr uint32_t kNoFlow = UINT32_MAX;
  std::vector<uint32_t> one_;
  size_t class_flows(uint32_t c) const { return one_[c] != kNoFlow ? 1 : members_[c].size(); }
  // A flow of class c. REQUIRES: class_flows(c) > 0.
  uint32_t first_flow(uint32_t c) const { return one_[c] != kNoFlow ? one_[c] : members_[c][0]; }
  // Takes f out of its class c's flows (one_ or the member list); true iff it was the
  // class's lone flow in one_ (which has no pairs to update).
  bool drop_member(uint32_t c, uint32_t f);
  // A class's pairs, one per link it crosses, with copies of the link and multiplicity:
  // the class loops (region search, freeze, quiet push) read them in one sequential
  // pass instead of following each id into pairs_ (maxmin.h, "Storage").
  struct ClassPair {
    uint32_t link;
    uint32_t mult;  // == pairs_[pair].mult (change_mult keeps both)
    uint32_t pair;
  };
  std::vector<std::vector<ClassPair>> cpairs_;
  uint32_t change_mult(uint32_t p, int32_t by);
  std::vector<uint32_t> class_mark_;              // == epoch_: in a region, unfrozen
  std::vector<Pair> pairs_;
  // By pair: kNoFlow or a flow of its class that crosses its link (a flow leaving the
  // class clears it where it is the witness). With mult 1 it is the pair's only flow,
  // so a class that splits on that link finds the flow to move without passing over
  // its members and their routes (that pass was ~5% of the CPU on the 384-rank `cm`
  // all-to-all-v). Kept apart from Pair: the fill's passes over pairs never read it.
  std::vector<uint32_t> witness_;
  std::vector<uint32_t> pair_cpos_;               // a pair's place in cpairs_[cls]
  std::vector<uint32_t> free_pairs_;
  std::vector<uint32_t> dead_pairs_;              // mult 0, still in a link's list
  size_t pairs_made_ = 0;                         // since renumber_pairs()
  static constexpr size_t kMinPairsMade = 64;
  std::vector<uint32_t> remap_;                   // renumber_pairs()'s scratch

  // Flows, indexed by FlowId.
  struct Flow {
    uint32_t route_begin = 0;  // into pool_
    uint16_t route_len = 0;
    State state = State::kFree;
    uint8_t moved = 0;         // in moved_ this solve
    uint8_t tagged = 0;        // alone in its class: listed on its links as itself
    uint32_t cls = kNoClass;
    uint32_t pos = 0;          // in members_[cls]
    uint32_t mark = 0;         // loose flows: == epoch_ in a region
  };
  std::vector<Flow> flows_;
  std::vector<LinkId> pool_;         // all routes, back to back
  size_t pool_garbage_ = 0;          // entries of removed flows still in pool_
  std::vector<uint32_t> free_ids_;
  size_t live_flows_ = 0;

  // Changes since the last solve.
  std::vector<uint32_t> seeds_;           // links whose active flow set changed
  std::vector<uint8_t> seeded_;           // per link: already in seeds_
  std::vector<uint32_t> removed_;         // flows to free (cls kept until then)
  std::vector<uint32_t> to_compact_;      // links whose lists hold dead pairs
  std::vector<uint8_t> needs_compact_;    // per link: already in to_compact_

  // Scratch of one solve, kept to reuse allocations.
  uint32_t epoch_ = 0;
  // Per link: >= search_base_ when in the region, search_base_ + k for the k-th search
  // (by seed) that reached it.
  std::vector<uint32_t> link_mark_;
  uint32_t link_stamp_ = 0;               // the largest link mark handed out
  uint32_t search_base_ = 1;
  uint32_t next_link_stamps(size_t count);
  std::vector<uint32_t> comp_classes_;
  std::vector<uint32_t> comp_loose_;
  std::vector<LinkId> comp_links_;
  struct Component {
    size_t first_class;  // into comp_classes_
    size_t first_loose;  // into comp_loose_
    size_t first_link;   // into comp_links_
    size_t flows;
    uint32_t first_seed; // the first of its searches (a component is a run of them)
  };
  std::vector<Component> components_;
  // A class reached from one seed may cross a link another seed's search reached
  // first (link_mark_ says which); the two components, and all between them, then
  // fill as one.
  size_t component_of_seed(uint32_t seed) const;
  std::vector<double> above_;            // the region's old load on the link
  std::vector<double> old_rate_;          // the link's class's rate before; -1: it had none
  // Per link: at least the rate of every flow on it outside its own class, raised as
  // classes freeze, made exact when check_levels() passes over the list.
  std::vector<double> other_max_;
  struct Saturation {
    uint32_t link;
    double level;
  };
  std::vector<Saturation> saturated_;     // links flows froze on in this round
  std::vector<uint32_t> left_out_;        // region links kept out of the heap
  std::vector<uint32_t> overloaded_;      // of those, the ones the fill overloaded
  std::vector<uint32_t> in_heap_;         // == solves_: in the heap whatever its class
  uint32_t solves_ = 0;
  uint64_t regrown_solves_ = 0;
  // quiet_solve()'s scratch and counters.
  size_t activated_ = 0;                  // activations since the last solve
  static constexpr uint32_t kQuietProbe = 8;
  static constexpr uint32_t kQuietProbeMax = 64;
  uint32_t quiet_probe_ = kQuietProbe;    // removal-only solves between probes
  uint32_t since_probe_ = 0;
  static constexpr uint32_t kQuietWindow = 256;
  uint32_t quiet_recent_ = 0;             // tries in the recent window
  uint32_t quiet_recent_ok_ = 0;          // of those, the ones that passed
  uint64_t quiet_solves_ = 0;
  uint64_t quiet_fallbacks_ = 0;
  // Per link, what a quiet solve pushed to it, in one record: a push reads and writes
  // all of it. The tag says in one load whether the link was touched in this solve and
  // where its class stands, so the common push (a class queued already, or none there)
  // takes one test (maxmin.h, "Quiet repairs", last paragraph).
  enum QuietState : uint64_t {
    kNoClassHere = 0,  // no class is bottlenecked on it
    kQueued = 1,       // its class waits in the queue
    kWaiting = 2,      // its class is not queued yet
    kRerated = 3,      // its class was re-rated in this solve
  };
  struct QuietLink {
    double delta = 0;       // load change pushed so far
    double pushed_max = 0;  // fastest re-rated class pushed
    uint64_t tag = 0;       // (stamp << 2) | QuietState; stamp == quiet_stamp_: touched in this solve
  };
  std::vector<QuietLink> quiet_link_;
  bool quiet_touched(uint32_t l) const { return quiet_link_[l].tag >> 2 == quiet_stamp_; }
  void quiet_set_state(uint32_t l, QuietState s) { quiet_link_[l].tag = uint64_t{quiet_stamp_} << 2 | s; }
  bool quiet_admit(uint32_t l, double x_old);
  std::vector<uint32_t> touched_;         // links with a push or a removal
  struct Queued {
    double old_rate;
    uint32_t cls;
  };
  std::vector<Queued> quiet_heap_;        // classes to re-rate, by old rate
  // The queue by rank (maxmin.h, "The quiet queue"): order_ brought up to date at the
  // solve's start, a class's place in it (rank_), and a bit per place while it waits.
  QuietQueue quiet_queue_ = QuietQueue::kChosen;
  bool by_rank_ = false;                  // this solve's queue is rank_bits_
  uint64_t rank_queue_solves_ = 0;
  std::vector<uint32_t> rank_;            // per class in order_: its place there
  std::vector<uint64_t> rank_bits_;
  size_t rank_low_ = 0;                   // no word below it has a bit set
  size_t rank_queued_ = 0;                // bits set
  static constexpr double kRankRatio = 16;
  double pops_avg_ = 0;                   // classes popped per quiet solve, running mean
  size_t pops_ = 0;                       // in this solve
  void sync_order();
  bool quiet_queue_empty() const { return by_rank_ ? rank_queued_ == 0 : quiet_heap_.empty(); }
  // A re-rated class, in the order of re-rating, and its rate before.
  struct OldRate {  // 16 bytes: the rate first
    double rate;
    uint32_t cls;
    bool repaired;  // a quiet_repair() froze it with flows of classes taken back
  };
  std::vector<OldRate> restore_;          // re-rated classes' rates before
  void quiet_heap_push(Queued q);
  Queued quiet_heap_pop();  // REQUIRES: the queue is not empty
  void quiet_queue_push(uint32_t c);
  Queued quiet_queue_pop();  // REQUIRES: the queue is not empty
  uint32_t quiet_stamp_ = 0;              // QuietLink::stamp of the links touched
  // quiet_repair()'s scratch: the entries on the link of the classes taken back, their
  // places in restore_, and marks (== repair_stamp_) of those classes and their links.
  std::vector<uint32_t> culprits_;
  std::vector<size_t> taken_;
  std::vector<uint32_t> culprit_mark_;
  std::vector<uint32_t> crossed_mark_;
  uint32_t repair_stamp_ = 0;
  // A repair takes back at most this many classes; more and the solve fills. A bound
  // on one repair's cost (each class taken back costs a pass over its pairs), not a
  // tuned value: it went from 16 to 64 together with another change, not measured
  // alone; on the 256-rank `cm` all-to-all-v the classes taken back are nearly always
  // the last one or two re-rated.
  static constexpr size_t kMaxTakenBack = 64;
  bool quiet_moved_ = false;              // a repair moved flows
  std::vector<uint32_t> quiet_links_;     // the links of the flows repairs moved
  uint64_t quiet_repairs_ = 0;
  uint64_t quiet_repair_fallbacks_ = 0;
  std::vector<Saturation> exact_top_;     // links whose other_max_ was summed exactly
  // window_fill()'s scratch: the region's classes by old rate, the candidates, and the
  // region links' state to go back to.
  size_t window_size_ = kWindow;
  std::vector<uint32_t> order_;           // classes with flows by rate, as of the last sort_order()
  std::vector<uint8_t> in_order_;          // per class: in order_
  std::vector<uint64_t> order_key_;       // order_'s rates' bits, as of sort_order()
  std::vector<uint32_t> candidates_;      // the region's classes in order_
  std::vector<uint32_t> cand_mark_;       // per class: == cand_stamp_ in this region
  uint32_t cand_stamp_ = 0;
  std::vector<uint32_t> window_;
  struct Snapshot {
    double remaining;
    uint32_t unfrozen;
  };
  std::vector<Snapshot> snapshot_;
  bool removal_only_ = false;             // this solve activated no flow
  bool window_round_ = false;             // this round's fills try window_fill()
  uint64_t ordered_solves_ = 0;
  uint64_t ordered_fallbacks_ = 0;
  std::vector<LinkId> solved_links_;      // every round's region links
  std::vector<double> remaining_;         // capacity not yet given to frozen flows
  std::vector<uint32_t> unfrozen_;        // active flows on the link not yet frozen
  std::vector<HeapEntry> heap_;           // the region's links, min first
  std::vector<uint32_t> round_;
  std::vector<uint32_t> in_round_;        // per link: == round_id_ while it saturates
  uint32_t round_id_ = 0;
  std::vector<uint32_t> units_;           // pairs of the classes on a saturating link
  std::vector<uint32_t> split_;           // flows of a class that cross it
  std::vector<uint32_t> fill_dead_;       // pairs a fill emptied, freed after it
  std::vector<uint32_t> slot_;            // per link: the pair of the stamped class
  std::vector<uint32_t> slot_stamp_;
  uint32_t stamp_ = 0;
  uint32_t stamped_class_ = kNoClass;
  std::vector<uint32_t> from_slot_;       // the same for a class that splits
  std::vector<uint32_t> from_stamp_;
  uint32_t from_epoch_ = 0;
  uint32_t from_class_ = kNoClass;
  std::vector<uint32_t> solved_classes_;
  std::vector<FlowId> changed_flows_;
  std::vector<FlowId> moved_;
  bool report_flows_ = true;
  std::vector<uint32_t> partial_;         // removed flows whose class lives on
};

}  // namespace podsim::engine
