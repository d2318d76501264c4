#pragma once
// What the doctest suites share: the message of the UserError a call throws, and a scratch
// directory that is gone when the test ends. One copy here, not one per test file.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "engine/error.h"

namespace podsim::testing {

// The message of the UserError `fn()` throws, or "" when it returns. Any other exception
// passes through, so that doctest reports it as the test's failure rather than a message.
std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const podsim::UserError& e) {
    return e.what();
  }
  return "";
}

// A fresh, empty directory under the system's temporary directory, removed with what it
// holds when the object goes. The name carries the process id because ctest runs each
// TEST_CASE as its own process, several at once (-j): two cases of one suite must not share
// or remove each other's directory. Whatever a crashed run left under the name is removed
// first.
struct TempDir {
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;  // a destructor must not throw; a leftover is removed next time
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to the file `name` in the directory, replacing it; returns its path.
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return path / name;
  }

  const std::filesystem::path path;
};

}  // namespace podsim::testing
