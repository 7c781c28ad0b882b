#include "modules/text_det/det_resize.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "image/tensor_ops.h"
#include "ppocr/error.h"

namespace ppocr {
namespace {

double limit_ratio(int h, int w, const TextDetOptions& o) {
  const double limit = o.limit_side_len;
  switch (o.limit_type) {
    case LimitType::kMax:
      return std::max(h, w) > o.limit_side_len ? limit / (h > w ? h : w) : 1.0;
    case LimitType::kMin:
      return std::min(h, w) < o.limit_side_len ? limit / (h < w ? h : w) : 1.0;
    case LimitType::kResizeLong:
      return limit / std::max(h, w);
  }
  return 1.0;
}

// max(int(round(x / 32) * 32), 32) with Python's round-half-to-even; x is a whole number.
int round_to_32(double x) {
  const double multiples = std::nearbyint(x / 32.0);
  return std::max(static_cast<int>(multiples * 32), 32);
}

}  // namespace

DetInputSize det_input_size(int height, int width, const TextDetOptions& options) {
  if (height <= 0 || width <= 0) throw_invalid("image has no pixels");
  if (options.input_height > 0 && options.input_width > 0) {
    return {options.input_height, options.input_width};
  }
  if (options.limit_side_len <= 0) throw_invalid("text_det_limit_side_len must be > 0");
  if (options.max_side_limit <= 0) throw_invalid("max_side_limit must be > 0");
  const double ratio = limit_ratio(height, width, options);
  // int() of the scaled sides, kept in double until the cap: a huge limit_side_len would
  // overflow int here, while Python's ints just grow.
  double h = std::floor(height * ratio);
  double w = std::floor(width * ratio);
  if (std::max(h, w) > options.max_side_limit) {
    const double cap = static_cast<double>(options.max_side_limit) / std::max(h, w);
    h = std::floor(h * cap);
    w = std::floor(w * cap);
  }
  return {round_to_32(h), round_to_32(w)};
}

cv::Mat pad_tiny_image(const cv::Mat& bgr) {
  if (bgr.rows + bgr.cols >= 64) return bgr;
  cv::Mat padded(std::max(32, bgr.rows), std::max(32, bgr.cols), bgr.type(), cv::Scalar::all(0));
  bgr.copyTo(padded(cv::Rect(0, 0, bgr.cols, bgr.rows)));
  return padded;
}

Tensor det_input_tensor(const cv::Mat& bgr, const TextDetOptions& options) {
  static const Normalization kBgrImagenet = Normalization::imagenet(false);
  const cv::Mat padded = pad_tiny_image(bgr);
  const DetInputSize size = det_input_size(padded.rows, padded.cols, options);
  cv::Mat resized = padded;  // uint8, normalised on its way into the tensor
  if (size.height != padded.rows || size.width != padded.cols) {
    cv::resize(padded, resized, cv::Size(size.width, size.height));
  }
  Tensor input = make_nchw(1, size.height, size.width);
  write_nchw(resized, kBgrImagenet, input, 0);
  return input;
}

}  // namespace ppocr
