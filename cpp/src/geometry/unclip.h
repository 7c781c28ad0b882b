#pragma once
// Growing a shrunk DB text kernel back to the full text region.
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/types.h"

namespace ppocr {

// Offsets the polygon outwards by area * ratio / perimeter with round joins (Clipper, the
// library PaddleOCR uses through pyclipper). Coordinates are truncated to integers on the
// way in, as pyclipper does. Returns the points of the grown outline; empty if Clipper
// produced nothing.
std::vector<cv::Point> unclip(const QuadF& box, float unclip_ratio);

}  // namespace ppocr
