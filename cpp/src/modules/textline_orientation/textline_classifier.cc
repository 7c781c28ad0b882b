#include "modules/textline_orientation/textline_classifier.h"

#include <opencv2/imgproc.hpp>

#include "modules/classification.h"

namespace ppocr {
namespace {
// The model's fixed input: 80 x 160, the line stretched to fill it (no aspect kept).
constexpr int kHeight = 80;
constexpr int kWidth = 160;
}  // namespace

std::vector<int> TextlineClassifier::classify(const std::vector<cv::Mat>& lines,
                                              int batch_size) const {
  return ppocr::classify(*engine_, lines, kHeight, kWidth, batch_size, [](const cv::Mat& line) {
    cv::Mat resized;
    cv::resize(line, resized, cv::Size(kWidth, kHeight));
    return resized;
  });
}

}  // namespace ppocr
