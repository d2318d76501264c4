// The collapsed view against the detailed one: per-device injection, bisection and
// diameter must be equal (merging symmetric parallel links is exact for even spraying),
// while the link count shrinks.
#include <doctest/doctest.h>

#include "topologies/analysis.h"
#include "topologies/build.h"

using namespace podsim::topologies;

namespace {

void check_equivalent(const Cluster& c) {
  const View& d = c.detailed();
  const View& v = c.collapsed();
  CHECK(v.link_count() <= d.link_count());  // equal where nothing is parallel (a full mesh)
  CHECK(bisection(v).value() == doctest::Approx(bisection(d).value()));
  const auto n = static_cast<DeviceIndex>(c.devices().size());
  for (DeviceIndex x : {DeviceIndex{0}, n / 3, n - 1}) {
    CAPTURE(x);
    CHECK(injection(c, v, x).value() == doctest::Approx(injection(c, d, x).value()));
    // A device's links out of its vertex sum to the same in both views.
    auto out_capacity = [](const View& view, DeviceIndex dev) {
      double sum = 0;
      for (VertexId e : view.endpoints(dev))
        for (auto edge : boost::make_iterator_range(boost::out_edges(e, view.graph())))
          if (view.graph()[edge].tier != LinkTier::kDieToDie) sum += view.graph()[edge].capacity.value();
      return sum;
    };
    CHECK(out_capacity(v, x) == doctest::Approx(out_capacity(d, x)));
  }
  CHECK(diameter(c, v).switch_hops == diameter(c, d).switch_hops);
}

}  // namespace

TEST_CASE("collapsed view preserves injection, bisection and diameter of every preset") {
  for (const std::string& name : preset_names()) {
    CAPTURE(name);
    check_equivalent(build_preset(name));
  }
}

TEST_CASE("collapsed view preserves a fat-tree cluster's figures") {
  check_equivalent(build_cluster({.pools = {{.preset = "hgx-h100", .count = 64, .system = *preset("hgx-h100")}},
                                  .fat_tree = FatTreeParams{.tiers = 3, .radix = 32}}));
  check_equivalent(build_cluster({.pools = {{.preset = "nvl72", .count = 4, .system = *preset("nvl72")}},
                                  .fat_tree = FatTreeParams{.radix = 32, .oversubscription = 3}}));
}

TEST_CASE("cloudmatrix384 collapses to one vertex per package, node L1 set, L2 set, CPU") {
  const Cluster c = build_preset("cloudmatrix384");
  // 384 packages + 48 L1 sets + 1 L2 set + 192 CPUs.
  CHECK(c.collapsed().vertex_count() == 384 + 48 + 1 + 192);
  // Links: package-L1 (384) + L1-L2 (48) + CPU-L1 (192), two directions each.
  CHECK(c.collapsed().link_count() == 2 * (384 + 48 + 192));
}

namespace {

// The collapsed view merged as links arrive (no detailed graph) against the one merged
// from the detailed graph: same vertices, same links with the same ids, same devices.
void check_streamed_equals_detailed(ClusterParams p) {
  p.detailed_view = true;
  const Cluster full = build_cluster(p);
  p.detailed_view = false;
  const Cluster lean = build_cluster(p);
  CHECK(full.has_detailed());
  CHECK_FALSE(lean.has_detailed());
  const View& a = full.collapsed();
  const View& b = lean.collapsed();
  REQUIRE(a.vertex_count() == b.vertex_count());
  REQUIRE(a.link_count() == b.link_count());
  for (VertexId v = 0; v < a.vertex_count(); ++v) {
    CHECK(a.vertex(v).kind == b.vertex(v).kind);
    CHECK(a.vertex(v).role == b.vertex(v).role);
    CHECK(a.vertex(v).name == b.vertex(v).name);
  }
  for (LinkId l = 0; l < a.link_count(); ++l) {
    CAPTURE(l);
    CHECK(boost::source(a.edge(l), a.graph()) == boost::source(b.edge(l), b.graph()));
    CHECK(boost::target(a.edge(l), a.graph()) == boost::target(b.edge(l), b.graph()));
    CHECK(a.link(l).capacity == b.link(l).capacity);  // summed in the same order: bit-equal
    CHECK(a.link(l).latency == b.link(l).latency);
    CHECK(a.link(l).lanes == b.link(l).lanes);
    CHECK(a.link(l).plane == b.link(l).plane);
  }
  REQUIRE(full.devices().size() == lean.devices().size());
  for (DeviceIndex d = 0; d < full.devices().size(); ++d) {
    CHECK(full.devices()[d].scale_up_bandwidth == lean.devices()[d].scale_up_bandwidth);
    CHECK(a.endpoint(d) == b.endpoint(d));
  }
  const auto n = static_cast<DeviceIndex>(full.devices().size());
  CHECK(full.route(0, n - 1) == lean.route(0, n - 1));
}

}  // namespace

TEST_CASE("a cluster built without its detailed view has the same collapsed view, bit for bit") {
  for (const std::string& name : preset_names()) {
    CAPTURE(name);
    check_streamed_equals_detailed({.name = name, .pools = {{.preset = name, .system = *preset(name)}}});
  }
  check_streamed_equals_detailed({.pools = {{.preset = "cloudmatrix384", .count = 2, .system = *preset("cloudmatrix384")},
                                            {.preset = "nvl72", .count = 2, .system = *preset("nvl72")}},
                                  .fat_tree = FatTreeParams{.tiers = 3, .radix = 32, .rail_optimized = false}});
  // Asking a lean cluster for its detailed view is a programming error, not a crash.
  ClusterParams p{.pools = {{.preset = "nvl72", .system = *preset("nvl72")}}, .detailed_view = false};
  CHECK_THROWS(build_cluster(p).detailed());
}
