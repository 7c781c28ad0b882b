#pragma once
// Flattening transparent (BGRA) images for OCR.
#include <opencv2/core.hpp>

namespace ppocr {

// The grey level a BGRA image is flattened onto: 255 (white), or 0 (black) when the pixels
// that are visible (alpha >= 128) are light on average (mean grey > 127), so that white text
// on a transparent background does not vanish on white. PaddleOCR drops the alpha channel
// instead, and such text comes out as a black page. 255 when no pixel, or every pixel, is
// visible (nothing to contrast with).
int contrasting_background(const cv::Mat& bgra);

// BGRA -> BGR over contrasting_background(bgra): each value v with opacity a becomes
// v * a/255 + background * (1 - a/255), rounded half up, in float32 arithmetic.
cv::Mat flatten_alpha(const cv::Mat& bgra);

}  // namespace ppocr
