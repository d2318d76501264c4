#pragma once
// The range of every numeric field of the scenario protos, in one table, checked in one
// pass when a scenario is read (issue 17 item 4: every number checked at the door).
//
// A range is physical: it bounds what any real machine, model or trace could need, with
// a generous margin, so that nothing in range can overflow the simulator's int64
// nanoseconds or make an infinite result (docs/scenario-ranges.md lists the table and
// why each bound is what it is; a test checks the document against this table).
//
//   Problems problems(file);
//   check_field_ranges(file, file.scenario(), "", problems);   // the whole scenario
//   problems.throw_if_any();   // "x.textproto:7:5: cluster.pools[0].nvlink.link_latency_ns:
//                              //  expected ns in [0, 1e9], got 9223372036854775807"
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <span>
#include <string>

#include "scenario/scenario_check.h"

namespace podsim::scenario {

struct FieldRange {
  const char* message;  // the proto message, unqualified ("Nvlink")
  const char* field;    // its field ("link_latency_ns")
  double min, max;      // inclusive bounds
  const char* unit;     // what the number counts ("ns", "GB/s", "devices")
  // 0 is also accepted: the field's "unset" (a default, or none). Fields with explicit
  // presence (proto3 `optional`, oneof members) are checked only when set.
  bool zero_ok;
  const char* why;      // the physical reason for the bounds, one phrase
};

// Every numeric field reachable from podsim.v1.Scenario has exactly one entry.
std::span<const FieldRange> field_ranges();

// Whether `f` holds a number (an integer or floating-point type; not bool or enum).
bool is_numeric_field(const google::protobuf::FieldDescriptor* f);

// The entry of `message`.`field`, or nullptr.
const FieldRange* find_field_range(std::string_view message, std::string_view field);

// Checks every numeric field set in `m` and the messages below it against the table,
// recording one problem per value out of range at its path (`path` is m's own path in
// the scenario, "" for the whole scenario). Returns how many values are out of range
// (a problem Problems already holds is not recorded twice, but still counted).
int check_field_ranges(const ScenarioFile& file, const google::protobuf::Message& m, const std::string& path,
                        Problems& problems);

// The table as the Markdown section docs/scenario-ranges.md holds between its markers.
std::string field_ranges_markdown();

}  // namespace podsim::scenario
