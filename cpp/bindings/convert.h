#pragma once
// numpy <-> C++ conversions for the bindings. Everything here needs the GIL.
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <opencv2/core.hpp>

#include "ppocr/result.h"

namespace ppocr_py {

namespace py = pybind11;

// A cv::Mat header over a C-contiguous uint8 H x W x 3 array (no copy); the caller keeps the
// array alive while the Mat is used. Raises ValueError for anything else.
cv::Mat bgr_view(const py::array& image);
// A cv::Mat header over a C-contiguous float32 2-D array (no copy).
cv::Mat float_view(const py::array& values);

py::array_t<uint8_t> to_array(const cv::Mat& image);
py::array_t<int16_t> quads_to_array(const std::vector<ppocr::Quad>& quads);
py::array_t<float> quads_to_array(const std::vector<ppocr::QuadF>& quads);
ppocr::Quad quad_from(const py::array& points);
ppocr::QuadF quadf_from(const py::array& points);

// The result as a dict with PaddleOCR's field names and numpy arrays where it has them.
py::dict to_dict(const ppocr::OcrResult& result);

}  // namespace ppocr_py
