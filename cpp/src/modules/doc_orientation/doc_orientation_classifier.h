#pragma once
// Document orientation (PP-LCNet_x1_0_doc_ori): is the page turned by 0/90/180/270?
#include <memory>

#include <opencv2/core.hpp>

#include "ppocr/engine.h"

namespace ppocr {

class DocOrientationClassifier {
 public:
  explicit DocOrientationClassifier(std::shared_ptr<const Engine> engine)
      : engine_(std::move(engine)) {}

  // How far the page's content is turned clockwise, in degrees: 0, 90, 180 or 270 (the
  // classifier's label, as PaddleOCR reports it).
  int classify(const cv::Mat& page) const;

 private:
  std::shared_ptr<const Engine> engine_;
};

// Turns the page upright given the classifier's angle (exact, lossless 90-degree turns).
cv::Mat rotate_upright(const cv::Mat& page, int angle);

// Short side to 256 (round half to even), then the centre 224 x 224.
cv::Mat doc_orientation_input(const cv::Mat& page);

}  // namespace ppocr
