#include "modules/textline_orientation/textline_classifier.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

#include "image/tensor_ops.h"
#include "modules/classification.h"

namespace ppocr {
namespace {

// What one model family reads and when it turns a line.
struct TextlineFormat {
  int height;
  int width;
  const Normalization& norm;
  float min_score;  // the 180-degree class must score above this to turn the line
};

// PP-LCNet textline models: fixed 80 x 160, the line stretched to fill it; arg-max decides.
const TextlineFormat& stretched_format() {
  static const TextlineFormat kFormat{80, 160, paddlex_classifier_normalization(),
                                      std::numeric_limits<float>::lowest()};
  return kFormat;
}

// PaddleOCR 2.x classifiers: height 48, width up to 192 (the rest zero padding), [-1, 1].
// A line is turned only when the classifier is sure (cls_thresh 0.9): its 48 x 192 model is
// often unsure on short or slanted lines, which would otherwise be turned over.
const TextlineFormat& aspect_padded_format() {
  static const Normalization kSymmetric = Normalization::symmetric();
  static const TextlineFormat kFormat{48, 192, kSymmetric, 0.9f};
  return kFormat;
}

// The line as the model reads it, before normalisation.
cv::Mat textline_input(const cv::Mat& line, TextlineInput input, const TextlineFormat& format) {
  int width = format.width;
  if (input == TextlineInput::kAspectPadded) {
    // PaddleOCR 2.x: ceil(48 * (w / h)) in double, capped at 192.
    const double ratio = static_cast<double>(line.cols) / static_cast<double>(line.rows);
    width = std::max(1, static_cast<int>(std::min<double>(
                            format.width, std::ceil(format.height * ratio))));
  }
  cv::Mat resized;
  cv::resize(line, resized, cv::Size(width, format.height));
  return resized;
}

}  // namespace

std::vector<int> TextlineClassifier::classify(const std::vector<cv::Mat>& lines,
                                              int batch_size) const {
  const TextlineInput input = input_;
  const TextlineFormat& format =
      input == TextlineInput::kAspectPadded ? aspect_padded_format() : stretched_format();
  const auto resize = [input, &format](const cv::Mat& line) {
    return textline_input(line, input, format);
  };
  std::vector<int> angles;
  for (const auto& c : ppocr::classify(*engine_, lines, format.height, format.width, batch_size,
                                       resize, format.norm)) {
    angles.push_back(c.label == 1 && c.score > format.min_score ? 1 : 0);
  }
  return angles;
}

}  // namespace ppocr
