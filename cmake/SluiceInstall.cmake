include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SLUICE_CONFIG_DIR "${CMAKE_INSTALL_DATADIR}/cmake/sluice")

# INCLUDES DESTINATION gives the installed sluice::sluice its include directory (the top-level
# $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}> is read before GNUInstallDirs defines it).
install(TARGETS sluice EXPORT sluiceTargets INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT sluiceTargets NAMESPACE sluice:: DESTINATION "${SLUICE_CONFIG_DIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/sluiceConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/sluiceConfig.cmake" INSTALL_DESTINATION "${SLUICE_CONFIG_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/sluiceConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES
  "${PROJECT_BINARY_DIR}/sluiceConfig.cmake"
  "${PROJECT_BINARY_DIR}/sluiceConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/SluiceDependencies.cmake"
  DESTINATION "${SLUICE_CONFIG_DIR}")
