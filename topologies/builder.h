#pragma once
// Builder: the mutable state the preset builders fill in (graph, collapse groups,
// devices, domain tree) before build_cluster() freezes it into a Cluster. Internal to
// topologies/; users call build_cluster().
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/device.h"
#include "topologies/cluster.h"
#include "topologies/collapse.h"
#include "topologies/graph.h"
#include "topologies/params.h"

namespace podsim::topologies {

class Builder {
 public:
  // `keep_detailed`: hold every vertex and link for the detailed view. Without it each
  // link is merged into the collapsed view as it is added (Collapser) and the detailed
  // graph never exists.
  explicit Builder(bool keep_detailed = true);

  // A new collapse group; the collapsed view names its merged vertex `name`.
  GroupId new_group(std::string name);
  VertexId add_vertex(VertexKind kind, SwitchRole role, GroupId group, std::string name,
                      std::optional<DeviceIndex> device = std::nullopt);
  // A physical link: two directed edges, a->b then b->a, `capacity` each way.
  // REQUIRES: capacity > 0, latency >= 0.
  void add_link(VertexId a, VertexId b, engine::Bandwidth capacity, engine::SimTime latency, LinkTier tier,
                std::optional<uint16_t> plane = std::nullopt, uint32_t lanes = 1);

  // A domain under `parent` (nullopt only for the cluster); its devices are those added
  // until the next domain of the same or a higher level.
  uint32_t add_domain(DomainLevel level, std::string name, std::optional<uint32_t> parent);
  // A device in node domain `node`; its group is a new one named like the device.
  // Endpoint vertices are added by the caller with group device_group(d).
  DeviceIndex add_device(std::string name, std::shared_ptr<const engine::DeviceSpec> spec, uint32_t node,
                         uint32_t pool, uint32_t local_rank);
  GroupId device_group(DeviceIndex d) const { return device_groups_[d]; }
  void add_endpoint(DeviceIndex d, VertexId v) { endpoints_[d].push_back(v); }

  bool keeps_detailed() const { return graph_ != nullptr; }
  // Sum of the kScaleUpAccess links out of vertex v.
  engine::Bandwidth scale_up_access(VertexId v) const { return scale_up_access_[v]; }
  // The detailed graph. REQUIRES: keeps_detailed().
  std::unique_ptr<Graph> release_graph();
  // The collapsed view, merged from the detailed graph or from the links as they came.
  // REQUIRES: called once, after every vertex, link and endpoint; before release_graph().
  View collapsed_view();
  std::vector<Device>& devices() { return devices_; }
  std::vector<Domain>& domains() { return domains_; }
  std::vector<SystemInfo>& systems() { return systems_; }
  const std::vector<std::vector<VertexId>>& endpoints() const { return endpoints_; }
  const std::vector<std::string>& group_names() const { return group_names_; }

 private:
  std::unique_ptr<Graph> graph_;          // null without keep_detailed
  std::unique_ptr<Collapser> collapser_;  // null with keep_detailed
  std::vector<GroupId> vertex_groups_;    // by VertexId
  std::vector<engine::Bandwidth> scale_up_access_;  // by VertexId
  LinkId next_link_ = 0;
  std::vector<std::string> group_names_;
  std::vector<Device> devices_;
  std::vector<GroupId> device_groups_;
  std::vector<std::vector<VertexId>> endpoints_;
  std::vector<Domain> domains_;
  std::vector<SystemInfo> systems_;
};

// Each adds one system under pod domain `pod` (already created by the caller), with
// the pool's device spec. REQUIRES: check(params) is empty.
void add_cloudmatrix384(Builder& b, const CloudMatrix384Params& p, std::shared_ptr<const engine::DeviceSpec> spec,
                        uint32_t pod, uint32_t pool);
void add_nvlink(Builder& b, const NvlinkParams& p, std::shared_ptr<const engine::DeviceSpec> spec, uint32_t pod,
                uint32_t pool);
void add_hgx(Builder& b, const HgxParams& p, std::shared_ptr<const engine::DeviceSpec> spec, uint32_t pod,
             uint32_t pool);
void add_atlas_800t_a2(Builder& b, const Atlas800tA2Params& p, std::shared_ptr<const engine::DeviceSpec> spec,
                       uint32_t pod, uint32_t pool);

// Problems of one system's parameters; paths are field names ("l2_link_gbytes_per_s").
std::vector<ParamError> check_system(const CloudMatrix384Params& p);
std::vector<ParamError> check_system(const NvlinkParams& p);
std::vector<ParamError> check_system(const HgxParams& p);
std::vector<ParamError> check_system(const Atlas800tA2Params& p);

// Appends a problem for each number that is not finite and > 0 (or >= 0).
class ParamChecker {
 public:
  explicit ParamChecker(std::vector<ParamError>& out) : out_(out) {}
  void positive(const char* name, double v, const char* unit);
  void positive(const char* name, int v);
  void non_negative(const char* name, int64_t v, const char* unit);
  void device(const char* name, const std::string& model);
  void add(std::string path, std::string message) { out_.push_back({std::move(path), std::move(message)}); }

 private:
  std::vector<ParamError>& out_;
};

}  // namespace podsim::topologies
