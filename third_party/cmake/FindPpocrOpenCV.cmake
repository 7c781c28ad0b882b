# Locate Debian's minimal OpenCV (core + imgproc only).
#
# Debian's libopencv-core-dev / libopencv-imgproc-dev ship headers and libraries but no
# OpenCVConfig.cmake unless the full libopencv-dev (which drags in imgcodecs, GDAL and
# hundreds of MB) is installed, so we look the pieces up by hand and expose one target.
find_path(PPOCR_OPENCV_INCLUDE_DIR opencv2/core.hpp
  PATH_SUFFIXES opencv4
  HINTS ENV OPENCV_ROOT)
find_library(PPOCR_OPENCV_CORE_LIB opencv_core HINTS ENV OPENCV_ROOT)
find_library(PPOCR_OPENCV_IMGPROC_LIB opencv_imgproc HINTS ENV OPENCV_ROOT)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PpocrOpenCV
  REQUIRED_VARS PPOCR_OPENCV_INCLUDE_DIR PPOCR_OPENCV_CORE_LIB PPOCR_OPENCV_IMGPROC_LIB
  REASON_FAILURE_MESSAGE "install libopencv-core-dev and libopencv-imgproc-dev (make deps does it)")

if(PpocrOpenCV_FOUND AND NOT TARGET ppocr::opencv)
  add_library(ppocr::opencv INTERFACE IMPORTED)
  set_target_properties(ppocr::opencv PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${PPOCR_OPENCV_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${PPOCR_OPENCV_IMGPROC_LIB};${PPOCR_OPENCV_CORE_LIB}")
endif()
