# Install rules of the shared libppocr_core for C++ applications:
#   <prefix>/lib/libppocr_core.so.<major>.<minor>     (ppocr::core)
#   <prefix>/include/ppocr/*.h
#   <prefix>/lib/cmake/ppocr_core/                     ppocr_coreConfig.cmake + version + targets
# so that find_package(ppocr_core CONFIG REQUIRED) + target_link_libraries(app ppocr::core)
# works. Everything is in the install component `ppocr_cpp`. In the Python build (the wheel)
# the component is left out of a full install; there it is installed on request only:
#   cmake --install build/<wheel tag> --component ppocr_cpp --prefix <dir>
include(CMakePackageConfigHelpers)

set(_ppocr_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ppocr_core)
set(_ppocr_exclude)
if(PPOCR_BUILD_PYTHON)
  set(_ppocr_exclude EXCLUDE_FROM_ALL)
endif()

# 0.x: every minor release may change the ABI, so the soname carries major.minor.
set_target_properties(ppocr_core_shared PROPERTIES
  EXPORT_NAME core
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  # OpenVINO is a private dependency that is usually not in the loader's default path (the
  # openvino wheel's libs, or /opt/intel/openvino): the installed library finds it through its
  # own RUNPATH, so applications need neither LD_LIBRARY_PATH nor an rpath for it. OpenCV and
  # Clipper come from system directories. If OpenVINO moves, set LD_LIBRARY_PATH.
  INSTALL_RPATH "${PPOCR_OPENVINO_LIB_DIR}")

install(TARGETS ppocr_core_shared EXPORT ppocr_coreTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT ppocr_cpp NAMELINK_COMPONENT ppocr_cpp
  ${_ppocr_exclude})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/cpp/include/ppocr
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT ppocr_cpp ${_ppocr_exclude})
install(EXPORT ppocr_coreTargets
  NAMESPACE ppocr::
  DESTINATION ${_ppocr_cmake_dir} COMPONENT ppocr_cpp ${_ppocr_exclude})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ppocr_coreConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ppocr_coreConfig.cmake
  INSTALL_DESTINATION ${_ppocr_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ppocr_coreConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
    ${CMAKE_CURRENT_BINARY_DIR}/ppocr_coreConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/ppocr_coreConfigVersion.cmake
    # The config finds OpenCV with the same module as this build (Debian's core/imgproc
    # packages have no OpenCVConfig.cmake).
    ${PROJECT_SOURCE_DIR}/third_party/cmake/FindPpocrOpenCV.cmake
  DESTINATION ${_ppocr_cmake_dir} COMPONENT ppocr_cpp ${_ppocr_exclude})
