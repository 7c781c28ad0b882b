# Find OpenVINO's C++ runtime from the `openvino` PyPI wheel (or from -DOpenVINO_DIR, e.g. a
# system OpenVINO for a C++-only build).
#
# The wheel ships headers, libraries and an OpenVINOConfig.cmake; its location is asked
# from the Python that builds us (the same pinned wheel is a runtime dependency), so the
# extension links exactly the libraries it will load at run time.
if(NOT OpenVINO_DIR)
  find_package(Python COMPONENTS Interpreter REQUIRED)
  execute_process(
    COMMAND "${Python_EXECUTABLE}" -c "import openvino.utils as u; print(u.get_cmake_path())"
    OUTPUT_VARIABLE _ppocr_ov_cmake_dir
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _ppocr_ov_rc)
  if(NOT _ppocr_ov_rc EQUAL 0)
    message(FATAL_ERROR
      "OpenVINO not found: the openvino wheel is not importable from ${Python_EXECUTABLE}. "
      "pip install openvino==2026.4.1 into that Python (or pass -DPython_EXECUTABLE=...), "
      "or point -DOpenVINO_DIR at an OpenVINO install's runtime/cmake directory.")
  endif()
  set(OpenVINO_DIR "${_ppocr_ov_cmake_dir}")
endif()
find_package(OpenVINO CONFIG REQUIRED COMPONENTS Runtime)
# Directory holding libopenvino.so, used for the RPATH of what links it.
get_target_property(_ppocr_ov_lib openvino::runtime IMPORTED_LOCATION_RELEASE)
get_filename_component(PPOCR_OPENVINO_LIB_DIR "${_ppocr_ov_lib}" DIRECTORY)
set(PpocrOpenVINO_FOUND TRUE)
