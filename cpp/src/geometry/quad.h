#pragma once
// Minimum-area boxes and corner ordering, as PaddleOCR's DB post-processing does them.
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/types.h"

namespace ppocr {

struct MiniBox {
  QuadF corners;     // top-left, top-right, bottom-right, bottom-left
  float short_side;  // the shorter side of the rectangle
};

// The minimum-area rectangle around `points`, corners ordered as PaddleOCR's
// get_mini_boxes orders them (sort by x, then pick top/bottom in each pair by y).
MiniBox min_area_box(const std::vector<cv::Point>& points);
MiniBox min_area_box(const std::vector<cv::Point2f>& points);

// Axis-aligned [x_min, y_min, x_max, y_max] of a quad.
std::array<int, 4> bounding_box(const Quad& quad);

}  // namespace ppocr
