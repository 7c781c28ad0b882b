#pragma once
// Detector input sizing (PaddleOCR's DetResizeForTest, resize type 0).
#include <opencv2/core.hpp>

#include "ppocr/config.h"
#include "ppocr/types.h"

namespace ppocr {

struct DetInputSize {
  int height;
  int width;
};

// The size the detector sees an h x w image at: the fixed input shape when one is set,
// else scaled by the limit rule, capped so the
// long side is at most max_side_limit, then each side rounded to a multiple of 32
// (ties to even, like Python's round) and at least 32.
DetInputSize det_input_size(int height, int width, const TextDetOptions& options);

// Tiny images (h + w < 64) are zero-padded to at least 32 x 32 first, as PaddleOCR does.
cv::Mat pad_tiny_image(const cv::Mat& bgr);

// The detector's 1 x 3 x H x W input: the (padded) image resized to det_input_size, in BGR
// order with ImageNet statistics, as PaddleOCR feeds its detector.
Tensor det_input_tensor(const cv::Mat& bgr, const TextDetOptions& options);

}  // namespace ppocr
