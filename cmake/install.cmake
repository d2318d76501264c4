# `cmake --install BUILD --prefix PREFIX` installs the libraries below the command line
# (static), their headers under
# PREFIX/include/podsim with the repository's layout, and the podsim package, so that
# another CMake project writes
#
#   find_package(podsim REQUIRED)
#   target_link_libraries(app PRIVATE podsim::podsim_sim)        # or podsim_scenario, ...
#
# examples/embed/ is such a project; scripts/test-embed.sh installs and builds it.
include(CMakePackageConfigHelpers)

set(PODSIM_LIBRARIES
  podsim_engine podsim_topologies podsim_workloads podsim_scheduler podsim_sim
  podsim_proto podsim_io podsim_report podsim_scenario
  podsim_warnings)  # an INTERFACE target the others link privately; carries nothing to users
install(TARGETS ${PODSIM_LIBRARIES}
        EXPORT podsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
foreach(dir engine topologies workloads scheduler sim io report scenario)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${PODSIM_INSTALL_INCLUDEDIR}/${dir}
          FILES_MATCHING PATTERN "*.h")
endforeach()
install(DIRECTORY ${PROJECT_BINARY_DIR}/proto/podsim/ DESTINATION ${PODSIM_INSTALL_INCLUDEDIR}/podsim
        FILES_MATCHING PATTERN "*.pb.h")

set(PODSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/podsim)
install(EXPORT podsimTargets NAMESPACE podsim:: DESTINATION ${PODSIM_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/podsimConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/podsimConfig.cmake
                              INSTALL_DESTINATION ${PODSIM_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/podsimConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/podsimConfig.cmake ${PROJECT_BINARY_DIR}/podsimConfigVersion.cmake
        DESTINATION ${PODSIM_CMAKE_DIR})
