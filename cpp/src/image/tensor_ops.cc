#include "image/tensor_ops.h"

#include <cstdint>

#include <opencv2/core/utility.hpp>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "ppocr/error.h"

namespace ppocr {
namespace {

// out = pixel * scale + offset, two float operations rounded one after the other as numpy
// evaluates `img.astype(float32) * alpha + beta`.
Normalization affine(const std::array<float, 3>& scale, const std::array<float, 3>& offset,
                     bool swap_rb) {
  Normalization n;
  n.swap_rb = swap_rb;
  for (int c = 0; c < 3; ++c) {
    for (int v = 0; v < 256; ++v) n.tables[c][v] = static_cast<float>(v) * scale[c] + offset[c];
  }
  return n;
}

// Below this many pixels a second thread costs more than it saves: a recognition batch's
// line (48 x a few hundred) already runs beside another batch; a detector input has 0.3-10 M.
constexpr int64_t kParallelPixels = int64_t{1} << 18;

}  // namespace

Normalization Normalization::mean_std(const std::array<double, 3>& mean,
                                      const std::array<double, 3>& std, bool swap_rb) {
  std::array<float, 3> scale{};
  std::array<float, 3> offset{};
  for (int c = 0; c < 3; ++c) {
    // Same algebra (and so the same float rounding) as PaddleOCR: alpha = scale / std and
    // beta = -mean / std in Python floats (double), applied to the float32 image as float32.
    scale[c] = static_cast<float>((1.0 / 255.0) / std[c]);
    offset[c] = static_cast<float>(-mean[c] / std[c]);
  }
  return affine(scale, offset, swap_rb);
}

Normalization Normalization::imagenet(bool swap_rb) {
  return mean_std({0.485, 0.456, 0.406}, {0.229, 0.224, 0.225}, swap_rb);
}

Normalization Normalization::symmetric() {
  // PaddleOCR's resize_norm_img: `/ 255`, `-= 0.5`, `/= 0.5` in float32, each step rounded.
  // (One multiply-add by 2/255 differs from it by an ulp on 111 of the 256 values.)
  Normalization n;
  for (auto& table : n.tables) {
    for (int v = 0; v < 256; ++v) table[v] = (static_cast<float>(v) / 255.0f - 0.5f) / 0.5f;
  }
  return n;
}

Normalization Normalization::unit(bool swap_rb) {
  return affine({1.0f / 255.0f, 1.0f / 255.0f, 1.0f / 255.0f}, {0.0f, 0.0f, 0.0f}, swap_rb);
}

void assign_zeros(std::vector<float>& data, size_t n) {
  data.clear();
  data.reserve(n);  // allocated, not yet touched: the advice below still applies
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHugePage = uintptr_t{2} << 20;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data.data());
  const uintptr_t end = begin + n * sizeof(float);
  const uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  const uintptr_t last = end & ~(kHugePage - 1);
  // Advice only: where it is refused (THP off, no huge pages free) the pages are small.
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#endif
  data.assign(n, 0.0f);
}

Tensor make_nchw(int batch, int height, int width) {
  Tensor t;
  t.shape = {batch, 3, height, width};
  assign_zeros(t.data, t.element_count());
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
  // Output channel c reads input channel src[c]; each table belongs to its output channel.
  const int src0 = norm.swap_rb ? 2 : 0;
  const int src2 = 2 - src0;
  const float* t0 = norm.tables[0].data();
  const float* t1 = norm.tables[1].data();
  const float* t2 = norm.tables[2].data();
  // One pass over the interleaved pixels writes all three planes: each source byte is read
  // once, and the three output streams are sequential.
  const auto write_rows = [&](const cv::Range& rows) {
    for (int y = rows.start; y < rows.end; ++y) {
      const uint8_t* px = bgr.ptr<uint8_t>(y);
      const size_t row = static_cast<size_t>(y) * width;
      float* out0 = base + row;
      float* out1 = out0 + plane;
      float* out2 = out1 + plane;
      for (int x = 0; x < bgr.cols; ++x, px += 3) {
        out0[x] = t0[px[src0]];
        out1[x] = t1[px[1]];
        out2[x] = t2[px[src2]];
      }
    }
  };
  // A detector input is written while the other core idles between models: split its rows.
  const cv::Range all_rows(0, bgr.rows);
  if (static_cast<int64_t>(bgr.rows) * bgr.cols >= kParallelPixels) {
    cv::parallel_for_(all_rows, write_rows);
  } else {
    write_rows(all_rows);
  }
}

}  // namespace ppocr
