// Routing on both views: ECMP path counts on the detailed view, one path of summed
// capacity on the collapsed view, scale-up preferred to scale-out, caching, and the
// bidirectional search checked against full Dijkstra tables on random pairs.
#include <doctest/doctest.h>

#include <random>

#include "topologies/build.h"

using namespace podsim::topologies;

namespace {

double gbps(const View& v, LinkId l) { return v.link(l).capacity.value() / 1e9; }

// A route is a chain of links from src's endpoint to dst's endpoint.
void check_chain(const View& v, const std::vector<LinkId>& r, VertexId src, VertexId dst) {
  REQUIRE(!r.empty());
  const Graph& g = v.graph();
  CHECK(boost::source(v.edge(r.front()), g) == src);
  CHECK(boost::target(v.edge(r.back()), g) == dst);
  for (size_t i = 1; i < r.size(); ++i) CHECK(boost::target(v.edge(r[i - 1]), g) == boost::source(v.edge(r[i]), g));
  for (size_t i = 0; i + 1 < r.size(); ++i) CHECK(forwards(g[boost::target(v.edge(r[i]), g)].kind));
}

uint32_t cost(const View& v, const std::vector<LinkId>& r) {
  uint32_t c = 0;
  for (LinkId l : r) c += route_cost(v.link(l));
  return c;
}

ClusterParams two_supernodes() {
  return {.name = "2x CM384",
          .pools = {{.preset = "cloudmatrix384", .count = 2, .system = *preset("cloudmatrix384")}},
          .fat_tree = FatTreeParams{.tiers = 2}};
}

}  // namespace

TEST_CASE("cloudmatrix384 detailed view: 112 equal-cost paths across nodes, 7 inside a node") {
  const Cluster c = build_preset("cloudmatrix384");
  const View& d = c.detailed();
  // Device 0 is node0/npu0, device 8 is node1/npu0; endpoint = die 0.
  // die -> L1(k) -> L2(k, s) -> L1(k) -> die: 7 planes x 16 L2 chips [S1] §3.3.3.
  CHECK(d.path_count(DeviceIndex{0}, DeviceIndex{8}) == 112);
  for (const auto& path : d.paths(d.endpoint(0), d.endpoint(8), 200)) CHECK(path.size() == 4);
  // Same node, different NPU: die -> L1(k) -> die, one per plane.
  CHECK(d.path_count(DeviceIndex{0}, DeviceIndex{1}) == 7);
  // The two dies of one package: the SIO link alone.
  const auto dies = d.endpoints(0);
  REQUIRE(dies.size() == 2);
  CHECK(d.path_count(dies[0], dies[1]) == 1);
  CHECK(gbps(d, d.route_between(dies[0], dies[1]).front()) == doctest::Approx(270));
  // Spraying: at the die, each of its 7 UB ports is a next hop.
  CHECK(d.next_hops(d.endpoint(0), d.endpoint(8)).size() == 7);
}

TEST_CASE("cloudmatrix384 collapsed view: one path whose links carry the summed capacity") {
  const Cluster c = build_preset("cloudmatrix384");
  const View& v = c.collapsed();
  CHECK(v.path_count(DeviceIndex{0}, DeviceIndex{8}) == 1);
  const auto& r = c.route(0, 8);
  REQUIRE(r.size() == 4);
  check_chain(v, r, v.endpoint(0), v.endpoint(8));
  // package -> node L1s: 2 dies x 7 x 28 = 392; node L1s -> L2s: 7 x 16 x 28 = 3,136.
  CHECK(gbps(v, r[0]) == doctest::Approx(392));
  CHECK(gbps(v, r[1]) == doctest::Approx(3136));
  CHECK(gbps(v, r[2]) == doctest::Approx(3136));
  CHECK(gbps(v, r[3]) == doctest::Approx(392));
  CHECK(v.link(r[0]).lanes == 14);
  // Latency is one link's, not a sum: 350 ns per UB link.
  CHECK(v.links()[r[0]].latency == podsim::engine::SimTime::nanos(350));
  // Same node: package -> L1s -> package.
  CHECK(c.route(0, 1).size() == 2);
  CHECK(c.route(5, 5).empty());
}

TEST_CASE("NVLink presets: 18 paths in NVL72, 18 across NVL36x2 racks, 4 in an HGX H100") {
  const Cluster nvl72 = build_preset("nvl72");
  CHECK(nvl72.detailed().path_count(DeviceIndex{0}, DeviceIndex{71}) == 18);
  CHECK(nvl72.route(0, 71).size() == 2);
  CHECK(gbps(nvl72.collapsed(), nvl72.route(0, 71)[0]) == doctest::Approx(900));

  const Cluster pair = build_preset("nvl36x2");
  // GPU -> chip k (rack 0) -> chip k (rack 1) -> GPU: one path per chip index.
  CHECK(pair.detailed().path_count(DeviceIndex{0}, DeviceIndex{71}) == 18);
  CHECK(pair.detailed().path_count(DeviceIndex{0}, DeviceIndex{35}) == 18);
  const auto& cross = pair.route(0, 71);
  REQUIRE(cross.size() == 3);
  CHECK(gbps(pair.collapsed(), cross[1]) == doctest::Approx(32400));  // 18 x 36 x 50

  const Cluster hgx = build_preset("hgx-h100");
  CHECK(hgx.detailed().path_count(DeviceIndex{0}, DeviceIndex{7}) == 4);
}

TEST_CASE("routes stay on the scale-up fabric inside a supernode and take the NICs across") {
  const Cluster c = build_cluster(two_supernodes());
  const View& v = c.collapsed();
  // 0 and 8 share a supernode and their NICs share a leaf (rail 0, leaf group 0): the UB
  // route (4 links) must still win over NIC -> leaf -> NIC (4 links).
  const auto& inside = c.route(0, 8);
  CHECK(inside.size() == 4);
  for (LinkId l : inside) CHECK(!is_scale_out(v.link(l).tier));
  // Leaf groups are 32 nodes: nodes 32-63 (supernode 0's nodes 32-47, supernode 1's
  // 0-15) share the rail-0 leaf of group 1. Device 256 is supernode 0's node 32, npu 0;
  // device 384 is supernode 1's node 0, npu 0: package -> NIC -> leaf -> NIC -> package.
  const auto& same_leaf = c.route(256, 384);
  check_chain(v, same_leaf, v.endpoint(256), v.endpoint(384));
  CHECK(same_leaf.size() == 4);
  for (LinkId l : same_leaf) CHECK(is_scale_out(v.link(l).tier));
  // Device 0 (group 0) to 392 (supernode 1's node 1, group 1): up through the spines.
  const auto& across = c.route(0, 392);
  check_chain(v, across, v.endpoint(0), v.endpoint(392));
  CHECK(across.size() == 6);
  CHECK(gbps(v, across[1]) == doctest::Approx(50));  // 400 Gb/s NIC [S1] §3.2
}

TEST_CASE("routes are cached: the same vector comes back") {
  const Cluster c = build_preset("nvl72");
  const std::vector<LinkId>* first = &c.route(3, 9);
  CHECK(&c.route(3, 9) == first);
}

TEST_CASE("bidirectional search finds a shortest path (oracle: full Dijkstra tables)") {
  for (const char* name : {"cloudmatrix384", "nvl576", "atlas-800t-a2"}) {
    CAPTURE(name);
    const Cluster c = build_preset(name);
    std::mt19937 rng(7);
    std::uniform_int_distribution<DeviceIndex> pick(0, static_cast<DeviceIndex>(c.devices().size() - 1));
    for (const View* v : {&c.detailed(), &c.collapsed()})
      for (int i = 0; i < 50; ++i) {
        const DeviceIndex a = pick(rng), b = pick(rng);
        if (a == b) continue;
        const auto r = v->route_between(v->endpoint(a), v->endpoint(b));
        check_chain(*v, r, v->endpoint(a), v->endpoint(b));
        CHECK(cost(*v, r) == v->distance(v->endpoint(a), v->endpoint(b)));
      }
  }
}
