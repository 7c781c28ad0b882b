# Locate Debian's minimal OpenCV (core + imgproc only) and expose it as ppocr::opencv.
#
# Debian's libopencv-core-dev / libopencv-imgproc-dev ship headers and libraries but no
# OpenCVConfig.cmake unless the full libopencv-dev (which drags in imgcodecs, GDAL and
# hundreds of MB) is installed, so we look the pieces up by hand and expose one target.
# Also installed next to ppocr_coreConfig.cmake: C++ users of the installed library find
# OpenCV through this same module. OpenCV elsewhere: set OPENCV_ROOT or CMAKE_PREFIX_PATH.
set(PpocrOpenCV_DEBIAN_PACKAGES libopencv-core-dev libopencv-imgproc-dev)

find_path(PPOCR_OPENCV_INCLUDE_DIR opencv2/core.hpp
  PATH_SUFFIXES opencv4
  HINTS ENV OPENCV_ROOT)
find_library(PPOCR_OPENCV_CORE_LIB opencv_core HINTS ENV OPENCV_ROOT)
find_library(PPOCR_OPENCV_IMGPROC_LIB opencv_imgproc HINTS ENV OPENCV_ROOT)
# The header alone is not enough: core-dev without imgproc-dev leaves imgproc.hpp missing.
if(PPOCR_OPENCV_INCLUDE_DIR AND NOT EXISTS "${PPOCR_OPENCV_INCLUDE_DIR}/opencv2/imgproc.hpp")
  set(PPOCR_OPENCV_INCLUDE_DIR "PPOCR_OPENCV_INCLUDE_DIR-NOTFOUND" CACHE PATH "" FORCE)
endif()

include(FindPackageHandleStandardArgs)
string(REPLACE ";" " " _ppocr_opencv_pkgs "${PpocrOpenCV_DEBIAN_PACKAGES}")
find_package_handle_standard_args(PpocrOpenCV
  REQUIRED_VARS PPOCR_OPENCV_INCLUDE_DIR PPOCR_OPENCV_CORE_LIB PPOCR_OPENCV_IMGPROC_LIB
  REASON_FAILURE_MESSAGE
    "OpenCV core + imgproc headers/libraries not found. On Debian/Ubuntu: apt-get install ${_ppocr_opencv_pkgs} (elsewhere: set OPENCV_ROOT)")

if(PpocrOpenCV_FOUND AND NOT TARGET ppocr::opencv)
  add_library(ppocr::opencv INTERFACE IMPORTED)
  set_target_properties(ppocr::opencv PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${PPOCR_OPENCV_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${PPOCR_OPENCV_IMGPROC_LIB};${PPOCR_OPENCV_CORE_LIB}")
endif()
