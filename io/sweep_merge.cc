#include "io/sweep_merge.h"

#include <fmt/format.h>

#include "engine/error.h"
#include "io/atomic_file.h"
#include "io/sweep_file.h"

namespace podsim::io {

size_t merge_sweep_shards(const std::string& out_path, const std::vector<std::string>& shards) {
  if (shards.empty()) throw UserError("podsim merge: no shard files (expected OUT SHARD.csv...)");
  std::vector<SweepTable> tables;
  for (const std::string& path : shards) {
    if (path.empty()) throw UserError("podsim merge: an empty shard path (expected a sweep results file)");
    tables.push_back(read_sweep_file(path, kSweepResults));
    check_metric_cells(tables.back(), path);
  }

  const SweepTable& first = tables.front();
  const size_t count = first.header.shard.count;
  std::vector<const std::string*> seen(count + 1, nullptr);  // by shard index
  SweepTable merged{.header = first.header, .columns = first.columns, .rows = {}};
  merged.header.shard = Shard{};
  for (size_t i = 0; i < tables.size(); ++i) {
    const SweepHeader& h = tables[i].header;
    if (h.podsim != first.header.podsim)
      throw UserError(fmt::format("{}: written by {}, but {} by {}: shards of different versions are not merged (the "
                                  "model may differ; run every shard with one podsim)",
                                  shards[i], written_by(h), shards[0], written_by(first.header)));
    const auto rows_per_point = [](const SweepTable& t) { return t.rows.empty() ? 0 : t.rows.begin()->second.size(); };
    if (h.long_format != first.header.long_format)
      throw UserError(fmt::format("{}: {} rows, but {} has {} rows (run every shard with the same --format)", shards[i],
                                  h.long_format ? "long" : "wide", shards[0], first.header.long_format ? "long" : "wide"));
    if (h.fingerprint != first.header.fingerprint || h.points != first.header.points ||
        tables[i].columns != first.columns ||
        (rows_per_point(tables[i]) && rows_per_point(first) && rows_per_point(tables[i]) != rows_per_point(first)))
      throw UserError(fmt::format("{}: a shard of another sweep (fingerprint {}, {} points; {} has {}, {} points)",
                                  shards[i], h.fingerprint, h.points, shards[0], first.header.fingerprint,
                                  first.header.points));
    if (h.shard.count != count)
      throw UserError(fmt::format("{}: shard {}, but {} is shard {} (the sweep was split differently)", shards[i],
                                  to_string(h.shard), shards[0], to_string(first.header.shard)));
    if (seen[h.shard.index])
      throw UserError(fmt::format("{}: shard {} again (also {})", shards[i], to_string(h.shard), *seen[h.shard.index]));
    seen[h.shard.index] = &shards[i];
    if (tables[i].rows.size() != h.shard.size(h.points))
      throw UserError(fmt::format("{}: shard {} has {} of its {} rows", shards[i], to_string(h.shard),
                                  tables[i].rows.size(), h.shard.size(h.points)));
    merged.rows.insert(tables[i].rows.begin(), tables[i].rows.end());
  }
  std::string missing;  // the first few, then how many more: one line however many are missing
  size_t more = 0;
  for (size_t k = 1, listed = 0; k <= count; ++k) {
    if (seen[k] != nullptr) continue;
    if (++listed <= 5) {
      missing += fmt::format("{}{}/{}", missing.empty() ? "" : ", ", k, count);
    } else {
      ++more;
    }
  }
  if (more > 0) missing += fmt::format(" and {} more", more);
  if (!missing.empty())
    throw UserError(fmt::format("podsim merge: missing shard {} of sweep {} (got {} of {} shard files)", missing,
                                first.header.fingerprint, tables.size(), count));
  write_atomically(out_path, [&](std::ostream& o) { write_sweep_table(merged, o); });
  return merged.rows.size();
}

}  // namespace podsim::io
