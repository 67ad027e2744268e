# The dependencies of sluice::sluice, found the same way in the source tree and in
# sluiceConfig.cmake (which includes this file), so consumers see exactly what we build with.
include(CMakeFindDependencyMacro)
find_dependency(Boost 1.74)
find_dependency(range-v3)
find_dependency(PkgConfig)
if(NOT TARGET PkgConfig::LMDB)
  pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET GLOBAL lmdb)
endif()
if(NOT TARGET PkgConfig::XXHASH)
  pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET GLOBAL libxxhash)
endif()
