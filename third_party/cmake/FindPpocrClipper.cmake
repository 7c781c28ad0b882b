# Locate Clipper 6.4.2 (Angus Johnson's polygon clipping/offsetting library) from Debian's
# libpolyclipping-dev: the same library PaddleOCR reaches through pyclipper, so unclip
# results are bit-identical. Debian ships a pkg-config file but no CMake config.
set(PpocrClipper_DEBIAN_PACKAGES libpolyclipping-dev)

find_path(PPOCR_CLIPPER_INCLUDE_DIR clipper.hpp PATH_SUFFIXES polyclipping)
find_library(PPOCR_CLIPPER_LIB polyclipping)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PpocrClipper
  REQUIRED_VARS PPOCR_CLIPPER_INCLUDE_DIR PPOCR_CLIPPER_LIB
  REASON_FAILURE_MESSAGE
    "Clipper (polyclipping) not found. On Debian/Ubuntu: apt-get install ${PpocrClipper_DEBIAN_PACKAGES}")

if(PpocrClipper_FOUND AND NOT TARGET ppocr::clipper)
  add_library(ppocr::clipper INTERFACE IMPORTED)
  set_target_properties(ppocr::clipper PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${PPOCR_CLIPPER_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${PPOCR_CLIPPER_LIB}")
endif()
