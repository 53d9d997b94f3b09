# wegwijzer_warnings(<target>...): the warning flags every target of ours compiles with
# (library, command line, Python module, tests, benchmarks, examples, fuzzers), so that
# our own code stays warning-free in every preset. Per target, never global: a project
# that adds wegwijzer with add_subdirectory() keeps its own flags.
#
# Third-party headers are not ours to fix: Boost is included under a diagnostic pragma
# at the include site (lib/directory/service_area.h says why), and the other
# dependencies come from /usr/include, which the compilers treat as system headers.
function(wegwijzer_warnings)
  foreach(_target IN LISTS ARGN)
    target_compile_options(${_target} PRIVATE
      $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra>)
  endforeach()
endfunction()
