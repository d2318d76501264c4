#include "report/topology_drawing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "report/svg.h"

namespace podsim::report {
namespace {

using topologies::DomainLevel;

constexpr double kWidth = 1060;  // the page's content width

// Planes get the palette's colours while there are few enough to tell apart.
std::string plane_class(int plane, int planes) {
  return planes >= 1 && planes <= 8 ? fmt::format("c{}", plane) : std::string("sw");
}

const SwitchTierSketch* tier_at(const PodSketch& p, DomainLevel level) {
  for (const SwitchTierSketch& s : p.switches)
    if (s.level == level) return &s;
  return nullptr;
}

std::string device_word(const PodSketch& p) { return p.device.find("Ascend") != std::string::npos ? "NPU" : "GPU"; }

std::string plural(int n, const std::string& word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

// Sizes of one rack's drawing at scale k (every length scales with k).
struct RackGeometry {
  double k = 1;
  int max_nodes = 0, max_devices = 0;
  int node_chips = 0;    // per node, drawn as squares under the devices
  int rack_bars = 0;     // rack-level chips drawn as bars (at most 24)
  bool block = false;    // devices too many to draw one by one: a labelled block
  double dev = 0, gap = 0, chip = 0;
  double node_w = 0, node_h = 0, bars_w = 0, rack_w = 0, rack_h = 0;

  static constexpr double kLabel = 16;  // rack name above its nodes (not scaled)

  RackGeometry(const PodSketch& p, double scale) : k(scale) {
    for (const RackSketch& r : p.racks) {
      max_nodes = std::max(max_nodes, static_cast<int>(r.devices_per_node.size()));
      for (const int d : r.devices_per_node) max_devices = std::max(max_devices, d);
    }
    const SwitchTierSketch* node_tier = tier_at(p, DomainLevel::kNode);
    const SwitchTierSketch* rack_tier = tier_at(p, DomainLevel::kRack);
    node_chips = node_tier ? std::min(node_tier->chips, 16) : 0;
    rack_bars = rack_tier ? std::min(rack_tier->chips, 24) : 0;
    block = max_devices > 16;
    dev = 6 * k;
    gap = 1.5 * k;
    chip = 5.5 * k;
    const int per_row = block ? 0 : std::min(max_devices, 8);
    const int rows = block ? 1 : (max_devices + 7) / 8;
    const double devices_w = block ? 60 * k : per_row * (dev + gap) - gap;
    const double chips_w = node_chips * (chip + gap) - gap;
    node_w = std::max(devices_w, chips_w) + 6 * k;
    node_h = 3 * k + (block ? 14 * k : rows * (dev + gap) - gap) + (node_chips ? gap + chip : 0) + 3 * k;
    bars_w = rack_bars ? 8 * k + rack_bars * 4.5 * k : 0;
    rack_w = std::max(4 * k + node_w + bars_w + 4 * k, 52.0);
    rack_h = kLabel + max_nodes * (node_h + 4 * k) + 4 * k;
  }
};

void draw_node(Svg& svg, const PodSketch& p, const RackGeometry& g, double x, double y, int devices) {
  svg.rect(x, y, g.node_w, g.node_h, "node", fmt::format("{} {}s", devices, device_word(p)));
  const double x0 = x + 3 * g.k, y0 = y + 3 * g.k;
  double chips_y = y0;
  if (g.block) {
    svg.rect(x0, y0, 60 * g.k, 14 * g.k, "dev");
    svg.text(x0 + 30 * g.k, y0 + 11 * g.k, fmt::format("{} {}s", devices, device_word(p)), "inverse", Anchor::kMiddle);
    chips_y = y0 + 14 * g.k + g.gap;
  } else {
    for (int i = 0; i < devices; ++i)
      svg.rect(x0 + (i % 8) * (g.dev + g.gap), y0 + (i / 8) * (g.dev + g.gap), g.dev, g.dev, "dev");
    chips_y = y0 + ((devices + 7) / 8) * (g.dev + g.gap);
  }
  const SwitchTierSketch* tier = tier_at(p, DomainLevel::kNode);
  for (int c = 0; c < g.node_chips; ++c)
    svg.rect(x0 + c * (g.chip + g.gap), chips_y, g.chip, g.chip, plane_class(c, tier->planes));
}

// One rack at (x, y): name, nodes top to bottom, rack-level chips as bars at the right
// that every node's wire crosses (each device links to each chip).
void draw_rack(Svg& svg, const PodSketch& p, const RackGeometry& g, const RackSketch& r, double x, double y) {
  svg.rect(x, y, g.rack_w, g.rack_h, "rack", fmt::format("{}: {} {}", r.name, plural(static_cast<int>(r.devices_per_node.size()), p.node_word),
                                                          plural(std::accumulate(r.devices_per_node.begin(), r.devices_per_node.end(), 0), device_word(p))));
  svg.text(x + 5, y + 12, r.name, "rack-label");
  const double nodes_top = y + RackGeometry::kLabel;
  const double bars_x = x + 4 * g.k + g.node_w + 8 * g.k;
  const double bars_bottom = nodes_top + r.devices_per_node.size() * (g.node_h + 4 * g.k) - 4 * g.k;
  for (size_t n = 0; n < r.devices_per_node.size(); ++n) {
    const double ny = nodes_top + n * (g.node_h + 4 * g.k);
    if (g.rack_bars) svg.line(x + 4 * g.k + g.node_w, ny + g.node_h / 2, bars_x + g.rack_bars * 4.5 * g.k, ny + g.node_h / 2, "wire");
    draw_node(svg, p, g, x + 4 * g.k, ny, r.devices_per_node[n]);
  }
  const SwitchTierSketch* tier = tier_at(p, DomainLevel::kRack);
  for (int b = 0; b < g.rack_bars; ++b)
    svg.rect(bars_x + b * 4.5 * g.k, nodes_top - 2, 3 * g.k, bars_bottom - nodes_top + 4,
             plane_class(b, tier->planes) + " bar-chip", fmt::format("{} chip {}", tier->role, b));
}

}  // namespace

std::string render_scale_up(const PodSketch& p, const std::string& id) {
  const SwitchTierSketch* pod_tier = tier_at(p, DomainLevel::kPod);
  const int racks = static_cast<int>(p.racks.size());
  const double left = pod_tier ? 58 : 10;
  const double avail = kWidth - left - 10;
  const bool pair = racks == 2 && p.cross_rack_cables > 0;
  const double rack_gap = pair ? 120 : 8;
  // The largest scale (at most 1.6) at which every rack fits; below 1, collapse.
  const RackGeometry unit(p, 1);
  double k = std::min(1.6, (avail - (racks - 1) * rack_gap) / (racks * unit.rack_w));
  int shown = racks;  // rack slots drawn, the "more" box included
  if (k < 1) {
    k = 1;
    shown = std::max(3, static_cast<int>((avail + rack_gap) / (unit.rack_w + rack_gap)));
  }
  const RackGeometry g(p, k);
  const bool collapsed = shown < racks;

  // Pod-level switches: one bus per plane (or one bus when the planes are too many to
  // tell apart), each rack tapping every bus.
  const int buses = !pod_tier ? 0 : pod_tier->planes >= 1 && pod_tier->planes <= 12 ? pod_tier->planes : 1;
  double y = 10;
  std::vector<double> bus_y;
  if (pod_tier) {
    y += 14;
    for (int b = 0; b < buses; ++b) bus_y.push_back(y + b * 12);
    y = bus_y.back() + 24;
  }
  const double racks_top = y;
  const double right = left + shown * g.rack_w + (shown - 1) * rack_gap;
  const double legend_y = racks_top + g.rack_h + 22;
  const double height = legend_y + 12;
  const double width = std::max(right + 10, 560.0);

  Svg svg(width, height, fmt::format("Scale-up domain: {}", p.name), id);
  if (pod_tier) {
    const int per_plane = buses > 1 ? pod_tier->chips / pod_tier->planes : pod_tier->chips;
    svg.text(left, 16,
             buses > 1 ? fmt::format("{}: {} planes x {} chips = {} switch chips, outside the racks; every rack reaches every plane",
                                     pod_tier->role, buses, per_plane, pod_tier->chips)
                       : fmt::format("{}: {} switch chips{}, outside the racks", pod_tier->role, pod_tier->chips,
                                     pod_tier->planes > 0 ? fmt::format(" in {} planes", pod_tier->planes) : ""),
             "tier-label");
    for (int b = 0; b < buses; ++b) {
      svg.line(left, bus_y[b], right, bus_y[b], "bus " + plane_class(b, buses));
      svg.text(left - 6, bus_y[b] + 4, buses > 1 ? fmt::format("plane {}", b) : pod_tier->role, "small", Anchor::kEnd);
    }
  }
  for (int s = 0; s < shown; ++s) {
    const double x = left + s * (g.rack_w + rack_gap);
    const bool more = collapsed && s == shown - 2;
    const int r = collapsed && s == shown - 1 ? racks - 1 : s;
    for (int b = 0; b < buses; ++b) {
      const double tx = x + 6 + (b + 0.5) * (g.rack_w - 12) / buses;
      svg.line(tx, bus_y[b], tx, racks_top, "tap " + plane_class(b, buses));
      svg.rect(tx - 2, bus_y[b] - 2, 4, 4, plane_class(b, buses));
    }
    if (more) {
      svg.rect(x, racks_top, g.rack_w, g.rack_h, "rack more", fmt::format("racks {} to {}", s, racks - 2));
      svg.text(x + g.rack_w / 2, racks_top + g.rack_h / 2, fmt::format("... {} more", racks - shown + 1), "rack-label",
               Anchor::kMiddle);
      svg.text(x + g.rack_w / 2, racks_top + g.rack_h / 2 + 14, "racks", "rack-label", Anchor::kMiddle);
      continue;
    }
    draw_rack(svg, p, g, p.racks[r], x, racks_top);
  }
  if (pair) {
    const double x0 = left + g.rack_w, x1 = left + g.rack_w + rack_gap, ym = racks_top + g.rack_h / 2;
    svg.line(x0, ym, x1, ym, "trunk");
    svg.text((x0 + x1) / 2, ym - 6, fmt::format("{} cables", p.cross_rack_cables), "small", Anchor::kMiddle);
  }
  // Legend.
  double lx = left;
  auto item = [&](const std::string& cls, const std::string& text, double w, double h) {
    svg.rect(lx, legend_y - h, w, h, cls);
    svg.text(lx + w + 4, legend_y, text, "small");
    lx += w + 10 + 6.4 * static_cast<double>(text.size());
  };
  item("dev", p.dies_per_device > 1 ? fmt::format("{} ({} dies)", device_word(p), p.dies_per_device) : device_word(p), 7, 7);
  if (const SwitchTierSketch* t = tier_at(p, DomainLevel::kNode))
    item(plane_class(0, t->planes), fmt::format("{} chip (per node{})", t->role, t->planes > 1 ? ", one per plane" : ""), 6, 6);
  if (const SwitchTierSketch* t = tier_at(p, DomainLevel::kRack))
    item(plane_class(0, t->planes) + " bar-chip", fmt::format("{} chip (per rack; every device links to each)", t->role), 3, 10);
  if (pod_tier) item(plane_class(0, buses), buses > 1 ? fmt::format("{} plane", pod_tier->role) : pod_tier->role, 14, 3);
  return std::move(svg).finish();
}

std::string scale_up_note(const PodSketch& p) {
  std::string note = fmt::format("{}{}: {} {} ({}).", p.count > 1 ? fmt::format("{} x ", p.count) : "", p.name, p.devices,
                                 p.device, shape_text(p));
  for (const SwitchTierSketch& s : p.switches) {
    const char* where = s.level == DomainLevel::kNode ? "per node" : s.level == DomainLevel::kRack ? "per rack" : "per domain";
    note += fmt::format(" {}: {} chips {}", s.role, s.chips, where);
    if (s.planes > 1) note += fmt::format(" in {} planes", s.planes);
    note += ".";
  }
  if (p.cross_rack_cables > 0) note += fmt::format(" {} scale-up cables join the racks' switches.", p.cross_rack_cables);
  if (p.direct_mesh) note += " Devices link to each other directly (full mesh, no switch).";
  if (p.cpus > 0) note += fmt::format(" {} CPUs on the scale-up fabric (not drawn).", p.cpus);
  note += fmt::format(" Scale-up bandwidth {} GB/s per {} per direction", format_number(p.scale_up_gbytes_per_s, 0), device_word(p));
  if (p.nic_gbits_per_s > 0) note += fmt::format("; a {} Gb/s NIC per {}", format_number(p.nic_gbits_per_s, 0), device_word(p));
  note += ". Counted from the built topology graph (topologies/), not drawn from a picture.";
  return note;
}

namespace {

// A row of `n` switches in [x0, x1] at y, in `groups` equal groups (boxes around each
// group when there are several). Returns each group's [left, right].
std::vector<std::pair<double, double>> switch_row(Svg& svg, double x0, double x1, double y, int n, int groups,
                                                  const std::string& cls, const std::string& what) {
  std::vector<std::pair<double, double>> spans;
  groups = std::max(1, std::min(groups, 64));
  const double group_gap = groups > 1 ? 8 : 0;
  const double gw = (x1 - x0 - (groups - 1) * group_gap) / groups;
  for (int gi = 0; gi < groups; ++gi) {
    const int first = n * gi / groups, last = n * (gi + 1) / groups;  // [first, last)
    const int m = last - first;
    const double gx = x0 + gi * (gw + group_gap);
    spans.emplace_back(gx, gx + gw);
    if (groups > 1) svg.rect(gx - 2, y - 3, gw + 4, 18, "group", fmt::format("{} {} to {}", what, first, last - 1));
    const double step = gw / std::max(m, 1);
    if (step >= 3) {
      // At most 24 px a switch, centred in its slot, so a few switches read as a few.
      const double w = std::min(std::max(step - 2 * std::min(1.0, step / 4), 1.5), 24.0);
      for (int i = 0; i < m; ++i)
        svg.rect(gx + i * step + (step - w) / 2, y, w, 12, cls, fmt::format("{} {}", what, first + i));
    } else {
      svg.rect(gx, y, gw, 12, cls, fmt::format("{} {} to {}", what, first, last - 1));
    }
    if (groups > 1 && groups <= 24 && gw > 30)
      svg.text(gx + gw / 2, y + 26, fmt::format("{}", m), "small", Anchor::kMiddle);
  }
  return spans;
}

std::string ratio(int down, int up) {
  if (up <= 0) return "no uplinks";
  return format_number(static_cast<double>(down) / up, down % up == 0 ? 0 : 2) + ":1";
}

}  // namespace

std::string render_scale_out(const TopologySketch& s, const std::string& id) {
  const FabricSketch& f = *s.fabric;
  const double left = 250, x0 = left, x1 = kWidth - 10;
  const double row = 74;
  double y = 22;
  int domains = 0;
  for (const PodSketch& p : s.pods) domains += p.count;
  const int rows = f.tiers + 1;
  Svg svg(kWidth, 22 + rows * row + 10, fmt::format("Scale-out fabric: {}", s.cluster), id);
  auto label = [&](double ly, const std::string& a, const std::string& b) {
    svg.text(10, ly + 10, a, "tier-label");
    svg.text(10, ly + 25, b, "small");
  };
  std::vector<std::pair<double, double>> above;  // the previous row's group spans
  double above_y = 0;
  auto band = [&](const std::vector<std::pair<double, double>>& top, double ty,
                  const std::vector<std::pair<double, double>>& bottom, double by, const std::string& tip) {
    if (top.size() == bottom.size()) {
      for (size_t i = 0; i < top.size(); ++i)
        svg.polygon({{top[i].first, ty}, {top[i].second, ty}, {bottom[i].second, by}, {bottom[i].first, by}}, "band", tip);
    } else {
      svg.polygon({{top.front().first, ty}, {top.back().second, ty}, {bottom.back().second, by}, {bottom.front().first, by}},
                  "band", tip);
    }
  };
  if (f.tiers == 3) {
    label(y, fmt::format("core: {} switches", f.cores),
          fmt::format("{} groups x {}; spine j of every pod -> group j", f.core_groups, f.core_groups ? f.cores / f.core_groups : 0));
    above = switch_row(svg, x0, x1, y, f.cores, std::max(f.core_groups, 1), "core", "core");
    above_y = y + 12;
    y += row;
  }
  label(y, fmt::format("spine: {} switches", f.spines),
        f.tiers == 3 ? fmt::format("{} fabric pods x {}; {} down : {} up ({})", f.fabric_pods, f.spines / std::max(f.fabric_pods, 1),
                                   f.spine_down, f.spine_up, ratio(f.spine_down, f.spine_up))
                     : std::string("every leaf -> every spine"));
  std::vector<std::pair<double, double>> spines = switch_row(svg, x0, x1, y, f.spines, f.tiers == 3 ? f.fabric_pods : 1, "spine", "spine");
  if (!above.empty()) band(above, above_y, {{spines.front().first, spines.back().second}}, y, "spine j of each pod to core group j");
  const double spine_bottom = y + 12;
  y += row;
  label(y, fmt::format("leaf: {} switches", f.leaves),
        fmt::format("{} down : {} up ({}){}", f.leaf_down, f.leaf_up, ratio(f.leaf_down, f.leaf_up),
                    f.rails > 1 ? fmt::format(", {} rails", f.rails) : ""));
  const std::vector<std::pair<double, double>> leaves =
      switch_row(svg, x0, x1, y, f.leaves, f.tiers == 3 ? f.fabric_pods : 1, "leaf", "leaf");
  band(spines, spine_bottom, leaves, y, f.tiers == 3 ? "every leaf of a pod to every spine of the pod" : "every leaf to every spine");
  const double leaf_bottom = y + 12;
  y += row;
  label(y, fmt::format("scale-up domains: {}", domains),
        fmt::format("{} NICs x {} Gb/s, one per device", f.nics, format_number(f.nic_gbits_per_s, 0)));
  // The domains in the order built, each pod sketch's count of them.
  std::vector<std::pair<double, double>> pods;
  const double gap = domains > 1 ? std::min(8.0, 200.0 / domains) : 0;
  const double w = (x1 - x0 - (domains - 1) * gap) / std::max(domains, 1);
  int i = 0;
  for (const PodSketch& p : s.pods)
    for (int c = 0; c < p.count; ++c, ++i) {
      const double x = x0 + i * (w + gap);
      svg.rect(x, y, w, 24, "domain", fmt::format("{} ({} {}s)", p.count > 1 ? fmt::format("{} #{}", p.name, c) : p.name, p.devices, device_word(p)));
      if (w > 70) svg.text(x + w / 2, y + 16, fmt::format("{} {}s", p.devices, device_word(p)), "inverse", Anchor::kMiddle);
    }
  pods.emplace_back(x0, x1);
  band({{leaves.front().first, leaves.back().second}}, leaf_bottom, pods, y, "each device's NIC to a leaf port");
  return std::move(svg).finish();
}

std::string scale_out_note(const TopologySketch& s) {
  const FabricSketch& f = *s.fabric;
  std::string note = fmt::format("A {}-tier fat tree: {} leaves, {} spines{}.", f.tiers, f.leaves, f.spines,
                                 f.tiers == 3 ? fmt::format(", {} cores ({} fabric pods)", f.cores, f.fabric_pods) : "");
  note += fmt::format(" The fullest leaf has {} NIC ports down and {} up: oversubscription {}", f.leaf_down, f.leaf_up,
                      ratio(f.leaf_down, f.leaf_up));
  if (f.tiers == 3) note += fmt::format("; spines {}", ratio(f.spine_down, f.spine_up));
  note += ".";
  if (f.leaf_down_min < f.leaf_down)
    note += fmt::format(" The tree is part-filled: the emptiest leaf has {} NICs (switches are cabled as in a full tree).",
                        f.leaf_down_min);
  if (f.rails > 1) note += fmt::format(" Rail-optimised: NIC r of every node goes to a rail-r leaf ({} rails).", f.rails);
  note += " Bands show cabling between tiers; the count of each tier is at the left.";
  return note;
}

}  // namespace podsim::report
