# Run at BUILD time (cmake -P) by the regwatch_build_version_header target: writes the build's
# version, git revision and build date into OUTPUT, and rewrites it only when they changed, so a
# commit needs no reconfigure and an unchanged tree rebuilds nothing (Ninja restats byproducts).
#
# Inputs (-D): SOURCE_DIR, TEMPLATE, OUTPUT, VERSION; REVISION_OVERRIDE for a tree without .git
# (a package built from an exported tarball: -DREGWATCH_GIT_REVISION=abc1234 at configure).
# The date is reproducible: SOURCE_DATE_EPOCH when set (Debian's reproducible-builds habit),
# else the commit's date, else today.
cmake_minimum_required(VERSION 3.25)

find_package(Git QUIET)
set(revision "unknown")
set(commit_epoch "")
if(REVISION_OVERRIDE)
  set(revision "${REVISION_OVERRIDE}")
elseif(GIT_FOUND)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short HEAD
                  WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE hash
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE hash_rc)
  if(hash_rc EQUAL 0 AND NOT hash STREQUAL "")
    set(revision "${hash}")
    # Refresh the index first so files merely touched (same content) do not count as changes.
    execute_process(COMMAND "${GIT_EXECUTABLE}" update-index -q --refresh
                    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_QUIET ERROR_QUIET)
    execute_process(COMMAND "${GIT_EXECUTABLE}" diff-index --quiet HEAD --
                    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE dirty_rc
                    OUTPUT_QUIET ERROR_QUIET)
    if(NOT dirty_rc EQUAL 0)
      string(APPEND revision "-dirty")
    endif()
    execute_process(COMMAND "${GIT_EXECUTABLE}" log -1 --format=%ct
                    WORKING_DIRECTORY "${SOURCE_DIR}" OUTPUT_VARIABLE commit_epoch
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  endif()
endif()

# string(TIMESTAMP) honours SOURCE_DATE_EPOCH itself; the commit date stands in for it
# when it is not set, so two builds of one commit say the same date.
if(NOT DEFINED ENV{SOURCE_DATE_EPOCH} AND commit_epoch MATCHES "^[0-9]+$")
  set(ENV{SOURCE_DATE_EPOCH} "${commit_epoch}")
endif()
string(TIMESTAMP build_date "%Y-%m-%d" UTC)

set(REGWATCH_BUILD_VERSION "${VERSION}")
set(REGWATCH_BUILD_REVISION "${revision}")
set(REGWATCH_BUILD_DATE "${build_date}")
configure_file("${TEMPLATE}" "${OUTPUT}.tmp" @ONLY)
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
