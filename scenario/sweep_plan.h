#pragma once
// SweepPlan: the points of a parameter sweep (Scenario.sweep in scenario.proto, plus
// `podsim sweep --set FIELD=V1,V2,...` lists) and how each becomes a scenario.
//
// Points are the Cartesian product of the axes, numbered 0..points()-1 with the last
// axis varying fastest, as nested loops would. Point p is a copy of the scenario as
// parsed, without its sweep block, then `--set FIELD=VALUE` applied for each axis (and
// its linked fields) in axis order, so errors name the file's lines and the `--set` that
// changed a field. (Points were once parsed again from the text, sweep block and all:
// a sweep block of 1e6 values, 8.9 MB, was parsed 1e6 times before the first point.)
//
//   SweepPlan plan = SweepPlan::make(ScenarioFile::load(path), {"scheduler.policy=FIFO,LAS"});
//   for (size_t p = 0; p < plan.points(); ++p) headline_metrics(plan.point_file(p));
//
// The fingerprint identifies the sweep (the podsim version of io/version.h, the scenario
// as protobuf prints it, without its sweep block, and the axes with their values): equal
// fingerprints mean equal points computed by the same model. Shards, journals and
// `podsim merge` compare it; the file's comments and layout and the scenario's path do
// not enter it.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario_file.h"

namespace podsim::scenario {


// At most this many points in one sweep (the product of its axes' value counts): each
// point is a whole simulation and its row is held until the table is written, so a
// larger sweep would run for days and grow without bound. Measured on
// scenarios/smoke.textproto (two small jobs): 90,000 points in 72 s and 103 MB, so 1e6
// such points take ~15 CPU-minutes and ~1 GB.
inline constexpr size_t kMaxSweepPoints = 1000000;

class SweepPlan {
 public:
  // Axes from the scenario's sweep block, then from `lists` ("FIELD=V1,V2,..." split at
  // commas outside double quotes, "a,b" being one value as a CSV cell; a FIELD the block
  // already sweeps gets these values instead). Applies every
  // value once to check it. Points start from `file`'s scenario: an override already
  // applied to it (`--max-events`) is in every point and in the fingerprint, not an axis.
  // Throws UserError: no axes, an empty value list or value, a
  // linked field with a different number of values, a value --set rejects.
  static SweepPlan make(const ScenarioFile& file, const std::vector<std::string>& lists);

  size_t points() const { return points_; }
  const std::string& fingerprint() const { return fingerprint_; }  // 16 hex digits
  const std::string& scenario_name() const { return name_; }

  // The swept fields: each axis's field followed by its linked fields.
  std::vector<std::string> fields() const;
  // Their short names, as fields(), for long-format columns: the axis's `label`, else the
  // path's last component, else (taken by another field or by a column of the long
  // format, `reserved`) the whole path. Throws UserError if two labels given are equal.
  std::vector<std::string> labels(const std::vector<std::string>& reserved) const;
  // Point p's value of each of fields(). REQUIRES: p < points().
  std::vector<std::string> values(size_t p) const;
  // The scenario of point p (see above). Throws UserError if an override fails.
  ScenarioFile point_file(size_t p) const;
  // Point 0 and the points that differ from it on one axis only, in increasing order:
  // 1 + sum over axes of (values - 1) points rather than their product. What depends on
  // each field separately (a sweep's result columns: jobs', systems' names) is the same
  // at every point iff it is the same at these.
  std::vector<size_t> one_axis_points() const;

 private:
  struct Field {
    std::string path;
    std::vector<std::string> values;
    std::string label;  // as given; empty: derived (labels())
    std::string label_at;  // "FILE:LINE:COL: sweep.axes[i].label" where it was given
  };
  struct Axis {
    Field field;
    std::vector<Field> linked;
  };
  // Value index of each axis at point p.
  std::vector<size_t> coordinates(size_t p) const;

  std::string path_, name_;
  std::shared_ptr<const ScenarioFile> base_;  // the file's scenario without its sweep block
  std::vector<Axis> axes_;
  size_t points_ = 0;
  std::string fingerprint_;
};

}  // namespace podsim::scenario
