#include "workloads/unfused_kernels.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace podsim::workloads {

std::string to_string(const UnfusedKernels& k) {
  std::vector<std::string> names;
  if (k.rmsnorm) names.emplace_back("RMSNorm");
  if (k.swiglu) names.emplace_back("SwiGLU");
  if (k.rope) names.emplace_back("RoPE");
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace podsim::workloads
