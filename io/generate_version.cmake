# Writes OUTPUT, the C++ header behind io/version.h, with podsim's version:
#
#   0.1.0                                    outside a git checkout (or without git)
#   0.1.0+g6ded8b4c1e2f                      a git checkout: 12 hex digits of the commit
#   0.1.0+g6ded8b4c1e2f.dirty-0a1b2c3d       ... with uncommitted changes to tracked files:
#                                            8 hex digits of a SHA-256 of `git diff HEAD`
#
# so two builds of the same source agree, and a build of other source (a new commit, an
# edit) says so. Sweep files record it (io/sweep_file.h) and refuse to mix versions.
# Every piece is a pure function of the source (no dates, no host, no abbreviation whose
# length depends on the clone); untracked files do not count.
#
# Run as a script at every build (io/CMakeLists.txt), not at configure time, so a commit
# made after configuring is not built under the old version; configure_file rewrites the
# header only when the version changed, so an unchanged version recompiles nothing.
#
# cmake -DSOURCE_DIR=... -DOUTPUT=... -DPROJECT_VERSION=... [-DGIT_EXECUTABLE=...] -P generate_version.cmake
set(PODSIM_VERSION "${PROJECT_VERSION}")
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --show-toplevel HEAD
                  WORKING_DIRECTORY "${SOURCE_DIR}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc EQUAL 0)
    string(REPLACE "\n" ";" out "${out}")
    list(GET out 0 toplevel)
    list(GET out 1 commit)
    file(REAL_PATH "${toplevel}" toplevel)
    file(REAL_PATH "${SOURCE_DIR}" source)
    # Only podsim's own repository: a source tree unpacked inside another checkout is
    # not a checkout of podsim.
    if(toplevel STREQUAL source AND commit MATCHES "^[0-9a-f]+$")
      string(SUBSTRING "${commit}" 0 12 commit)
      string(APPEND PODSIM_VERSION "+g${commit}")
      # Plain diff text, whatever the user's git configuration (external diff tools,
      # text conversion, colour).
      execute_process(COMMAND "${GIT_EXECUTABLE}" diff --no-ext-diff --no-textconv --no-color --binary HEAD --
                      WORKING_DIRECTORY "${SOURCE_DIR}"
                      RESULT_VARIABLE rc OUTPUT_VARIABLE diff ERROR_QUIET)
      if(NOT rc EQUAL 0)
        string(APPEND PODSIM_VERSION ".dirty-unknown")
      elseif(NOT diff STREQUAL "")
        string(SHA256 hash "${diff}")
        string(SUBSTRING "${hash}" 0 8 hash)
        string(APPEND PODSIM_VERSION ".dirty-${hash}")
      endif()
    endif()
  endif()
endif()
file(CONFIGURE OUTPUT "${OUTPUT}" CONTENT [=[#pragma once
// Generated at build time by io/generate_version.cmake: do not edit. Read it through
// io/version.h.
#include <string_view>

namespace podsim::io {
inline constexpr std::string_view kGeneratedVersion = "@PODSIM_VERSION@";
}
]=] @ONLY)
