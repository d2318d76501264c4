#pragma once
// Small fabrics built by hand, standing for the collapsed views that topologies/
// will produce. Figures from docs/hardware.md (cited as hw §x).
#include <optional>
#include <vector>

#include "engine/network/fabric.h"

namespace podsim::engine::testing {

// A device has an up link to the switch and a down link back; routes are computed on
// demand into a buffer, as Fabric allows.
class HandFabric : public Fabric {
 public:
  size_t device_count() const override { return devices_; }
  const std::vector<LinkSpec>& links() const override { return links_; }

 protected:
  LinkId add(Bandwidth bw, SimTime latency) {
    links_.push_back({bw, latency});
    return LinkId{static_cast<uint32_t>(links_.size() - 1)};
  }
  const std::vector<LinkId>& set_route(std::initializer_list<LinkId> r) const {
    route_.assign(r);
    return route_;
  }
  size_t devices_ = 0;
  std::vector<LinkSpec> links_;
  mutable std::vector<LinkId> route_;
};

// One switch tier, every device one hop from every other: NVL72's collapsed view, 72
// GPUs x 18 NVSwitch chips x 50 GB/s/dir = 900 GB/s/dir per GPU, non-blocking (hw §5,
// "NVL72"). Link i: device i -> switch; link n + i: switch -> device i.
class Crossbar : public HandFabric {
 public:
  Crossbar(size_t n, Bandwidth bw, SimTime hop_latency, bool in_switch_reduction = false)
      : nvls_(in_switch_reduction) {
    devices_ = n;
    for (size_t i = 0; i < 2 * n; ++i) add(bw, hop_latency);
  }
  const std::vector<LinkId>& route(DeviceId s, DeviceId d) const override {
    return set_route({up(s), down(d)});
  }
  std::optional<SwitchPath> switch_path(DeviceId d) const override {
    if (!nvls_) return std::nullopt;
    return SwitchPath{{up(d)}, {down(d)}};
  }
  LinkId up(DeviceId d) const { return LinkId{index(d)}; }
  LinkId down(DeviceId d) const { return LinkId{static_cast<uint32_t>(devices_ + index(d))}; }

 private:
  bool nvls_;
};

// Two-level folded Clos, collapsed: nodes of `per_node` devices; a device's up/down
// links reach its node's leaf, and each leaf has one up and one down link to the
// (collapsed) spine of capacity per_node * bw / oversubscription. CloudMatrix384's UB
// fabric is 48 nodes x 8 NPUs, 392 GB/s/dir per NPU, non-blocking: the node uplink
// (3,136 GB/s/dir) equals NPU injection (hw §2.1, §5). The whole fabric is one
// scale-up domain unless `node_is_domain`.
class Clos : public HandFabric {
 public:
  Clos(size_t nodes, size_t per_node, Bandwidth bw, SimTime hop_latency, double oversubscription = 1,
       bool node_is_domain = false)
      : nodes_(nodes), per_node_(per_node), node_is_domain_(node_is_domain) {
    devices_ = nodes * per_node;
    for (size_t i = 0; i < 2 * devices_; ++i) add(bw, hop_latency);
    for (size_t i = 0; i < 2 * nodes; ++i)
      add(bw * (static_cast<double>(per_node) / oversubscription), hop_latency);
  }
  const std::vector<LinkId>& route(DeviceId s, DeviceId d) const override {
    const uint32_t a = node(s), b = node(d);
    if (a == b) return set_route({up(s), down(d)});
    const auto base = static_cast<uint32_t>(2 * devices_);
    return set_route({up(s), LinkId{base + a}, LinkId{static_cast<uint32_t>(base + nodes_ + b)}, down(d)});
  }
  uint32_t domain(DeviceId d) const override { return node_is_domain_ ? node(d) : 0; }
  uint32_t node(DeviceId d) const { return static_cast<uint32_t>(index(d) / per_node_); }
  LinkId up(DeviceId d) const { return LinkId{index(d)}; }
  LinkId down(DeviceId d) const { return LinkId{static_cast<uint32_t>(devices_ + index(d))}; }

 private:
  size_t nodes_, per_node_;
  bool node_is_domain_;
};

// Scale-up domains joined by a scale-out network: inside a domain a crossbar at
// `bw_in`; across domains each device's NIC (`bw_out`) into a non-blocking core. Like
// HGX nodes or NVL72 racks on a rail-optimized fat tree (hw §5: NVL:NIC ~ 18:1).
class TwoTier : public HandFabric {
 public:
  TwoTier(size_t domains, size_t per_domain, Bandwidth bw_in, SimTime lat_in, Bandwidth bw_out, SimTime lat_out)
      : per_domain_(per_domain) {
    devices_ = domains * per_domain;
    for (size_t i = 0; i < 2 * devices_; ++i) add(bw_in, lat_in);
    for (size_t i = 0; i < 2 * devices_; ++i) add(bw_out, lat_out);
  }
  const std::vector<LinkId>& route(DeviceId s, DeviceId d) const override {
    const auto n = static_cast<uint32_t>(devices_);
    if (domain(s) == domain(d)) return set_route({LinkId{index(s)}, LinkId{n + index(d)}});
    return set_route({LinkId{2 * n + index(s)}, LinkId{3 * n + index(d)}});
  }
  uint32_t domain(DeviceId d) const override { return static_cast<uint32_t>(index(d) / per_domain_); }

 private:
  size_t per_domain_;
};

// Two islands with no link between them: a flow across is an error.
class Islands : public HandFabric {
 public:
  Islands() {
    devices_ = 4;
    for (int i = 0; i < 8; ++i) add(Bandwidth::gbytes_per_s(1), SimTime::zero());
  }
  const std::vector<LinkId>& route(DeviceId s, DeviceId d) const override {
    if (index(s) / 2 != index(d) / 2) return set_route({});
    return set_route({LinkId{index(s)}, LinkId{4 + index(d)}});
  }
};

inline std::vector<DeviceId> first_devices(size_t n) {
  std::vector<DeviceId> g;
  for (uint32_t i = 0; i < n; ++i) g.push_back(DeviceId{i});
  return g;
}

}  // namespace podsim::engine::testing
