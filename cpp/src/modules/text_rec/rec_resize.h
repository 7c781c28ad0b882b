#pragma once
// Recogniser input sizing (PaddleOCR's OCRReisizeNormImg + ToBatch).
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/config.h"
#include "ppocr/types.h"

namespace ppocr {

// Width of the padded slot one line gets on its own: height x max(min_width/height, w/h),
// capped at max_image_width.
int rec_slot_width(const cv::Mat& line, const TextRecOptions& options);

// Width the line's pixels are resized to inside that slot: ceil(height * w / h), at most
// the slot width.
int rec_resized_width(const cv::Mat& line, const TextRecOptions& options);

// Resizes every line to the network height and packs them, zero-padded on the right, into
// one [N, 3, H, max slot width] tensor normalised to [-1, 1].
Tensor rec_batch_tensor(const std::vector<cv::Mat>& lines, const TextRecOptions& options);

}  // namespace ppocr
