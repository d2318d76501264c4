#include "scenario/sweep_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <set>

#include "scenario/field_override.h"
#include "scenario/fingerprint.h"
#include "io/version.h"
#include "engine/check.h"
#include "engine/error.h"
#include "engine/printable.h"

namespace podsim::scenario {
namespace {

// A --set list's values: split at commas, except inside a value in double quotes, which
// is read as a CSV cell is ("a,b.csv" is a,b.csv; "" inside the quotes is one "), so that
// a string value may hold a comma. A value that does not start with '"' is taken as it
// stands. An empty value is refused unless quoted ("" is the empty string).
std::vector<std::string> split_values(std::string_view path, std::string_view text) {
  std::vector<std::string> out;
  size_t at = 0;
  while (true) {
    std::string value;
    if (at < text.size() && text[at] == '"') {
      const size_t open = at++;
      while (true) {
        const size_t quote = text.find('"', at);
        if (quote == std::string_view::npos)
          throw UserError(fmt::format("--set {}: the value quoted at character {} of '{}' is not closed (expected '\"' "
                                      "before the end of the list; \"\" inside quotes is one '\"')",
                                      path, open + 1, printable(text)));
        value += text.substr(at, quote - at);
        at = quote + 1;
        if (at < text.size() && text[at] == '"') {  // a doubled quote
          value += '"';
          ++at;
          continue;
        }
        break;
      }
      if (at < text.size() && text[at] != ',')
        throw UserError(fmt::format("--set {}: '{}' after the closing quote at character {} of '{}' (expected ',' or "
                                    "the end of the list)",
                                    path, printable(text.substr(at, 1)), at, printable(text)));
    } else {
      const size_t comma = std::min(text.find(',', at), text.size());
      value = text.substr(at, comma - at);
      if (value.empty())
        throw UserError(fmt::format("--set {}: empty value in '{}' (expected FIELD=V1,V2,... with no empty value; "
                                    "\"\" for an empty string)",
                                    path, printable(text)));
      at = comma;
    }
    out.push_back(std::move(value));
    if (at == text.size()) return out;
    ++at;  // the comma
  }
}

}  // namespace


SweepPlan SweepPlan::make(const ScenarioFile& file, const std::vector<std::string>& lists) {
  SweepPlan plan;
  plan.path_ = file.path();
  plan.name_ = file.scenario().name();
  v1::Scenario without_sweep = file.scenario();
  without_sweep.clear_sweep();
  plan.base_ = std::make_shared<const ScenarioFile>(file.derive(std::move(without_sweep), {}, ""));

  // Every value is applied once to a fresh copy, so a bad path or value is reported
  // before any point runs, named by where it was given.
  const auto check = [&](const std::string& where, const Field& f) {
    for (const std::string& v : f.values) {
      ScenarioFile probe = plan.base_->derive(plan.base_->scenario(), {}, "");
      try {
        probe.apply_override(f.path + "=" + v);
      } catch (const UserError& e) {
        throw UserError(where.empty() ? e.what() : fmt::format("{}: {}", where, e.what()));
      }
    }
  };

  // Checked once the size of the sweep is known: a sweep too large to run is refused
  // before thousands of values are each parsed.
  std::vector<std::pair<std::string, Field>> to_check;

  const v1::Sweep& block = file.scenario().sweep();
  std::map<std::string, std::string> values_from;  // axis field -> where its values were given
  // Every swept field, written one way (jobs[01] is jobs[1]), and where it was given: an
  // axis's linked field that is also swept elsewhere (its own axis, another axis, another
  // link) once ran with whichever value was set last, its column printed twice.
  std::map<std::string, std::string> swept;
  const auto sweep_once = [&](const std::string& where, const std::string& field) {
    const std::string path = canonical_field_path(field);
    // Points have no sweep block: a value set there reached no run.
    if (path == "sweep" || path.starts_with("sweep.") || path.starts_with("sweep["))
      throw UserError(fmt::format("{}: '{}' is in the sweep block itself (expected a field of the scenario a point "
                                  "runs: points are the scenario without its sweep block)",
                                  where, printable(field)));
    if (const auto [it, fresh] = swept.try_emplace(path, where); !fresh)
      throw UserError(fmt::format("{}: '{}' is swept twice, also at {} (expected each field once: an axis of its own "
                                  "or one axis's linked field)",
                                  where, printable(field), it->second));
  };
  for (int i = 0; i < block.axes_size(); ++i) {
    const v1::SweepAxis& a = block.axes(i);
    const std::string at = fmt::format("sweep.axes[{}]", i);
    const std::string where = fmt::format("{}: {}", file.where(at), at);
    if (a.field().empty()) throw UserError(fmt::format("{}.field: required (a field path, as --set takes)", where));
    if (a.values().empty()) throw UserError(fmt::format("{}.values: empty (expected at least one value)", where));
    for (const Axis& other : plan.axes_)
      if (other.field.path == a.field())
        throw UserError(fmt::format("{}.field: '{}' is swept twice (expected one axis per field)", where, a.field()));
    sweep_once(where + ".field", a.field());
    const auto label_at = [&](const std::string& owner) {
      return fmt::format("{}: {}.label", file.where(owner + ".label"), owner);
    };
    Axis axis{.field = {a.field(), {a.values().begin(), a.values().end()}, a.label(), label_at(at)}, .linked = {}};
    for (int k = 0; k < a.linked_size(); ++k) {
      const v1::LinkedField& l = a.linked(k);
      if (l.field().empty()) throw UserError(fmt::format("{}.linked[{}].field: required", where, k));
      if (static_cast<size_t>(l.values_size()) != axis.field.values.size())
        throw UserError(fmt::format("{}.linked[{}].values: {} values, expected {} (one per value of '{}')", where, k,
                                    l.values_size(), axis.field.values.size(), a.field()));
      const std::string linked_at = fmt::format("{}.linked[{}]", at, k);
      sweep_once(fmt::format("{}: {}.field", file.where(linked_at), linked_at), l.field());
      axis.linked.push_back({l.field(), {l.values().begin(), l.values().end()}, l.label(), label_at(linked_at)});
    }
    to_check.emplace_back(where, axis.field);
    for (const Field& l : axis.linked) to_check.emplace_back(where, l);
    values_from[axis.field.path] = where + ".values";
    plan.axes_.push_back(std::move(axis));
  }

  std::set<std::string> listed;  // the fields --set lists gave
  for (const std::string& list : lists) {
    auto [path, text] = split_assignment(list);
    const std::string canonical = canonical_field_path(path);
    // A second list for one field once replaced the first silently (--set seed=1,2
    // --set seed=3,4 swept seeds 3 and 4 only).
    if (!listed.insert(canonical).second)
      throw UserError(fmt::format("--set {}: listed twice (expected one --set per swept field; put every value in one "
                                  "list: {}=V1,V2,...)",
                                  path, path));
    // A list for an axis's own field replaces the block's values; any other field swept
    // already (a linked field, or one path written two ways) is refused as above.
    const auto axis_of = std::find_if(plan.axes_.begin(), plan.axes_.end(), [&](const Axis& a) {
      return canonical_field_path(a.field.path) == canonical;
    });
    if (axis_of == plan.axes_.end()) sweep_once("--set " + path, path);
    std::vector<std::string> values = split_values(path, text);
    Field field{path, std::move(values)};
    to_check.emplace_back("", field);
    values_from[path] = "--set " + path;
    const auto same = axis_of;
    if (same == plan.axes_.end()) {
      plan.axes_.push_back({.field = std::move(field), .linked = {}});
    } else {
      if (!same->linked.empty() && field.values.size() != same->field.values.size())
        throw UserError(fmt::format("--set {}: {} values, but the sweep block links {} other fields to its {} values",
                                    path, field.values.size(), same->linked.size(), same->field.values.size()));
      field.label = same->field.label;
      field.label_at = same->field.label_at;
      same->field = std::move(field);
    }
  }
  if (plan.axes_.empty())
    throw UserError(
        fmt::format("{}: nothing to sweep (expected a 'sweep' block or --set FIELD=V1,V2,...)", plan.path_));
  // A value listed twice (seed=1,1) ran the same point twice, two identical rows; with
  // linked fields, a point is the value and its linked values together.
  for (const Axis& a : plan.axes_) {
    std::map<std::vector<std::string>, size_t> seen;
    for (size_t k = 0; k < a.field.values.size(); ++k) {
      std::vector<std::string> point{a.field.values[k]};
      for (const Field& l : a.linked) point.push_back(l.values[k]);
      if (const auto [it, fresh] = seen.try_emplace(std::move(point), k); !fresh)
        throw UserError(fmt::format("{}: value '{}' is listed twice (values {} and {}{}; expected each value once: the "
                                    "two points would be the same run)",
                                    values_from.at(a.field.path), printable(a.field.values[k]), it->second + 1, k + 1,
                                    a.linked.empty() ? "" : ", linked values too"));
    }
  }

  // The product in floating point first, so that no count of values can wrap it around.
  double total = 1;
  std::string sizes;
  for (const Axis& a : plan.axes_) {
    total *= double(a.field.values.size());
    sizes += fmt::format("{}{}", sizes.empty() ? "" : " x ", a.field.values.size());
  }
  if (total > double(kMaxSweepPoints))
    throw UserError(fmt::format("{}: the sweep has {:.4g} points ({} values), more than {:.0e} (expected fewer values; "
                                "split a larger study into several sweeps)",
                                // The sweep block's line when it has axes; --set lists have none.
                                block.axes_size() > 0 ? file.where("sweep") + ": sweep" : plan.path_, total, sizes,
                                double(kMaxSweepPoints)));
  plan.points_ = 1;
  for (const Axis& a : plan.axes_) plan.points_ *= a.field.values.size();
  for (const auto& [where, field] : to_check) check(where, field);

  std::string canonical;
  google::protobuf::TextFormat::PrintToString(plan.base_->scenario(), &canonical);
  Fnv1a h;
  h.add("podsim sweep v1");
  h.add(io::podsim_version());
  h.add(canonical);
  const auto add_field = [&h](const Field& f) {
    h.add(f.path);
    h.add(fmt::format("{} values", f.values.size()));
    for (const std::string& v : f.values) h.add(v);
  };
  for (const Axis& a : plan.axes_) {
    h.add(fmt::format("axis with {} linked", a.linked.size()));
    add_field(a.field);
    for (const Field& f : a.linked) add_field(f);
  }
  plan.fingerprint_ = h.hex();
  return plan;
}

std::vector<size_t> SweepPlan::coordinates(size_t p) const {
  PODSIM_CHECK(p < points_, "sweep: point index out of range");
  std::vector<size_t> at(axes_.size());
  for (size_t i = axes_.size(); i-- > 0;) {
    const size_t n = axes_[i].field.values.size();
    at[i] = p % n;
    p /= n;
  }
  return at;
}

std::vector<std::string> SweepPlan::fields() const {
  std::vector<std::string> out;
  for (const Axis& a : axes_) {
    out.push_back(a.field.path);
    for (const Field& l : a.linked) out.push_back(l.path);
  }
  return out;
}

std::vector<std::string> SweepPlan::labels(const std::vector<std::string>& reserved) const {
  std::vector<const Field*> all;
  for (const Axis& a : axes_) {
    all.push_back(&a.field);
    for (const Field& l : a.linked) all.push_back(&l);
  }
  const auto taken = [&](const std::string& name, size_t except) {
    if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) return true;
    for (size_t i = 0; i < all.size(); ++i)
      if (i != except && (all[i]->label == name || all[i]->path == name)) return true;
    return false;
  };
  std::vector<std::string> out;
  for (size_t i = 0; i < all.size(); ++i) {
    const Field& f = *all[i];
    if (!f.label.empty()) {
      if (taken(f.label, i))
        throw UserError(fmt::format("{}: sweep label '{}' of '{}' is also another column's name (expected labels "
                                    "unique and none of {})",
                                    f.label_at, printable(f.label), f.path, fmt::join(reserved, ", ")));
      out.push_back(f.label);
      continue;
    }
    const size_t dot = f.path.rfind('.');
    const std::string last = dot == std::string::npos ? f.path : f.path.substr(dot + 1);
    bool clash = taken(last, i);
    for (size_t k = 0; k < all.size() && !clash; ++k) {
      if (k == i || !all[k]->label.empty()) continue;
      const size_t d = all[k]->path.rfind('.');
      clash = (d == std::string::npos ? all[k]->path : all[k]->path.substr(d + 1)) == last;
    }
    out.push_back(clash ? f.path : last);
  }
  return out;
}

std::vector<std::string> SweepPlan::values(size_t p) const {
  const std::vector<size_t> at = coordinates(p);
  std::vector<std::string> out;
  for (size_t i = 0; i < axes_.size(); ++i) {
    out.push_back(axes_[i].field.values[at[i]]);
    for (const Field& l : axes_[i].linked) out.push_back(l.values[at[i]]);
  }
  return out;
}

std::vector<size_t> SweepPlan::one_axis_points() const {
  std::vector<size_t> out{0};
  size_t stride = 1;  // the last axis varies fastest
  for (size_t i = axes_.size(); i-- > 0;) {
    const size_t n = axes_[i].field.values.size();
    for (size_t v = 1; v < n; ++v) out.push_back(v * stride);
    stride *= n;
  }
  std::sort(out.begin(), out.end());
  return out;
}

ScenarioFile SweepPlan::point_file(size_t p) const {
  const std::vector<std::string> fields = this->fields();
  const std::vector<std::string> values = this->values(p);
  ScenarioFile file = base_->derive(base_->scenario(), {}, "");
  for (size_t i = 0; i < fields.size(); ++i) file.apply_override(fields[i] + "=" + values[i]);
  return file;
}

}  // namespace podsim::scenario
