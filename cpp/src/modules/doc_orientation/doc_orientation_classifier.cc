#include "modules/doc_orientation/doc_orientation_classifier.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "modules/classification.h"
#include "ppocr/error.h"

namespace ppocr {
namespace {
constexpr int kResizeShort = 256;
constexpr int kCrop = 224;
}  // namespace

cv::Mat doc_orientation_input(const cv::Mat& page) {
  const double scale = static_cast<double>(kResizeShort) / std::min(page.rows, page.cols);
  const int h = std::max(1, static_cast<int>(std::nearbyint(page.rows * scale)));
  const int w = std::max(1, static_cast<int>(std::nearbyint(page.cols * scale)));
  cv::Mat resized;
  cv::resize(page, resized, cv::Size(w, h));
  const int x0 = std::max(0, (w - kCrop) / 2);
  const int y0 = std::max(0, (h - kCrop) / 2);
  return resized(cv::Rect(x0, y0, std::min(kCrop, w - x0), std::min(kCrop, h - y0)));
}

int DocOrientationClassifier::classify(const cv::Mat& page) const {
  const auto labels = ppocr::classify(*engine_, {page}, kCrop, kCrop, 1, doc_orientation_input,
                                      paddlex_classifier_normalization());
  return labels.at(0).label * 90;
}

cv::Mat rotate_upright(const cv::Mat& page, int angle) {
  cv::Mat out;
  switch (angle) {
    case 0: return page;
    // The content is turned clockwise by `angle`; PaddleOCR undoes it with a
    // counter-clockwise rotation by `angle` (getRotationMatrix2D(+angle), cubic
    // resampling). Ours are exact, lossless 90-degree turns.
    case 90: cv::rotate(page, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
    case 180: cv::rotate(page, out, cv::ROTATE_180); return out;
    case 270: cv::rotate(page, out, cv::ROTATE_90_CLOCKWISE); return out;
    default: throw_invalid("orientation angle must be 0, 90, 180 or 270");
  }
}

}  // namespace ppocr
