// podsim vs SimGrid: the same traffic on the same topology in both flow-level
// simulators (issue #4). SimGrid's LMM solver is the reference; this program reports,
// per case, the flows simulated, wall time, peak memory and simulated time of each.
//
// Topologies: collapsed hierarchies of stars, which both simulators express exactly
// (SimGrid: nested StarZones with gateway routers; podsim: a Fabric whose route goes
// up the sender's ancestors and down the receiver's):
//   cm   CloudMatrix384-like: NPU 392 GB/s/dir -> node of 8 (3,136 GB/s) -> supernode
//        of 48 nodes (scale-out 384 x 50 GB/s) -> cluster (docs/hardware.md §2.1, §5);
//        200 ns a UB hop, 1 us a scale-out hop.
//   nvl  NVL72 racks: GPU 900 GB/s/dir -> rack of 72 (IB 72 x 50 GB/s) -> fat tree
//        (hw §5, NVL72, 400G NIC per GPU); 250 ns an NVLink hop, 1 us an IB hop.
// Traffic: ring all-reduce with 16 MiB chunks (2(n-1) steps of n flows, each step
// waiting for the last), and direct all-to-all with 1 MiB per pair (n(n-1) flows at
// once), and all-to-all-v (`a2av`): n(n-1) flows at once whose sizes are skewed the
// way MoE dispatch with uneven expert load is, see pair_bytes(). SimGrid runs CM02
// (plain max-min, no TCP window, no cross traffic), so both solve the same model.
//
// Each (engine, case) runs in a forked child, so peak RSS is its own and a case that
// exhausts memory or time fails alone.
//
//   simgrid_compare                       # every case, both engines, markdown table
//   simgrid_compare --case cm:a2a:1536 --engine podsim
#include <simgrid/s4u.hpp>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/star_hierarchy.h"
#include "engine/check.h"
#include "engine/network/collectives.h"
#include "engine/network/fabric.h"
#include "engine/network/flow_network.h"
#include "engine/simulator.h"

namespace {

namespace pe = podsim::engine;
namespace sg4 = simgrid::s4u;
using podsim::bench::Hierarchy;
using podsim::bench::HierarchyFabric;
using podsim::bench::kA2avSeed;
using podsim::bench::kPerPair;
using podsim::bench::make_topology;
using podsim::bench::pair_bytes;

constexpr double kChunk = 16.0 * 1024 * 1024;   // ring: bytes per flow

enum class Traffic { kRing, kAllToAll, kAllToAllV };

struct Result {
  uint64_t flows = 0;
  uint64_t solves = 0;  // podsim: network events (one solve each)
  double sim_seconds = 0;
  double wall_seconds = 0;
};

Result run_podsim(const Hierarchy& h, Traffic traffic) {
  const auto t0 = std::chrono::steady_clock::now();
  const HierarchyFabric fabric(h);
  pe::Simulator sim(1);
  pe::FlowNetwork net(sim, fabric.links());
  net.declare_feeders(fabric);
  if (traffic == Traffic::kAllToAllV) {
    const size_t n = h.n;
    const std::vector<uint64_t> bytes = pair_bytes(n, kA2avSeed);
    // Flow k is pair (i, j), j != i, in row-major order.
    net.start_flows(n * (n - 1), [&](size_t k) {
      const size_t i = k / (n - 1), j0 = k % (n - 1), j = j0 >= i ? j0 + 1 : j0;
      const pe::DeviceId src{static_cast<uint32_t>(i)}, dst{static_cast<uint32_t>(j)};
      return pe::FlowSpec{.src = src, .dst = dst, .bytes = pe::Bytes(static_cast<double>(bytes[i * n + j])),
                          .route = fabric.route(src, dst)};
    }, [] {});
    sim.run();
    Result r;
    r.flows = net.flows_completed();
    r.solves = net.solves();
    r.sim_seconds = sim.now().to_seconds();
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
  }
  const bool all_to_all = traffic == Traffic::kAllToAll;
  pe::Collective c;
  for (uint32_t i = 0; i < h.n; ++i) c.group.push_back(pe::DeviceId{i});
  if (all_to_all) {
    c.op = pe::CollectiveOp::kAllToAll;
    c.algorithm = pe::Algorithm::kDirect;
    c.bytes = pe::Bytes(kPerPair * static_cast<double>(h.n));
  } else {
    c.bytes = pe::Bytes(kChunk * static_cast<double>(h.n));
  }
  pe::run_collective(net, fabric, c, nullptr);
  sim.run();
  Result r;
  r.flows = net.flows_completed();
  r.solves = net.solves();
  r.sim_seconds = sim.now().to_seconds();
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

// SimGrid platform. Leaves (nodes, racks) are StarZones of hosts, each with a gateway
// router, children of one root StarZone. SimGrid 3.32 mis-resolves routes through two
// levels of nested StarZones (it took another node's up link, and dropped the
// hosts' links), so a three-tier hierarchy is flattened: a leaf's route to the root
// climbs its own tier-1 link and its group's tier-2 link, and leaves of the same
// tier-2 group get a bypass route over their tier-1 links only (also when there is a
// single tier-2 group: the root would otherwise route through its links).
void build_simgrid_platform(const Hierarchy& h, std::vector<sg4::Host*>& hosts) {
  const size_t levels = h.topo.tiers.size();
  auto link = [&](sg4::NetZone* zone, const std::string& name, size_t level) {
    return zone->create_link(name, h.topo.tiers[level].bw)->set_latency(h.topo.tiers[level].latency_s)->seal();
  };
  sg4::NetZone* root = sg4::create_star_zone("root");
  const size_t leaves = h.counts[1];
  std::vector<sg4::NetZone*> zones;
  std::vector<simgrid::kernel::routing::NetPoint*> routers;
  hosts.resize(h.n);
  for (size_t g = 0; g < leaves; ++g) {
    sg4::NetZone* z = sg4::create_star_zone("z" + std::to_string(g));
    z->set_parent(root);
    routers.push_back(z->create_router("r" + std::to_string(g)));
    zones.push_back(z);
  }
  for (size_t d = 0; d < h.n; ++d) {
    sg4::NetZone* leaf = zones[d / h.topo.tiers[0].fanout];
    hosts[d] = leaf->create_host("h" + std::to_string(d), 1e9)->seal();
    const sg4::Link* up = link(leaf, "u0_" + std::to_string(d), 0);
    const sg4::Link* down = link(leaf, "d0_" + std::to_string(d), 0);
    leaf->add_route(hosts[d]->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
    leaf->add_route(nullptr, hosts[d]->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
  }
  for (sg4::NetZone* z : zones) z->seal();
  // Links of tiers 1 and up, all in the root.
  std::vector<std::vector<const sg4::Link*>> ups(levels), downs(levels);
  for (size_t l = 1; l < levels; ++l)
    for (size_t g = 0; g < h.counts[l]; ++g) {
      ups[l].push_back(link(root, "u" + std::to_string(l) + "_" + std::to_string(g), l));
      downs[l].push_back(link(root, "d" + std::to_string(l) + "_" + std::to_string(g), l));
    }
  PODSIM_CHECK(levels <= 3, "the SimGrid platform handles up to three tiers");
  const size_t per_group = levels == 3 ? h.topo.tiers[1].fanout : leaves;
  for (size_t g = 0; g < leaves; ++g) {
    std::vector<sg4::LinkInRoute> up{sg4::LinkInRoute(ups[1][g])}, down;
    if (levels == 3) {
      up.emplace_back(ups[2][g / per_group]);
      down.emplace_back(downs[2][g / per_group]);
    }
    down.emplace_back(downs[1][g]);
    root->add_route(zones[g]->get_netpoint(), nullptr, routers[g], nullptr, up, false);
    root->add_route(nullptr, zones[g]->get_netpoint(), nullptr, routers[g], down, false);
  }
  if (levels == 3) {
    for (size_t a = 0; a < leaves; ++a)
      for (size_t b = a / per_group * per_group; b < std::min(leaves, (a / per_group + 1) * per_group); ++b)
        if (a != b)
          root->add_bypass_route(zones[a]->get_netpoint(), zones[b]->get_netpoint(), routers[a], routers[b],
                                 {sg4::LinkInRoute(ups[1][a]), sg4::LinkInRoute(downs[1][b])});
  }
  root->seal();
}

Result run_simgrid(const Hierarchy& h, Traffic traffic) {
  const auto t0 = std::chrono::steady_clock::now();
  int argc = 1;
  char name[] = "simgrid_compare";
  char* argv[] = {name, nullptr};
  sg4::Engine e(&argc, argv);
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/TCP-gamma:0");
  sg4::Engine::set_config("network/crosstraffic:0");
  std::vector<sg4::Host*> hosts;
  build_simgrid_platform(h, hosts);
  Result r;
  const size_t n = h.n;
  sg4::Actor::create("driver", hosts[0], [&] {
    std::vector<sg4::CommPtr> comms;
    if (traffic == Traffic::kAllToAllV) {
      const std::vector<uint64_t> bytes = pair_bytes(n, kA2avSeed);
      comms.reserve(n * (n - 1));
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j)
          if (i != j) comms.push_back(sg4::Comm::sendto_async(hosts[i], hosts[j], bytes[i * n + j]));
      sg4::Comm::wait_all(comms);
      r.flows += comms.size();
    } else if (traffic == Traffic::kAllToAll) {
      comms.reserve(n * (n - 1));
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j)
          if (i != j) comms.push_back(sg4::Comm::sendto_async(hosts[i], hosts[j], static_cast<uint64_t>(kPerPair)));
      sg4::Comm::wait_all(comms);
      r.flows += comms.size();
    } else {
      for (size_t s = 0; s < 2 * (n - 1); ++s) {
        comms.clear();
        for (size_t i = 0; i < n; ++i)
          comms.push_back(sg4::Comm::sendto_async(hosts[i], hosts[(i + 1) % n], static_cast<uint64_t>(kChunk)));
        sg4::Comm::wait_all(comms);
        r.flows += comms.size();
      }
    }
  });
  e.run();
  r.sim_seconds = sg4::Engine::get_clock();
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

struct Outcome {
  bool ok = false;
  Result result;
  long peak_rss_kb = 0;
  std::string failure;
  double cpu_seconds = 0;  // the child's user + system time: what a shared machine does not inflate
};

// Runs one case in a child process with a wall-clock limit.
Outcome run_isolated(const std::string& engine, const Hierarchy& h, Traffic traffic, unsigned limit_s,
                     unsigned long memory_gb) {
  int fds[2];
  if (pipe(fds) != 0) return {false, {}, 0, "pipe failed"};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    alarm(limit_s);
    const rlimit as{memory_gb << 30, memory_gb << 30};
    setrlimit(RLIMIT_AS, &as);
    const Result r = engine == "podsim" ? run_podsim(h, traffic) : run_simgrid(h, traffic);
    if (write(fds[1], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  Outcome o;
  const ssize_t got = read(fds[0], &o.result, sizeof o.result);
  close(fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  o.peak_rss_kb = usage.ru_maxrss;
  o.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                  static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  o.ok = got == static_cast<ssize_t>(sizeof o.result) && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!o.ok) {
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
      o.failure = "over " + std::to_string(limit_s) + " s";
    } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) {
      o.failure = "aborted (over " + std::to_string(memory_gb) + " GB?)";
    } else if (WIFSIGNALED(status)) {
      o.failure = std::string("killed: ") + strsignal(WTERMSIG(status));
    } else {
      o.failure = "failed (exit " + std::to_string(WEXITSTATUS(status)) + ")";
    }
  }
  return o;
}

std::string cell(const Outcome& o, double value, const char* fmt) {
  if (!o.ok) return o.failure;
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, value);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> cases;
  std::vector<std::string> engines = {"podsim", "simgrid"};
  unsigned limit_s = 1200;
  unsigned long memory_gb = 16;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--case" && i + 1 < argc) cases.push_back(argv[++i]);
    else if (a == "--engine" && i + 1 < argc) engines = {argv[++i]};
    else if (a == "--limit" && i + 1 < argc) limit_s = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (a == "--memory-gb" && i + 1 < argc) memory_gb = std::stoul(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--case family:traffic:devices]... [--engine podsim|simgrid] [--limit s] [--memory-gb g]\n",
                   argv[0]);
      return 2;
    }
  }
  if (cases.empty()) {
    for (const char* traffic : {"ring", "a2a"})
      for (const char* family : {"nvl", "cm"})
        for (int n : {72, 384, 1536, 6144}) cases.push_back(std::string(family) + ":" + traffic + ":" + std::to_string(n));
    for (const char* family : {"nvl", "cm"})
      for (int n : {64, 128, 256, 384, 1536}) cases.push_back(std::string(family) + ":a2av:" + std::to_string(n));
  }

  std::vector<std::string> over_limit;  // engine:family:traffic
  std::printf("| case | flows | podsim wall s | SimGrid wall s | speedup | podsim CPU s | SimGrid CPU s | CPU ratio | "
              "podsim peak MB | SimGrid peak MB | podsim sim time s | SimGrid sim time s | rel. diff |\n"
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  for (const std::string& spec : cases) {
    const size_t c1 = spec.find(':'), c2 = spec.rfind(':');
    const std::string family = spec.substr(0, c1), traffic = spec.substr(c1 + 1, c2 - c1 - 1);
    const size_t n = std::stoul(spec.substr(c2 + 1));
    const Hierarchy h(make_topology(family), n);
    if (traffic != "ring" && traffic != "a2a" && traffic != "a2av") {
      std::fprintf(stderr, "unknown traffic '%s' (ring, a2a, a2av)\n", traffic.c_str());
      return 2;
    }
    const Traffic kind_of = traffic == "ring" ? Traffic::kRing : traffic == "a2a" ? Traffic::kAllToAll : Traffic::kAllToAllV;
    Outcome p, s;
    for (const std::string& e : engines) {
      // A smaller case of the same kind already ran out of time: do not burn another limit.
      const std::string kind = e + ":" + family + ":" + traffic;
      if (std::find(over_limit.begin(), over_limit.end(), kind) != over_limit.end()) {
        (e == "podsim" ? p : s).failure = "not run (smaller case over limit)";
        continue;
      }
      Outcome& o = e == "podsim" ? p : s;
      o = run_isolated(e, h, kind_of, limit_s, memory_gb);
      if (!o.ok) over_limit.push_back(kind);
    }
    const uint64_t flows = p.ok ? p.result.flows : s.result.flows;
    const double speedup = p.ok && s.ok ? s.result.wall_seconds / p.result.wall_seconds : 0;
    const double diff = p.ok && s.ok ? (p.result.sim_seconds - s.result.sim_seconds) / s.result.sim_seconds : 0;
    const double cpu_ratio = p.ok && s.ok && p.cpu_seconds > 0 ? s.cpu_seconds / p.cpu_seconds : 0;
    std::printf("| %s | %" PRIu64 " | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", spec.c_str(), flows,
                cell(p, p.result.wall_seconds, "%.3f").c_str(), cell(s, s.result.wall_seconds, "%.3f").c_str(),
                p.ok && s.ok ? cell(p, speedup, "%.1fx").c_str() : "-", cell(p, p.cpu_seconds, "%.3f").c_str(),
                cell(s, s.cpu_seconds, "%.3f").c_str(), p.ok && s.ok ? cell(p, cpu_ratio, "%.1fx").c_str() : "-",
                cell(p, static_cast<double>(p.peak_rss_kb) / 1024, "%.0f").c_str(),
                cell(s, static_cast<double>(s.peak_rss_kb) / 1024, "%.0f").c_str(),
                cell(p, p.result.sim_seconds, "%.6f").c_str(), cell(s, s.result.sim_seconds, "%.6f").c_str(),
                p.ok && s.ok ? cell(p, diff, "%+.2e").c_str() : "-");
    std::fflush(stdout);
  }
  return 0;
}
