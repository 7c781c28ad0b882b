#include "modules/text_rec/rec_resize.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "image/tensor_ops.h"
#include "ppocr/error.h"

namespace ppocr {

int rec_slot_width(const cv::Mat& line, const TextRecOptions& o) {
  const double min_ratio = static_cast<double>(o.min_image_width) / o.image_height;
  const double ratio = std::max(min_ratio, static_cast<double>(line.cols) / line.rows);
  return std::min(static_cast<int>(o.image_height * ratio), o.max_image_width);
}

int rec_resized_width(const cv::Mat& line, const TextRecOptions& o) {
  const int slot = rec_slot_width(line, o);
  const double ratio = static_cast<double>(line.cols) / line.rows;
  const double wanted = std::ceil(o.image_height * ratio);
  return wanted > slot ? slot : static_cast<int>(wanted);
}

int rec_batch_width(const std::vector<cv::Mat>& lines, const TextRecOptions& o) {
  if (lines.empty()) throw_invalid("no text lines to recognise");
  if (o.image_height <= 0 || o.min_image_width <= 0 || o.max_image_width <= 0) {
    throw_invalid("recognition image height and widths must be > 0");
  }
  if (o.width_step < 0) throw_invalid("recognition width_step must be >= 0");
  int batch_width = 0;
  for (const auto& line : lines) {
    if (line.empty()) throw_invalid("empty text-line image");
    batch_width = std::max(batch_width, rec_slot_width(line, o));
  }
  if (o.width_step > 0) {
    const int rounded = (batch_width + o.width_step - 1) / o.width_step * o.width_step;
    batch_width = std::min(rounded, std::max(batch_width, o.max_image_width));
  }
  return batch_width;
}

Tensor rec_batch_tensor(const std::vector<cv::Mat>& lines, const TextRecOptions& o) {
  return rec_batch_tensor(lines, o, rec_batch_width(lines, o));
}

Tensor rec_batch_tensor(const std::vector<cv::Mat>& lines, const TextRecOptions& o,
                        int batch_width) {
  if (batch_width < rec_batch_width(lines, o)) {
    throw_invalid("recognition batch width is narrower than one of its lines");
  }
  static const Normalization kNormalization = Normalization::symmetric();
  Tensor tensor = make_nchw(static_cast<int>(lines.size()), o.image_height, batch_width);
  cv::Mat resized;  // uint8, normalised on its way into the tensor
  for (size_t i = 0; i < lines.size(); ++i) {
    cv::resize(lines[i], resized, cv::Size(rec_resized_width(lines[i], o), o.image_height));
    write_nchw(resized, kNormalization, tensor, static_cast<int>(i));
  }
  return tensor;
}

}  // namespace ppocr
