# One INTERFACE target carries the project's warning and sanitizer flags; every
# regwatch target links it instead of setting global flags.
add_library(regwatch_warnings INTERFACE)
target_compile_options(regwatch_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wnon-virtual-dtor -Wold-style-cast -Wcast-align)
if(REGWATCH_WERROR)
  target_compile_options(regwatch_warnings INTERFACE -Werror)
endif()
if(REGWATCH_SANITIZE)
  # UBSan stops at the first finding (as ASan does) so a test or a fuzz run fails on it
  # instead of printing and going on.
  target_compile_options(regwatch_warnings INTERFACE -fsanitize=address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(regwatch_warnings INTERFACE -fsanitize=address,undefined)
endif()
if(REGWATCH_BUILD_FUZZ)
  # The fuzz build instruments the code under test, not only each harness: libFuzzer's
  # coverage comes from the parsers' own branches, and ASan/UBSan check their reads. The
  # harnesses add -fsanitize=fuzzer (the driver) at their link (tests/fuzz/CMakeLists.txt).
  target_compile_options(regwatch_warnings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(regwatch_warnings INTERFACE -fsanitize=address,undefined)
endif()
