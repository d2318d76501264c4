#pragma once
// Parameters of every system preset and of the scale-out fabric. A preset is a value of
// one of these structs (preset("cloudmatrix384") returns its sourced defaults); a sweep
// changes any field and builds again. Field names match proto/podsim/v1/system.proto, so
// a problem's path ("pools[0].cloudmatrix384.l2_link_gbytes_per_s") is also the
// scenario field to fix.
//
// Units are in the names: _gbytes_per_s is GB/s per direction (1 GB = 1e9 B);
// _gbits_per_s is a line rate in Gb/s; _ns is nanoseconds.
//
//   ClusterParams c{.name = "16x CM384 on RoCE",
//                   .pools = {{.preset = "cloudmatrix384", .count = 16,
//                              .system = *preset("cloudmatrix384")}},
//                   .fat_tree = FatTreeParams{.tiers = 3}};
//   Cluster cluster = build_cluster(c);   // topologies/build.h
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace podsim::topologies {

// Huawei CloudMatrix384 (Atlas 900 A3 SuperPoD): 48 nodes of 8 Ascend 910C on the
// Unified Bus. Each die has one UB link to each of its node's `planes` L1 chips; L1 chip
// k of every node links once to each of the `l2_chips_per_plane` L2 chips of sub-plane k.
struct CloudMatrix384Params {
  int nodes = 48;                        // [S1] §3.3.2 (hardware.md §2.1)
  int npus_per_node = 8;                 // [S1] §3.3.2
  int dies_per_npu = 2;                  // [S1] §3.3.1
  int nodes_per_rack = 4;                // 12 compute racks of 4 nodes [S16]
  int planes = 7;                        // L1 chips per node = UB ports per die [S1] §3.3.1-3.3.3, hardware.md §5
  int l2_chips_per_plane = 16;           // 7 sub-planes x 16 L2 chips [S1] §3.3.3
  int l2_radix = 48;                     // ports per L2 chip, one per node [S1] §3.3.3
  double l1_link_gbytes_per_s = 28;      // 224 Gbps UB lane, die <-> L1 [S1] §3.3.1; the 350 GB/s/NPU reading is 25 (hardware.md §4.1)
  double l2_link_gbytes_per_s = 28;      // 16 x 28 = 448 GB/s L1 uplink [S1] §3.3.2
  double die_to_die_gbytes_per_s = 270;  // SIO 540 GB/s bidir [S1] §3.3.1, Fig. 3
  int cpus_per_node = 4;                 // Kunpeng, 192 per supernode [S1] §3.2
  double cpu_gbytes_per_s = 160;         // per CPU, spread evenly over the L1 chips (the attachment is not published) [S1] §3.3.2
  double nic_gbits_per_s = 400;          // RoCE, 200 Gbps per die [S1] §3.2-3.3
  int64_t ub_link_latency_ns = 350;      // DERIVED: [S1] Table 1 inter 1.9 us - intra 1.2 us over 2 more links (hardware.md §4.3)
  int64_t die_to_die_latency_ns = 200;   // SIO 0.2 us [S3]
  std::optional<double> system_power_kw = 559;  // EST [S6] (hardware.md §4.5)
  std::string device = "910c";
};

// NVIDIA NVLink domains of GB200 trays: one rack with one switch tier (NVL72), two racks
// joined by switch-to-switch cables (NVL36x2), or racks under a second switch tier
// (NVL576, hypothetical).
enum class NvlinkLayout : uint8_t {
  kOneTier,   // every GPU has one link to each switch chip of its rack
  kRackPair,  // 2 racks; chip k of rack 0 <-> chip k of rack 1 by gpus_per_rack cables
  kTwoTier,   // L1 chip k of every rack <-> each of the l2_chips_per_plane L2 chips of plane k
};

// Defaults are NVL72; preset("nvl36x2") and preset("nvl576") change layout and counts.
struct NvlinkParams {
  NvlinkLayout layout = NvlinkLayout::kOneTier;
  int racks = 1;
  int gpus_per_rack = 72;           // [S9]
  int gpus_per_tray = 4;            // 18 compute trays of 4 GPUs [S9][S22]
  int switch_chips_per_rack = 18;   // 9 switch trays x 2 chips; one link from every GPU to each [S22][S23][S24]
  int switch_radix = 72;            // 144 NVLink ports per tray of 2 chips [S23]
  double link_gbytes_per_s = 50;    // NVLink5 100 GB/s bidir [S24][S25]
  int64_t link_latency_ns = 350;    // unpublished; "~700 ns end-to-end" (UNVERIFIED [S25]) over 2 links
  int l2_chips_per_plane = 8;       // kTwoTier only (hypothetical): 8 x 72 ports take the 8 racks' 9-cable bundles
  int l1_uplinks = 72;              // kTwoTier only: uplink ports per L1 chip; 72 = no taper
  double nic_gbits_per_s = 400;     // 1 x ConnectX-7 per GPU [S25]
  std::optional<double> system_power_kw = 120;  // ~120 kW [S26]; 145 kW all-in [S6] (hardware.md §4.5)
  std::string device = "gb200";
};

// An 8-GPU HGX/DGX board: every GPU spreads its NVLinks evenly over the NVSwitch chips.
// One server is its own pod, rack and node in the domain tree.
// Defaults are HGX H100; preset("hgx-h800" | "hgx-h20" | "hgx-b200") change the device
// and NVLink figures.
struct HgxParams {
  int gpus = 8;
  int nvswitch_chips = 4;            // NVSwitch3 [S10] (hardware.md §2.6)
  int nvlinks_per_gpu = 18;          // NVLink4 [S10]
  double nvlink_gbytes_per_s = 450;  // per GPU, all links: 18 x 25 GB/s [S10]
  int nvswitch_radix = 64;           // NVSwitch3 ports [S10]
  int64_t nvlink_latency_ns = 350;   // unpublished (hardware.md §5): same guess as NVL72
  double nic_gbits_per_s = 400;      // 1 x ConnectX-7 per GPU [S10]
  std::optional<double> system_power_kw = 10.2;  // DGX H100 [S31]
  std::string device = "h100";
};

// Huawei Atlas 800T A2: 8 Ascend 910B in an HCCS full mesh (no switch); one server is
// its own pod, rack and node.
struct Atlas800tA2Params {
  int npus = 8;
  double hccs_link_gbytes_per_s = 28;  // 7 peers x 28 = 196 GB/s per NPU [S3] A2_INTERCONNECT (hardware.md §1.2)
  int64_t hccs_latency_ns = 500;       // modelled 0.5 us [S3]
  double nic_gbits_per_s = 200;        // RoCE 200 Gbps per NPU [S3][S27]
  std::optional<double> system_power_kw;  // not published
  std::string device = "910b";
};

using SystemParams = std::variant<CloudMatrix384Params, NvlinkParams, HgxParams, Atlas800tA2Params>;

// The sourced defaults of a named preset: "cloudmatrix384", "nvl72", "nvl36x2", "nvl576",
// "hgx-h100", "hgx-h200", "hgx-h800", "hgx-h20", "hgx-b200", "hgx-a100", "atlas-800t-a2",
// "gb300-nvl72". nullopt if unknown.
std::optional<SystemParams> preset(std::string_view name);
const std::vector<std::string>& preset_names();
// True for presets no vendor ships (nvl576); summaries mark them.
bool is_hypothetical(std::string_view preset_name);
// The field of a Pool that holds overrides for this kind of system: "cloudmatrix384",
// "nvlink", "hgx", "atlas_800t_a2".
const char* family_name(const SystemParams& p);

// Changes to the catalog device of a pool (sensitivity studies, conflicting sources).
struct DeviceOverrides {
  std::string model;  // a device_catalog.h name; empty: the preset's device
  std::optional<double> bf16_tflops, fp16_tflops, fp8_tflops, int8_tops;
  std::optional<double> hbm_gbytes, hbm_tbytes_per_s, tdp_watts;
  std::optional<double> runtime_reserve_gbytes;  // replaces the catalog's runtime reserve
};

struct PoolParams {
  std::string name;    // empty: the preset name
  std::string preset;  // for summaries; `system` holds the actual parameters
  int count = 1;       // systems (supernodes, racks, servers) in the pool
  SystemParams system;
  DeviceOverrides device;
  // What a trace's GPU type column calls this pool's devices, besides its name (a node
  // list's GPU type, "H800"); empty: the name alone.
  std::string gpu_type;
};

// A folded-Clos (fat-tree) scale-out network. Leaves have `radix` ports split
// oversubscription:1 into NIC-facing and spine-facing ports; with 3 tiers spines split
// theirs spine_oversubscription:1 into leaf-facing and core-facing; cores are 1:1.
// Rail-optimised: leaf (g, r) takes NIC r of each node of leaf group g, so NIC r of
// every node sits on rail r. Tiers 2: leaf-spine (at most `radix` leaves). Tiers 3: pods
// of as many leaves as a spine has down ports, joined by cores (at most `radix` pods).
// Any node count builds: the last leaf group and the last pod may be part full.
struct FatTreeParams {
  int tiers = 2;
  int radix = 64;                         // Quantum-2 QM9700: 64 x 400G NDR [S25]
  double oversubscription = 1.0;          // down:up ports at the leaf
  std::optional<double> nic_gbits_per_s;  // per device; default: each system's NIC
  double port_gbits_per_s = 400;          // switch-to-switch ports [S25]
  int64_t link_latency_ns = 500;          // DERIVED: NIC-to-NIC RTT ~2 us through one switch (secondary, hardware.md §5)
  bool rail_optimized = true;
  double spine_oversubscription = 1.0;    // 3 tiers: down:up ports at the spine
};

struct ClusterParams {
  std::string name;  // empty: the pools, as "16x cloudmatrix384 + nvl72"
  std::vector<PoolParams> pools;
  std::optional<FatTreeParams> fat_tree;  // required when the cluster has several systems
  // Build the detailed view (every plane, die and lane bundle) beside the collapsed one.
  // The network model routes on the collapsed view only; the detailed one serves
  // topology analysis (podsim topo) and drawings. Without it a CloudMatrix384 takes
  // about a fifth of the memory (bench/README.md).
  bool detailed_view = true;
};

// A bad parameter: `path` names it relative to the checked struct, with the field names
// of system.proto ("pools[1].count", "fat_tree.radix"); `message` says what is wrong and
// what was expected.
struct ParamError {
  std::string path;
  std::string message;
};

// Every problem of `p`, in field order; empty iff build_cluster(p) will succeed.
std::vector<ParamError> check(const ClusterParams& p);
// Problems of one system, with paths relative to the system's family
// ("l2_link_gbytes_per_s").
std::vector<ParamError> check(const SystemParams& p);

// Shape of a system as the fabric sees it.
struct SystemShape {
  int nodes = 0;
  int devices_per_node = 0;
};
SystemShape shape(const SystemParams& p);

}  // namespace podsim::topologies
