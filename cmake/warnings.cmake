# One INTERFACE target carries the project's warning and sanitizer flags; every
# regwatch target links it instead of setting global flags.
add_library(regwatch_warnings INTERFACE)
target_compile_options(regwatch_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                       -Wnon-virtual-dtor -Wold-style-cast -Wcast-align)
if(REGWATCH_WERROR)
  target_compile_options(regwatch_warnings INTERFACE -Werror)
endif()
# Links the daemons' allocator into an executable (cmake/dependencies.cmake), even though no
# symbol of it is named: it replaces malloc and operator new by being linked.
# --no-as-needed: a linker that drops unreferenced libraries would drop it.
set(CMAKE_LINK_LIBRARY_USING_NO_AS_NEEDED
    "LINKER:--push-state,--no-as-needed" "<LINK_ITEM>" "LINKER:--pop-state")
set(CMAKE_LINK_LIBRARY_USING_NO_AS_NEEDED_SUPPORTED TRUE)
function(regwatch_use_daemon_allocator target)
  if(TCMALLOC_FOUND)
    # The library's path (the feature does not apply to pkg-config's INTERFACE target).
    target_link_libraries(${target} PRIVATE "$<LINK_LIBRARY:NO_AS_NEEDED,${TCMALLOC_LINK_LIBRARIES}>")
  endif()
endfunction()

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
