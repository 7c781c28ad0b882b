#pragma once
// Text-line orientation (PP-LCNet_x1_0_textline_ori): is a cropped line upside down?
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/engine.h"

namespace ppocr {

class TextlineClassifier {
 public:
  explicit TextlineClassifier(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}

  // 0 = upright, 1 = rotated by 180 degrees, one per line.
  std::vector<int> classify(const std::vector<cv::Mat>& lines, int batch_size) const;

 private:
  std::shared_ptr<const Engine> engine_;
};

}  // namespace ppocr
