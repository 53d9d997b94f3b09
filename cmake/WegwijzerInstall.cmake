# Install rules and the package config that find_package(wegwijzer CONFIG) reads.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(WEGWIJZER_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/wegwijzer)

install(TARGETS wegwijzer EXPORT wegwijzerTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/wegwijzer
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Generated protobuf headers and the schema itself, so that other municipal
# applications can generate their own bindings from the same .proto files.
install(DIRECTORY ${WEGWIJZER_PROTO_GEN_DIR}/wegwijzer/v1
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/wegwijzer
        FILES_MATCHING PATTERN "*.pb.h")
install(FILES ${WEGWIJZER_PROTO_FILES}
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/wegwijzer/v1)

install(EXPORT wegwijzerTargets NAMESPACE wegwijzer:: DESTINATION ${WEGWIJZER_CMAKE_DIR})
export(EXPORT wegwijzerTargets NAMESPACE wegwijzer::
       FILE ${PROJECT_BINARY_DIR}/wegwijzerTargets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/wegwijzerConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/wegwijzerConfig.cmake
                              INSTALL_DESTINATION ${WEGWIJZER_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/wegwijzerConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/wegwijzerConfig.cmake
              ${PROJECT_BINARY_DIR}/wegwijzerConfigVersion.cmake
        DESTINATION ${WEGWIJZER_CMAKE_DIR})

configure_file(${PROJECT_SOURCE_DIR}/cmake/wegwijzer.pc.in
               ${PROJECT_BINARY_DIR}/wegwijzer.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/wegwijzer.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
