#include "scenario/field_ranges.h"

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>

#include <array>
#include <cmath>
#include <cstdlib>

#include "engine/check.h"

namespace podsim::scenario {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Shared bounds, each with its reason once.
// Times: 1e9 s (31.7 years) for any instant or length keeps every simulated time, and
// sums of a few of them, far inside int64 nanoseconds (292 years); no training run or
// trace comes near.
constexpr double kSeconds = 1e9;
// Link latencies: one hop of 1 s is beyond any network, even a WAN; 0 is an ideal link.
constexpr double kLatencyNs = 1e9;
// Bandwidths: 1 MB/s is slower than any interconnect of the last 30 years; 100 TB/s per
// link is 100x NVLink 5's 900 GB/s per GPU.
constexpr double kMinGBps = 1e-3, kMaxGBps = 1e5;
// NIC and switch-port line rates: 1 Gb/s (GbE) to 100 Tb/s (125x today's 800G).
constexpr double kMinGbps = 1, kMaxGbps = 1e5;
// Whole-system power: 10 W to 10 MW per system (CloudMatrix384 draws ~559 kW, NVL72
// ~120-145 kW); without a bound 1e308 kW made the energy infinite.
constexpr double kMinKw = 1e-2, kMaxKw = 1e4;
// Peak compute: 1 GFLOP/s (slower than any accelerator) to 1e5 TFLOP/s (7x a GB300's
// dense FP4); a denormal peak made step times infinite.
constexpr double kMinTflops = 1e-3, kMaxTflops = 1e5;
// Per-chip and per-system structure (ports, chips, devices): 4096 is 8x the largest
// switch radix shipped (Tomahawk 6: 512 x 200G) and 50x the NPUs of a node.
constexpr double kParts = 4096;
// Model shapes: widths and counts two orders of magnitude beyond published models
// (GPT-3: 96 layers, h 12288; DeepSeek-V3: 256 experts, vocab 129k).
constexpr double kWidth = 1e6, kLayers = 1e5;
// Relative weights: any ratio up to 1e12 between two choices.
constexpr double kMinWeight = 1e-6, kMaxWeight = 1e6;
// Priorities: tiers, compared only; symmetric so negating one cannot overflow.
constexpr double kPriority = 1e6;
// Devices in a job or a cluster's pool counts: 1e7 devices is 10x the largest
// announced cluster; parallel degrees within a job (tp, pp, cp): 1024.
constexpr double kDevices = 1e7, kDegree = 1024;

constexpr std::array kTable = std::to_array<FieldRange>({
    // Scenario
    {"Scenario", "seed", 0, 18446744073709551615.0, "", false, "any 64-bit seed"},
    // A horizon under 1 ns is 0 ns on the clock: the run ended before its first event,
    // the opposite of 0 (until done).
    {"Scenario", "horizon_s", 1e-9, kSeconds, "s", true, "0 = until done; at least 1 ns, at most 31.7 years"},
    {"Limits", "max_events", 1, 1e18, "events", true, "0 = 1e9; 1e18 is centuries of CPU"},
    {"Limits", "max_memory_gib", 1e-3, 1e9, "GiB", true, "0 = MemAvailable; 1e9 GiB is an exabyte"},
    // Cluster and its systems
    {"Pool", "count", 1, 1e6, "systems", false, "1e6 systems hold more devices than any cluster built"},
    {"DeviceOverrides", "bf16_tflops", kMinTflops, kMaxTflops, "TFLOP/s", false, "1 GFLOP/s to 7x GB300 FP4"},
    {"DeviceOverrides", "fp16_tflops", kMinTflops, kMaxTflops, "TFLOP/s", false, "1 GFLOP/s to 7x GB300 FP4"},
    {"DeviceOverrides", "fp8_tflops", kMinTflops, kMaxTflops, "TFLOP/s", true, "0 = no FP8 unit"},
    {"DeviceOverrides", "int8_tops", kMinTflops, kMaxTflops, "TOP/s", true, "0 = no INT8 unit"},
    {"DeviceOverrides", "hbm_gbytes", 1e-3, 1e6, "GB", false, "1 MB to 1 PB per device (B300: 288 GB)"},
    {"DeviceOverrides", "hbm_tbytes_per_s", 1e-3, 1e3, "TB/s", false, "1 GB/s to 1 PB/s (B300: 8 TB/s)"},
    {"DeviceOverrides", "tdp_watts", 1, 1e5, "W", false, "1 W to 100 kW per device (GB200: 2.7 kW a superchip)"},
    {"DeviceOverrides", "runtime_reserve_gbytes", 1e-3, 1e6, "GB", true, "0 = nothing held back; 1 MB to 1 PB, as hbm_gbytes"},
    {"CloudMatrix384", "nodes", 1, kParts, "nodes", false, "one L2 port per node"},
    {"CloudMatrix384", "npus_per_node", 1, 256, "NPUs", false, "8 today"},
    {"CloudMatrix384", "dies_per_npu", 1, 16, "dies", false, "2 today"},
    {"CloudMatrix384", "nodes_per_rack", 1, kParts, "nodes", false, "4 today"},
    {"CloudMatrix384", "planes", 1, 1024, "planes", false, "7 today; one UB port per plane and die"},
    {"CloudMatrix384", "l2_chips_per_plane", 1, kParts, "chips", false, "16 today"},
    {"CloudMatrix384", "l2_radix", 1, kParts, "ports", false, "48 today"},
    {"CloudMatrix384", "l1_link_gbytes_per_s", kMinGBps, kMaxGBps, "GB/s", false, "28 today"},
    {"CloudMatrix384", "l2_link_gbytes_per_s", kMinGBps, kMaxGBps, "GB/s", false, "28 today"},
    {"CloudMatrix384", "die_to_die_gbytes_per_s", kMinGBps, kMaxGBps, "GB/s", false, "270 today"},
    {"CloudMatrix384", "cpus_per_node", 0, 256, "CPUs", false, "4 today; 0 leaves them out"},
    {"CloudMatrix384", "cpu_gbytes_per_s", kMinGBps, kMaxGBps, "GB/s", false, "160 today"},
    {"CloudMatrix384", "nic_gbits_per_s", kMinGbps, kMaxGbps, "Gb/s", false, "GbE to 125x 800G"},
    {"CloudMatrix384", "ub_link_latency_ns", 0, kLatencyNs, "ns", false, "one hop, at most 1 s"},
    {"CloudMatrix384", "die_to_die_latency_ns", 0, kLatencyNs, "ns", false, "one hop, at most 1 s"},
    {"CloudMatrix384", "system_power_kw", kMinKw, kMaxKw, "kW", false, "10 W to 10 MW per system"},
    {"Nvlink", "racks", 1, 64, "racks", false, "8 in the largest (NVL576)"},
    {"Nvlink", "gpus_per_rack", 1, kParts, "GPUs", false, "72 today"},
    {"Nvlink", "gpus_per_tray", 1, 64, "GPUs", false, "4 today"},
    {"Nvlink", "switch_chips_per_rack", 1, kParts, "chips", false, "18 today"},
    {"Nvlink", "switch_radix", 1, kParts, "ports", false, "72 today"},
    {"Nvlink", "link_gbytes_per_s", kMinGBps, kMaxGBps, "GB/s", false, "50 today"},
    {"Nvlink", "link_latency_ns", 0, kLatencyNs, "ns", false, "one hop, at most 1 s"},
    {"Nvlink", "l2_chips_per_plane", 1, kParts, "chips", false, "8 in NVL576"},
    {"Nvlink", "l1_uplinks", 1, kParts, "ports", false, "72 in NVL576"},
    {"Nvlink", "nic_gbits_per_s", kMinGbps, kMaxGbps, "Gb/s", false, "GbE to 125x 800G"},
    {"Nvlink", "system_power_kw", kMinKw, kMaxKw, "kW", false, "10 W to 10 MW per system"},
    {"Hgx", "gpus", 1, 1024, "GPUs", false, "8 today"},
    {"Hgx", "nvswitch_chips", 1, 1024, "chips", false, "4 today"},
    {"Hgx", "nvlinks_per_gpu", 1, 1024, "links", false, "18 today"},
    {"Hgx", "nvlink_gbytes_per_s", kMinGBps, kMaxGBps, "GB/s", false, "450 today, all links of a GPU"},
    {"Hgx", "nvswitch_radix", 1, kParts, "ports", false, "64 today"},
    {"Hgx", "nvlink_latency_ns", 0, kLatencyNs, "ns", false, "one hop, at most 1 s"},
    {"Hgx", "nic_gbits_per_s", kMinGbps, kMaxGbps, "Gb/s", false, "GbE to 125x 800G"},
    {"Hgx", "system_power_kw", kMinKw, kMaxKw, "kW", false, "10 W to 10 MW per system"},
    {"Atlas800tA2", "npus", 1, 1024, "NPUs", false, "8 today"},
    {"Atlas800tA2", "hccs_link_gbytes_per_s", kMinGBps, kMaxGBps, "GB/s", false, "28 today"},
    {"Atlas800tA2", "hccs_latency_ns", 0, kLatencyNs, "ns", false, "one hop, at most 1 s"},
    {"Atlas800tA2", "nic_gbits_per_s", kMinGbps, kMaxGbps, "Gb/s", false, "GbE to 125x 800G"},
    {"Atlas800tA2", "system_power_kw", kMinKw, kMaxKw, "kW", false, "10 W to 10 MW per system"},
    {"FatTree", "tiers", 2, 3, "tiers", false, "leaf-spine or leaf-spine-core"},
    {"FatTree", "radix", 2, 2048, "ports", false, "4x the largest switch ASIC's port count"},
    {"FatTree", "oversubscription", 1e-2, 100, "down:up", false, "ratios from 1:100 to 100:1"},
    {"FatTree", "nic_gbits_per_s", kMinGbps, kMaxGbps, "Gb/s", false, "GbE to 125x 800G"},
    {"FatTree", "port_gbits_per_s", kMinGbps, kMaxGbps, "Gb/s", false, "GbE to 125x 800G"},
    {"FatTree", "link_latency_ns", 0, kLatencyNs, "ns", false, "one hop, at most 1 s"},
    {"FatTree", "spine_oversubscription", 1e-2, 100, "down:up", false, "ratios from 1:100 to 100:1"},
    // Jobs, models, plans
    {"Job", "arrival_s", 0, kSeconds, "s", false, "at most 31.7 years into the run"},
    {"Job", "devices", 1, kDevices, "devices", false, "10x the largest announced cluster"},
    {"Job", "tokens", 1, 1e18, "tokens", false, "30,000x the largest pretraining corpus (~3e13)"},
    {"Job", "samples", 1, 1e18, "samples", false, "as tokens"},
    {"Job", "steps", 1, 1e15, "steps", false, "1e15 steps of 1 ns are 11 days; more cannot fit 1e9 s"},
    {"Model", "layers", 1, kLayers, "layers", false, "1000x GPT-3's 96"},
    {"Model", "hidden", 1, kWidth, "", false, "80x GPT-3's 12288"},
    {"Model", "ffn", 1, 1e7, "", true, "0 = none (every layer MoE)"},
    {"Model", "heads", 1, 1e5, "heads", false, "1000x GPT-3's 96"},
    {"Model", "kv_heads", 1, 1e5, "heads", true, "0 = heads"},
    {"Model", "head_dim", 1, 1e5, "", true, "0 = hidden / heads"},
    {"Model", "vocab", 1, 1e7, "tokens", true, "0 for a DiT; 40x the largest vocabulary (~256k)"},
    {"Model", "seq_len", 1, 1e8, "tokens", false, "10x the longest trained context (10M)"},
    {"Model", "sliding_window", 1, 1e8, "tokens", true, "0 = none; as seq_len"},
    {"Model", "full_attention_every", 1, kLayers, "layers", true, "0 = none; as layers"},
    {"MoeConfig", "experts", 1, 1e7, "experts", false, "10x PEER's 1,048,576 tiny experts (He 2024)"},
    {"MoeConfig", "top_k", 1, 1e7, "experts", false, "at most experts"},
    {"MoeConfig", "shared_experts", 0, 1e4, "experts", false, "1 in DeepSeek-V3"},
    {"MoeConfig", "expert_ffn", 1, 1e7, "", false, "as ffn"},
    {"MoeConfig", "dense_layers", 0, kLayers, "layers", false, "as layers"},
    {"MlaConfig", "q_lora_rank", 0, kWidth, "", false, "0 = no Q compression; as hidden"},
    {"MlaConfig", "kv_lora_rank", 0, kWidth, "", false, "as hidden"},
    {"MlaConfig", "qk_nope_head_dim", 0, 1e5, "", false, "as head_dim"},
    {"MlaConfig", "qk_rope_head_dim", 0, 1e5, "", false, "as head_dim"},
    {"MlaConfig", "v_head_dim", 0, 1e5, "", false, "as head_dim"},
    {"DitConfig", "latent_frames", 1, 1e5, "frames", false, "tokens per sample are checked against 1e8"},
    {"DitConfig", "latent_height", 1, 1e5, "pixels", false, "as latent_frames"},
    {"DitConfig", "latent_width", 1, 1e5, "pixels", false, "as latent_frames"},
    {"DitConfig", "latent_channels", 1, 1e5, "channels", false, "16 today"},
    {"DitConfig", "frames", 1, 1e7, "frames", false, "92 hours at 30 frames/s"},
    {"DitConfig", "height", 1, 1e6, "pixels", false, "100x 8K"},
    {"DitConfig", "width", 1, 1e6, "pixels", false, "100x 8K"},
    {"DitConfig", "temporal_compression", 1, 1024, "x", false, "4 today"},
    {"DitConfig", "spatial_compression", 1, 1024, "x", false, "8 today"},
    {"DitConfig", "patch_t", 1, 1024, "latent frames", false, "1 today"},
    {"DitConfig", "patch_h", 1, 1024, "latent pixels", false, "2 today"},
    {"DitConfig", "patch_w", 1, 1024, "latent pixels", false, "2 today"},
    {"DitConfig", "text_tokens", 0, 1e6, "tokens", false, "512 today"},
    {"DitConfig", "text_dim", 0, kWidth, "", false, "4096 today; as hidden"},
    {"DitConfig", "dual_stream_layers", 0, kLayers, "layers", false, "as layers"},
    {"DitConfig", "adaln_vectors", 0, 1024, "vectors", false, "6 in DiT"},
    {"ParallelPlan", "tp", 1, kDegree, "ranks", false, "16x a 64-GPU NVLink domain's TP"},
    {"ParallelPlan", "pp", 1, kDegree, "stages", false, "64x Llama 3 405B's 16"},
    {"ParallelPlan", "dp", 1, kDevices, "ranks", false, "as devices"},
    {"ParallelPlan", "cp", 1, kDegree, "ranks", false, "64x Llama 3's 16"},
    {"ParallelPlan", "ep", 1, kDevices, "ranks", false, "as devices"},
    {"ParallelPlan", "virtual_stages", 1, kDegree, "chunks", false, "as pp"},
    {"ParallelPlan", "micro_batch", 1, 1e6, "samples", false, "1-16 today"},
    {"ParallelPlan", "global_batch", 1, 1e9, "samples", false, "1e5x today's ~1e4 sequences"},
    {"ParallelPlan", "moe_host_overhead_ms", 0, 1000, "ms", false, "per MoE layer and micro-batch; 7.4 measured"},
    {"ParallelPlan", "activation_offload", 0, 1, "of the layers", false, "a fraction: 1 offloads every layer"},
    {"UserbuffersGemm", "reserved_sms", 1, 1024, "SMs", true, "0 = none; 4-32 in TE configs, 148 SMs on B200"},
    {"UserbuffersGemm", "splits", 2, 64, "chunks", true, "0 = ring exchange; 4 in TE configs"},
    // Scheduling
    {"Scheduler", "las_thresholds_device_hours", 1e-6, 1e9, "device-hours", false,
     "3.6 ms on one device to 1e6 devices for 114 years; ascending"},
    {"Scheduler", "timeline_samples", 1, 1e6, "rows", true, "0 = 100"},
    {"Checkpoint", "interval_s", 1, kSeconds, "s", true, "0 = none; no framework checkpoints every second"},
    {"Checkpoint", "write_s", 0, 1e6, "s", false, "11.6 days for one write"},
    {"Checkpoint", "restart_s", 0, 1e6, "s", false, "11.6 days for one restart"},
    {"JobSettings", "priority", -kPriority, kPriority, "", false, "tiers"},
    {"JobSettings", "weight", kMinWeight, kMaxWeight, "", true, "0 = 1"},
    {"TraceSource", "max_jobs", 1, kDevices, "jobs", true, "0 = all"},
    {"TraceSource", "start_s", 0, kSeconds, "s", false, "as arrival_s"},
    {"TraceColumns", "gpus_per_node", 1, 10000, "GPUs", true,
     "0 = unset (only with nodes and no gpus column); 10,000 GPUs is 1,000x a node"},
    {"ClassMatch", "min_gpus", 1, kDevices, "GPUs", true, "0 = no bound; as Job.devices"},
    {"ClassMatch", "max_gpus", 1, kDevices, "GPUs", true, "0 = no bound; as Job.devices"},
    {"ClassMatch", "min_duration_s", 0, kSeconds, "s", false, "0 = no bound; a trace's run times stay within 1e9 s"},
    {"ClassMatch", "max_duration_s", 0, kSeconds, "s", false, "0 = no bound; as min_duration_s"},
    {"PlacementConstraints", "max_domains", 1, 1e6, "domains", true,
     "0 = any; 1e6 scale-up domains is beyond any cluster built (~1e5 devices)"},
    {"DeviceChoice", "count", 1, kDevices, "devices", false, "as Job.devices"},
    {"DeviceChoice", "weight", kMinWeight, kMaxWeight, "", true, "0 = 1"},
    {"JobTemplate", "weight", kMinWeight, kMaxWeight, "", true, "0 = 1"},
    {"JobTemplate", "median_hours", 1e-3, 2e5, "hours", false, "3.6 s to 22.8 years"},
    {"JobTemplate", "sigma", 0, 10, "", false, "e^10 = 22,000x per standard deviation"},
    {"JobTemplate", "priority", -kPriority, kPriority, "", false, "tiers"},
    {"SyntheticSource", "jobs", 1, 1e7, "jobs", false, "3x the largest public trace (Helios, 3.4M)"},
    {"SyntheticSource", "mean_interarrival_s", 1e-3, kSeconds, "s", false, "1 ms to 31.7 years"},
    {"SyntheticSource", "start_s", 0, kSeconds, "s", false, "as arrival_s"},
    {"FailureKind", "mtbf_hours", 1e-2, 1e9, "hours", false,
     "36 s to 114,000 years per unit (an H100: ~50,000 hours)"},
    {"FailureKind", "weibull_shape", 0.1, 20, "", true, "0 = 1 (exponential); measured 0.5-3"},
    {"FailureKind", "repair_hours", 1e-3, 1e4, "hours", true, "0 = 3; 3.6 s to 1.1 years"},
    {"Failures", "spares_per_pool", 0, kDevices, "devices", false, "as devices"},
    // Studies
    {"Comparison", "link_efficiency", 1e-2, 1, "", false, "payload / line rate; 0.84-0.94 measured"},
    {"Published", "value", 1e-9, 1e12, "", false, "any published MFU, TFLOP/s, seconds or tokens/s"},
});

// "1e+09" -> "1e9".
std::string tidy_exponent(std::string s) {
  for (const char* from : {"e+0", "e+", "e-0"}) {
    const size_t at = s.find(from);
    if (at != std::string::npos) s.replace(at, std::string_view(from).size(), from[1] == '-' ? "e-" : "e");
  }
  return s;
}

// Bounds and values as people write them: the shorter of the plain shortest form
// ("65536", "0.01") and the shortest exact scientific one ("1e9", "1e-3"), either of
// which reads back as exactly `v`.
std::string number(double v) {
  const std::string plain = tidy_exponent(fmt::format("{}", v));
  if (!std::isfinite(v) || v == 0) return plain;
  std::string sci;
  for (int digits = 0; digits <= 17; ++digits) {
    sci = fmt::format("{:.{}e}", v, digits);
    if (std::strtod(sci.c_str(), nullptr) == v) break;
  }
  sci = tidy_exponent(sci);
  return sci.size() < plain.size() ? sci : plain;
}

std::string expected(const FieldRange& r) {
  return fmt::format("{}{}in [{}, {}]{}", r.unit, *r.unit ? " " : "", number(r.min), number(r.max),
                     r.zero_ok ? " or 0" : "");
}

bool in_range(const FieldRange& r, double v) { return (r.zero_ok && v == 0) || (v >= r.min && v <= r.max); }

// The value of a numeric field (element `index` if repeated) as a double, and as text
// exactly as given (an int64 does not fit a double's 53 bits).
std::pair<double, std::string> value(const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      const int32_t v = rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f);
      return {double(v), std::to_string(v)};
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v = rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f);
      return {double(v), std::to_string(v)};
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      const uint32_t v = rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f);
      return {double(v), std::to_string(v)};
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      const uint64_t v = rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f);
      return {double(v), std::to_string(v)};
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      const double v = rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f);
      return {v, number(v)};
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const double v = rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f);
      return {v, number(v)};
    }
    default: PODSIM_UNREACHABLE("value() of a field that is not a number");
  }
}

}  // namespace

bool is_numeric_field(const FieldDescriptor* f) {
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: return true;
    default: return false;
  }
}

std::span<const FieldRange> field_ranges() { return kTable; }

const FieldRange* find_field_range(std::string_view message, std::string_view field) {
  for (const FieldRange& r : kTable)
    if (message == r.message && field == r.field) return &r;
  return nullptr;
}

int check_field_ranges(const ScenarioFile& file, const Message& m, const std::string& path, Problems& problems) {
  int found = 0;
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  const std::string prefix = path.empty() ? "" : path + ".";
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string at = prefix + f->name();
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated())
        for (int k = 0; k < r->FieldSize(m, f); ++k)
          found += check_field_ranges(file, r->GetRepeatedMessage(m, f, k), fmt::format("{}[{}]", at, k), problems);
      else if (r->HasField(m, f))
        found += check_field_ranges(file, r->GetMessage(m, f), at, problems);
      continue;
    }
    if (!is_numeric_field(f)) continue;
    const FieldRange* range = find_field_range(d->name(), f->name());
    PODSIM_CHECK(range != nullptr, "every numeric scenario field has a range (scenario/field_ranges.cc)");
    const int n = f->is_repeated() ? r->FieldSize(m, f) : (f->has_presence() && !r->HasField(m, f) ? 0 : 1);
    for (int k = 0; k < n; ++k) {
      const auto [v, text] = value(m, f, f->is_repeated() ? k : -1);
      if (in_range(*range, v)) continue;
      problems.add(f->is_repeated() ? fmt::format("{}[{}]", at, k) : at,
                   fmt::format("expected {}, got {}", expected(*range), text));
      ++found;
    }
  }
  return found;
}

std::string field_ranges_markdown() {
  std::string out = "| field | range | unit | why |\n| --- | --- | --- | --- |\n";
  for (const FieldRange& r : kTable)
    out += fmt::format("| {}.{} | [{}, {}]{} | {} | {} |\n", r.message, r.field, number(r.min), number(r.max),
                       r.zero_ok ? " or 0" : "", r.unit, r.why);
  return out;
}

}  // namespace podsim::scenario
