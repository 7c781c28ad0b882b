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

// The widest slot among `lines` (the padded width rec_batch_tensor gives them).
int rec_batch_width(const std::vector<cv::Mat>& lines, const TextRecOptions& options);

// As above, padded to `batch_width` (at least every line's slot width): part of a larger
// batch packed with that batch's width, so each line gets the same input it would get there.
Tensor rec_batch_tensor(const std::vector<cv::Mat>& lines, const TextRecOptions& options,
                        int batch_width);

}  // namespace ppocr
