#pragma once
// numpy <-> C++ conversions for the bindings. Everything here needs the GIL.
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <opencv2/core.hpp>

#include "ppocr/result.h"
#include "ppocr/types.h"

namespace ppocr_py {

namespace py = pybind11;

// A cv::Mat header over a C-contiguous uint8 H x W x 3 array (no copy); the caller keeps the
// array alive while the Mat is used. Raises ValueError for anything else.
cv::Mat bgr_view(const py::array& image);
// The same over a C-contiguous uint8 H x W x 4 (BGRA) array.
cv::Mat bgra_view(const py::array& image);
// A cv::Mat header over a C-contiguous float32 2-D array (no copy).
cv::Mat float_view(const py::array& values);

// Results handed to numpy without copying their pixels where C++ owns the buffer: the array
// keeps the buffer alive (a Mat by its reference count, a Tensor by moving it to the heap).
// A Mat over someone else's memory (e.g. an input view passed through) is copied.
py::array_t<uint8_t> to_array(const cv::Mat& image);
py::array_t<float> to_array(ppocr::Tensor&& tensor);
py::array_t<int16_t> quads_to_array(const std::vector<ppocr::Quad>& quads);
py::array_t<float> quads_to_array(const std::vector<ppocr::QuadF>& quads);
ppocr::Quad quad_from(const py::array& points);
ppocr::QuadF quadf_from(const py::array& points);

// The result as a dict with PaddleOCR's field names and numpy arrays where it has them.
py::dict to_dict(const ppocr::OcrResult& result);

}  // namespace ppocr_py
