#pragma once
// Cutting text lines out of a page.
#include <opencv2/core.hpp>

#include "ppocr/types.h"

namespace ppocr {

// Perspective-warps the quad to an upright image of its own width x height (cubic,
// replicated border), as PaddleOCR's get_rotate_crop_image; turned 90 degrees
// counter-clockwise when it is at least 1.5 times taller than wide (vertical text).
// Returns an empty Mat when the quad is degenerate (zero width or height).
cv::Mat crop_quad(const cv::Mat& image, const QuadF& corners);

// PaddleOCR's quad crop: the min-area rectangle of the integer quad, then crop_quad.
cv::Mat crop_text_line(const cv::Mat& image, const Quad& quad);

}  // namespace ppocr
