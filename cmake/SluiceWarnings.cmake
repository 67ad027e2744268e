# Flags for sluice's own targets (tests, benchmarks, examples); never put on sluice::sluice itself.
add_library(sluice_project_options INTERFACE)
target_compile_options(sluice_project_options INTERFACE -Wall -Wextra -Wpedantic
  $<$<BOOL:${SLUICE_WARNINGS_AS_ERRORS}>:-Werror>
  # GCC 12 reports std::optional<std::string> moved through a function as maybe-uninitialized
  # at -O2 (GCC bugs 80635, 105562): a false positive that would fail optimized -Werror builds.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
if(SLUICE_SANITIZE)
  target_compile_options(sluice_project_options INTERFACE -fsanitize=${SLUICE_SANITIZE} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(sluice_project_options INTERFACE -fsanitize=${SLUICE_SANITIZE})
endif()
