#pragma once
// The text detection stage: image -> quads.
#include <memory>

#include <opencv2/core.hpp>

#include "modules/text_det/db_postprocess.h"
#include "ppocr/engine.h"

namespace ppocr {

class TextDetector {
 public:
  explicit TextDetector(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}
  DetectedBoxes detect(const cv::Mat& bgr, const TextDetOptions& options) const;

 private:
  std::shared_ptr<const Engine> engine_;
};

// The probability map the detector's output tensor [1, 1, H, W] holds, as a CV_32F view.
cv::Mat probability_map(Tensor& output);

}  // namespace ppocr
