#include "modules/classification.h"

#include <algorithm>

#include "image/tensor_ops.h"
#include "ppocr/error.h"

namespace ppocr {

const Normalization& paddlex_classifier_normalization() {
  static const Normalization kRgbImagenet = Normalization::imagenet(true);
  return kRgbImagenet;
}

std::vector<Classification> classify(const Engine& engine, const std::vector<cv::Mat>& images,
                                     int height, int width, int batch_size,
                                     const ClassifierResize& resize, const Normalization& norm) {
  if (batch_size <= 0) throw_invalid("classifier batch size must be > 0");
  const size_t batch = static_cast<size_t>(batch_size);
  std::vector<Classification> labels(images.size());
  for (size_t start = 0; start < images.size(); start += batch) {
    const size_t end = std::min(images.size(), start + batch);
    Tensor input = make_nchw(static_cast<int>(end - start), height, width);
    for (size_t i = start; i < end; ++i) {
      write_nchw(resize(images[i]), norm, input, static_cast<int>(i - start));
    }
    const Tensor output = engine.infer(input);
    if (output.shape.size() != 2 || static_cast<size_t>(output.dim(0)) != end - start) {
      throw Error(ErrorCode::kRuntime, "classification model must output [N, classes]");
    }
    const int classes = static_cast<int>(output.dim(1));
    for (size_t i = start; i < end; ++i) {
      const float* row = output.data.data() + (i - start) * classes;
      const float* best = std::max_element(row, row + classes);
      labels[i] = {static_cast<int>(best - row), *best};
    }
  }
  return labels;
}

}  // namespace ppocr
