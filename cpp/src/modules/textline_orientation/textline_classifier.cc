#include "modules/textline_orientation/textline_classifier.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "image/tensor_ops.h"
#include "modules/classification.h"

namespace ppocr {
namespace {
// PP-LCNet textline models: fixed 80 x 160, the line stretched to fill it.
constexpr int kStretchedHeight = 80;
constexpr int kStretchedWidth = 160;
// PaddleOCR 2.x classifiers: height 48, width up to 192 (the rest zero padding).
constexpr int kPaddedHeight = 48;
constexpr int kPaddedWidth = 192;

cv::Mat aspect_padded(const cv::Mat& line) {
  // PaddleOCR 2.x: ceil(48 * (w / h)) in double, capped at 192.
  const double ratio = static_cast<double>(line.cols) / static_cast<double>(line.rows);
  const int width = static_cast<int>(
      std::min<double>(kPaddedWidth, std::ceil(kPaddedHeight * ratio)));
  cv::Mat resized;
  cv::resize(line, resized, cv::Size(std::max(1, width), kPaddedHeight));
  return resized;
}

// The line as the model reads it, before normalisation.
cv::Mat textline_input(const cv::Mat& line, TextlineInput input) {
  if (input == TextlineInput::kAspectPadded) return aspect_padded(line);
  cv::Mat resized;
  cv::resize(line, resized, cv::Size(kStretchedWidth, kStretchedHeight));
  return resized;
}
}  // namespace

std::vector<int> TextlineClassifier::classify(const std::vector<cv::Mat>& lines,
                                              int batch_size) const {
  // The tables are 3 x 256 floats: built once.
  static const Normalization kRgbImagenet = Normalization::imagenet(true);
  static const Normalization kSymmetric = Normalization::symmetric();
  const TextlineInput input = input_;
  const auto resize = [input](const cv::Mat& line) { return textline_input(line, input); };
  std::vector<int> angles;
  if (input_ == TextlineInput::kAspectPadded) {
    // PaddleOCR 2.x turns a line only when the classifier is sure (cls_thresh 0.9): its
    // 48 x 192 classifier is often unsure on short or slanted lines, and right-side-up
    // lines would otherwise be turned over.
    constexpr float kPaddleOcr2Threshold = 0.9f;
    for (const auto& c : ppocr::classify(*engine_, lines, kPaddedHeight, kPaddedWidth,
                                         batch_size, resize, kSymmetric)) {
      angles.push_back(c.label == 1 && c.score > kPaddleOcr2Threshold ? 1 : 0);
    }
    return angles;
  }
  for (const auto& c : ppocr::classify(*engine_, lines, kStretchedHeight, kStretchedWidth,
                                       batch_size, resize, kRgbImagenet)) {
    angles.push_back(c.label);
  }
  return angles;
}

}  // namespace ppocr
