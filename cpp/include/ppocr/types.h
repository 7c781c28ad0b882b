#pragma once
// Small value types shared by every stage.
#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace ppocr {

// Four corners, clockwise from top-left, in integer pixels (PaddleOCR's int16 polys).
using Quad = std::array<cv::Point, 4>;
// The same corners in sub-pixel precision (boxes mapped back onto the input image).
using QuadF = std::array<cv::Point2f, 4>;

// A dense float tensor in row-major order: what goes in and out of a model.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;

  int64_t dim(size_t i) const { return shape.at(i); }
  size_t element_count() const {
    size_t n = 1;
    for (auto d : shape) n *= static_cast<size_t>(d);
    return n;
  }
};

}  // namespace ppocr
