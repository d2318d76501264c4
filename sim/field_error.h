#pragma once
// FieldError: a user's mistake found by a library layer below the scenario files, about
// the input at a field path ("jobs[2]", "compare.mode"). The scenario layer that built
// the input catches it and says where the field is in the file
// ("x.textproto:12:3: jobs[2]: ..."); anyone else gets what() = "PATH: MESSAGE".
#include <string>

#include "engine/error.h"

namespace podsim::sim {

class FieldError : public UserError {
 public:
  FieldError(std::string path, std::string message)
      : UserError(path + ": " + message), path_(std::move(path)), message_(std::move(message)) {}
  const std::string& path() const { return path_; }
  const std::string& message() const { return message_; }

 private:
  std::string path_, message_;
};

}  // namespace podsim::sim
