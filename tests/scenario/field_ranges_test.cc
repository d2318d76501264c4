// The range table (scenario/field_ranges.h): complete, documented, and applied.
#include "scenario/field_ranges.h"

#include <doctest/doctest.h>
#include <google/protobuf/descriptor.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "engine/error.h"
#include "scenario/scenario_check.h"
#include "tests/test_util.h"

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using podsim::scenario::check_field_ranges;
using podsim::scenario::check_scenario;
using podsim::scenario::field_ranges;
using podsim::scenario::FieldRange;
using podsim::scenario::Problems;
using podsim::scenario::ScenarioFile;

namespace {

// "Message.field" of every numeric field reachable from `d`.
void numeric_fields(const Descriptor* d, std::set<const Descriptor*>& seen, std::set<std::string>& out) {
  if (!seen.insert(d).second) return;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->message_type() != nullptr) numeric_fields(f->message_type(), seen, out);
    else if (podsim::scenario::is_numeric_field(f)) out.insert(d->name() + "." + f->name());
  }
}

using podsim::testing::error_of;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr const char* kBegin = "<!-- ranges:begin (generated from scenario/field_ranges.cc) -->\n";
constexpr const char* kEnd = "<!-- ranges:end -->";

}  // namespace

TEST_CASE("every numeric field of the scenario protos has exactly one range, and every range a field") {
  std::set<const Descriptor*> seen;
  std::set<std::string> fields;
  numeric_fields(podsim::v1::Scenario::descriptor(), seen, fields);
  std::set<std::string> listed;
  for (const FieldRange& r : field_ranges()) {
    const std::string name = std::string(r.message) + "." + r.field;
    CAPTURE(name);
    CHECK_MESSAGE(listed.insert(name).second, "listed twice");
    CHECK_MESSAGE(fields.count(name) == 1, "no such numeric field reachable from Scenario");
    CHECK(r.min <= r.max);
    CHECK(std::string(r.why).size() > 0);
  }
  for (const std::string& f : fields) CHECK_MESSAGE(listed.count(f) == 1, f << " has no range in scenario/field_ranges.cc");
  CHECK(fields.size() >= 131);  // the walk reached the whole schema
}

TEST_CASE("docs/scenario-ranges.md lists the table as it is") {
  const std::string path = std::string(PODSIM_SOURCE_DIR) + "/docs/scenario-ranges.md";
  std::string doc = read(path);
  const size_t begin = doc.find(kBegin), end = doc.find(kEnd);
  REQUIRE_MESSAGE(begin != std::string::npos, path << " has no '" << kBegin << "' marker");
  REQUIRE(end != std::string::npos);
  const size_t from = begin + std::string_view(kBegin).size();
  const std::string generated = podsim::scenario::field_ranges_markdown();
  if (doc.substr(from, end - from) != generated && std::getenv("PODSIM_UPDATE_DOCS") != nullptr) {
    doc.replace(from, end - from, generated);
    std::ofstream(path) << doc;
    MESSAGE("rewrote the table in " << path);
    return;
  }
  CHECK_MESSAGE(doc.substr(from, end - from) == generated,
                "the table in docs/scenario-ranges.md differs from scenario/field_ranges.cc; regenerate it with "
                "PODSIM_UPDATE_DOCS=1 build/tests/scenario/scenario_test -tc='docs/scenario-ranges.md*'");
}

TEST_CASE("a value out of range is one line at its place: FILE:LINE:COL: path: expected ... got ...") {
  const ScenarioFile f = ScenarioFile::parse("r.textproto", R"(name: "r"
cluster {
  pools { preset: "nvl72" count: 2
    nvlink { link_latency_ns: 9223372036854775807 system_power_kw: 1e308 } }
  fat_tree { tiers: 2 }
}
jobs { name: "a" model { preset: "llama3-8b" } plan { tp: 0 } steps: 10 }
scheduler { las_thresholds_device_hours: [1, 0.5] timeline_samples: 0 }
failures { kinds { mtbf_hours: 100 repair_hours: 1e308 } }
)");
  const std::string e = error_of([&] { check_scenario(f); });
  CHECK(e ==
        "r.textproto:4:14: cluster.pools[0].nvlink.link_latency_ns: expected ns in [0, 1e9], got 9223372036854775807\n"
        "r.textproto:4:51: cluster.pools[0].nvlink.system_power_kw: expected kW in [0.01, 1e4], got 1e308\n"
        "r.textproto:7:55: jobs[0].plan.tp: expected ranks in [1, 1024], got 0\n"
        "r.textproto:9:36: failures.kinds[0].repair_hours: expected hours in [1e-3, 1e4] or 0, got 1e308\n"
        "r.textproto:8:1: scheduler.las_thresholds_device_hours[1]: expected thresholds in ascending order, got 0.5 "
        "after 1");
}

TEST_CASE("presence: optional fields only when set, 0 where it means unset, repeated fields element by element") {
  auto problems = [](const std::string& text) {
    const ScenarioFile f = ScenarioFile::parse("p.textproto", "name: \"p\"\n" + text);
    Problems p(f);
    check_field_ranges(f, f.scenario(), "", p);
    return error_of([&] { p.throw_if_any(); });
  };
  CHECK(problems("cluster { pools { preset: \"nvl72\" } }") == "");  // count unset: the default
  CHECK(problems("cluster { pools { preset: \"nvl72\" count: 0 } }") ==
        "p.textproto:2:35: cluster.pools[0].count: expected systems in [1, 1e6], got 0");
  CHECK(problems("failures { kinds { mtbf_hours: 10 weibull_shape: 0 repair_hours: 0 } }") == "");  // 0: defaults
  CHECK(problems("failures { kinds { weibull_shape: 2 } }") ==
        "p.textproto:2:12: failures.kinds[0].mtbf_hours: expected hours in [0.01, 1e9], got 0");  // required
  CHECK(problems("scheduler { las_thresholds_device_hours: [1, -2, 3] }") ==
        "p.textproto:2:1: scheduler.las_thresholds_device_hours[1]: expected device-hours in [1e-6, 1e9], got -2");
  CHECK(problems("horizon_s: nan") == "p.textproto:2:1: horizon_s: expected s in [1e-9, 1e9] or 0, got nan");
  // Under 1 ns, a horizon is 0 ns on the clock: every run ended at once (0 is until done).
  CHECK(problems("horizon_s: 1e-10") == "p.textproto:2:1: horizon_s: expected s in [1e-9, 1e9] or 0, got 1e-10");
  CHECK(problems("horizon_s: 1e-9") == "");
  CHECK(problems("seed: 18446744073709551615") == "");  // any seed
  // The runtime reserve (docs/hardware.md §1.5): 0 holds nothing back; a negative one is
  // refused at its place.
  CHECK(problems("cluster { pools { preset: \"hgx-h100\" device { runtime_reserve_gbytes: 0 } } }") == "");
  CHECK(problems("cluster { pools { preset: \"hgx-h100\" device { runtime_reserve_gbytes: -1.5 } } }") ==
        "p.textproto:2:47: cluster.pools[0].device.runtime_reserve_gbytes: expected GB in [1e-3, 1e6] or 0, got -1.5");
}
