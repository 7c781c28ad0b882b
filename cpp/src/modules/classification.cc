#include "modules/classification.h"

#include <algorithm>

#include "image/tensor_ops.h"
#include "ppocr/error.h"

namespace ppocr {

std::vector<int> classify(const Engine& engine, const std::vector<cv::Mat>& images, int height,
                          int width, int batch_size, const ClassifierResize& resize) {
  if (batch_size <= 0) throw_invalid("classifier batch size must be > 0");
  std::vector<int> labels;
  labels.reserve(images.size());
  for (size_t start = 0; start < images.size(); start += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(images.size(), start + static_cast<size_t>(batch_size));
    Tensor input = make_nchw(static_cast<int>(end - start), height, width);
    for (size_t i = start; i < end; ++i) {
      write_nchw(resize(images[i]), Normalization::imagenet(true), input, static_cast<int>(i - start));
    }
    const Tensor output = engine.infer(input);
    if (output.shape.size() != 2 || static_cast<size_t>(output.dim(0)) != end - start) {
      throw Error(ErrorCode::kRuntime, "classification model must output [N, classes]");
    }
    const int classes = static_cast<int>(output.dim(1));
    for (size_t i = 0; i < end - start; ++i) {
      const float* row = output.data.data() + i * classes;
      labels.push_back(static_cast<int>(std::max_element(row, row + classes) - row));
    }
  }
  return labels;
}

}  // namespace ppocr
