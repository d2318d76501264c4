#include "io/json_writer.h"

#include <fmt/format.h>

#include <cmath>

#include "engine/check.h"

namespace podsim::io {
namespace {

void check_finite(const Json& j, const std::string& path) {
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (!std::isfinite(v))
      throw InternalError(fmt::format("{} is {}: podsim never writes a non-finite number", path, v));
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) check_finite(value, path.empty() ? key : path + "." + key);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) check_finite(j[i], fmt::format("{}[{}]", path, i));
  }
}

}  // namespace

void write_json(const Json& doc, std::ostream& out) {
  check_finite(doc, "");
  out << doc.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
}

std::string json_string(std::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string json_number(double v, std::string_view quantity) {
  if (!std::isfinite(v)) throw InternalError(fmt::format("{} is {}: podsim never writes a non-finite number", quantity, v));
  return Json(v).dump();
}

std::string json_number_or_null(double v) { return std::isfinite(v) ? Json(v).dump() : "null"; }

}  // namespace podsim::io
