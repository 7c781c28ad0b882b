#include "image/tensor_ops.h"

#include "ppocr/error.h"

namespace ppocr {

Normalization Normalization::mean_std(const std::array<float, 3>& mean,
                                      const std::array<float, 3>& std, bool swap_rb) {
  Normalization n;
  for (int c = 0; c < 3; ++c) {
    // Same algebra (and so the same float rounding) as PaddleOCR: alpha = scale / std,
    // beta = -mean / std.
    n.scale[c] = static_cast<float>((1.0 / 255.0) / std[c]);
    n.offset[c] = static_cast<float>(-mean[c] / std[c]);
  }
  n.swap_rb = swap_rb;
  return n;
}

Normalization Normalization::imagenet(bool swap_rb) {
  return mean_std({0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}, swap_rb);
}

Normalization Normalization::symmetric() {
  return Normalization{{2.0f / 255.0f, 2.0f / 255.0f, 2.0f / 255.0f}, {-1.0f, -1.0f, -1.0f}, false};
}

Normalization Normalization::unit() {
  return Normalization{{1.0f / 255.0f, 1.0f / 255.0f, 1.0f / 255.0f}, {0.0f, 0.0f, 0.0f}, false};
}

Tensor make_nchw(int batch, int height, int width) {
  Tensor t;
  t.shape = {batch, 3, height, width};
  t.data.assign(t.element_count(), 0.0f);
  return t;
}

void write_nchw(const cv::Mat& bgr, const Normalization& norm, Tensor& tensor, int index) {
  if (bgr.type() != CV_8UC3) throw_invalid("expected a BGR uint8 image");
  const int height = static_cast<int>(tensor.dim(2));
  const int width = static_cast<int>(tensor.dim(3));
  if (bgr.rows > height || bgr.cols > width || index >= tensor.dim(0)) {
    throw Error(ErrorCode::kRuntime, "image does not fit its tensor slot");
  }
  const size_t plane = static_cast<size_t>(height) * width;
  float* base = tensor.data.data() + static_cast<size_t>(index) * 3 * plane;
  for (int c = 0; c < 3; ++c) {
    const int src_c = norm.swap_rb ? 2 - c : c;
    const float scale = norm.scale[c];
    const float offset = norm.offset[c];
    float* out_plane = base + c * plane;
    for (int y = 0; y < bgr.rows; ++y) {
      const uint8_t* row = bgr.ptr<uint8_t>(y);
      float* out = out_plane + static_cast<size_t>(y) * width;
      for (int x = 0; x < bgr.cols; ++x) {
        out[x] = static_cast<float>(row[x * 3 + src_c]) * scale + offset;
      }
    }
  }
}

}  // namespace ppocr
