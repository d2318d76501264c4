// One libFuzzer binary per target: PODSIM_FUZZ_TARGET names the entry in
// fuzz_entries.h (fuzz/CMakeLists.txt compiles this file once per target).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  podsim::fuzz::run_target(PODSIM_FUZZ_TARGET, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
