#pragma once
// The one writer of JSON in podsim (a cluster run's results.json; the strings and numbers
// of the Perfetto export): nlohmann-json builds and prints every document, so escaping
// and number text are the library's, not hand-made.
//
// Non-finite numbers are never written: nlohmann-json would print them as null, silently.
// write_json walks the document first and throws InternalError naming the quantity
// ("summary.energy_j is inf: ...").
#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <string_view>

namespace podsim::io {

// Keys keep the order they were added in, so files read like the CSVs beside them.
using Json = nlohmann::ordered_json;

// Pretty-printed (2 spaces), one final newline. Invalid UTF-8 in strings becomes U+FFFD.
void write_json(const Json& doc, std::ostream& out);

// One string as a JSON literal, quotes included (invalid UTF-8 becomes U+FFFD).
std::string json_string(std::string_view s);
// One number as JSON text (shortest round-trip). Throws InternalError naming `quantity`
// if `v` is not finite.
std::string json_number(double v, std::string_view quantity);
// One number as JSON text, null when it is not finite. For numbers podsim passes on
// rather than computes (a trace file's, which a reader may have been handed from
// elsewhere): null says "no value" where a number would be a made-up one.
std::string json_number_or_null(double v);

}  // namespace podsim::io
