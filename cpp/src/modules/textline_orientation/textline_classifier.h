#pragma once
// Text-line orientation (PP-LCNet_x1_0_textline_ori and relatives; PaddleOCR 2.x's
// ch_ppocr_mobile_v2.0_cls): is a cropped line upside down?
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/config.h"
#include "ppocr/engine.h"

namespace ppocr {

class TextlineClassifier {
 public:
  TextlineClassifier(std::shared_ptr<const Engine> engine, TextlineInput input)
      : engine_(std::move(engine)), input_(input) {}

  // 0 = upright, 1 = rotated by 180 degrees, one per line.
  std::vector<int> classify(const std::vector<cv::Mat>& lines, int batch_size) const;

 private:
  std::shared_ptr<const Engine> engine_;
  TextlineInput input_;
};

}  // namespace ppocr
