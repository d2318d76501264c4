#include "scenario/fingerprint.h"

#include <fmt/format.h>
#include <google/protobuf/text_format.h>

namespace podsim::scenario {

void Fnv1a::add(std::string_view s) {
  bytes(fmt::format("{}:", s.size()));
  bytes(s);
}

std::string Fnv1a::hex() const { return fmt::format("{:016x}", h_); }

void Fnv1a::bytes(std::string_view s) {
  for (const unsigned char c : s) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
}

std::string scenario_fingerprint(const ScenarioFile& file) {
  std::string canonical;
  google::protobuf::TextFormat::PrintToString(file.scenario(), &canonical);
  Fnv1a h;
  h.add("podsim scenario v1");
  h.add(canonical);
  h.add(fmt::format("seed {}", file.scenario().seed()));
  return h.hex();
}

}  // namespace podsim::scenario
