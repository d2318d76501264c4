#pragma once
// Field overrides by path, through protobuf reflection: the engine of `--set` and of
// sweeps.
//
//   set_field(scenario, "cluster.pools[0].count", "16")
//   set_field(scenario, "scheduler.policy", "EASY_BACKFILL")   // enums by name
//
// A path is dot-separated field names; a repeated field takes an index in brackets
// ([i] with i < size, or i == size to append a new element). Only scalar fields (numbers,
// bools, strings, enums) can be set. Errors (unknown field, with the fields that do
// exist; index out of range; a value of the wrong type or out of range) throw
// UserError with a one-line message.
#include <string>
#include <string_view>
#include <utility>

namespace google::protobuf {
class Message;
}

namespace podsim::scenario {

// Splits "path=value" at the first '='. Throws UserError without one.
std::pair<std::string, std::string> split_assignment(std::string_view assignment);

// The path as set_field reads it, written one way: "jobs[01].name" and "jobs[1].name" are
// one field. Throws UserError for a path set_field could not parse.
std::string canonical_field_path(std::string_view path);

// Sets the scalar at `path` in `message` to `value` (text as a user types it). Errors
// start with "ORIGIN: PATH", `origin` the option the value came from ("--max-events");
// without one, "--set PATH".
void set_field(google::protobuf::Message& message, std::string_view path, std::string_view value,
               std::string_view origin = {});

}  // namespace podsim::scenario
