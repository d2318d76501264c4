#pragma once
// Joins the shard files of one sweep (`podsim sweep --shard K/N --out SHARD.csv`,
// io/sweep_file.h) into the file the unsharded sweep would have written, byte for byte.
// Wide and long files alike (io/sweep_file.h). Refuses, with one line each: a file that is
// not a sweep's results, shards of different sweeps (fingerprint, point count, shard
// count, format or columns) or podsim versions, a shard
// given twice, a missing shard, a shard without all of its rows, a cell that reads as an
// infinite or NaN number (a damaged row: it would be copied into the output).
#include <cstddef>
#include <string>
#include <vector>

namespace podsim::io {

// Reads `shards` and writes the merged table to `out_path` (whole: temp + rename).
// Throws UserError. Returns the number of points.
size_t merge_sweep_shards(const std::string& out_path, const std::vector<std::string>& shards);

}  // namespace podsim::io
