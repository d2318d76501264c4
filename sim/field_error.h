#pragma once
// FieldError: a user's mistake found by a library layer below the scenario files, about
// the input at a field path ("jobs[2]", "compare.mode"). The scenario layer that built
// the input catches it and says where the field is in the file
// ("x.textproto:12:3: jobs[2]: ..."); anyone else gets what() = "PATH: MESSAGE".
#include <string>
#include <utility>
#include <vector>

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

// Every problem a library layer found at once, in the order found; what() is one
// "PATH: MESSAGE" per line. The scenario layer places each (scenario/scenario_check.h).
class FieldErrors : public UserError {
 public:
  explicit FieldErrors(std::vector<FieldError> errors) : UserError(lines_of(errors)), errors_(std::move(errors)) {}
  const std::vector<FieldError>& errors() const { return errors_; }

 private:
  static std::vector<std::string> lines_of(const std::vector<FieldError>& errors) {
    std::vector<std::string> lines;
    for (const FieldError& e : errors) lines.emplace_back(e.what());
    return lines;
  }
  std::vector<FieldError> errors_;
};

// Collects FieldErrors; throws them together.
class FieldProblems {
 public:
  void add(std::string path, std::string message) { errors_.emplace_back(std::move(path), std::move(message)); }
  bool empty() const { return errors_.empty(); }
  void throw_if_any() const {
    if (!errors_.empty()) throw FieldErrors(errors_);
  }

 private:
  std::vector<FieldError> errors_;
};

// A row of an input file that cannot be used, with the field that decides what to do
// about it: what() is "ROW (PATH: HINT)", e.g. "t.csv:7: job 'a' needs 64 GPUs; ...
// (sources[0].trace: set skip_oversized to drop such jobs)". The scenario layer says
// where PATH is in its file instead.
class RowError : public UserError {
 public:
  RowError(std::string row, std::string path, std::string hint)
      : UserError(row + " (" + path + ": " + hint + ")"), row_(std::move(row)), path_(std::move(path)), hint_(std::move(hint)) {}
  const std::string& row() const { return row_; }
  const std::string& path() const { return path_; }
  const std::string& hint() const { return hint_; }

 private:
  std::string row_, path_, hint_;
};

}  // namespace podsim::sim
