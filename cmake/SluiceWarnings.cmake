# Flags for sluice's own targets (tests, benchmarks, examples); never put on sluice::sluice itself.
add_library(sluice_project_options INTERFACE)
target_compile_options(sluice_project_options INTERFACE -Wall -Wextra -Wpedantic
  $<$<BOOL:${SLUICE_WARNINGS_AS_ERRORS}>:-Werror>)
if(SLUICE_SANITIZE)
  target_compile_options(sluice_project_options INTERFACE -fsanitize=${SLUICE_SANITIZE} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(sluice_project_options INTERFACE -fsanitize=${SLUICE_SANITIZE})
endif()
