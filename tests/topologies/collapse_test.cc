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
