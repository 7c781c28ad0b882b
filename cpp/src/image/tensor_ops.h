#pragma once
// Packing images into model input tensors.
#include <array>
#include <cstddef>
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/types.h"

namespace ppocr {

// The normalisation of one uint8 pixel value into the float a model expects, per channel of
// the OUTPUT tensor. Stored as a 256-entry table per channel: a table reproduces any float
// formula exactly (the reference implementations' own order of operations, so the same
// rounding) and turns normalising into one load per value. With swap_rb the BGR input is
// written as RGB.
struct Normalization {
  using Table = std::array<float, 256>;
  std::array<Table, 3> tables;
  bool swap_rb = false;

  // (pixel / 255 - mean) / std, PaddleOCR's NormalizeImage.
  static Normalization mean_std(const std::array<double, 3>& mean,
                                const std::array<double, 3>& std, bool swap_rb);
  // ImageNet mean/std, applied to the channels in the order the model expects.
  static Normalization imagenet(bool swap_rb);
  // (pixel / 255 - 0.5) / 0.5, the recogniser's normalisation.
  static Normalization symmetric();
  // pixel / 255.
  static Normalization unit(bool swap_rb);
};

// Sizes `data` to n zeros. Large buffers are first advised to use transparent huge pages
// (Linux, where THP is in "madvise" mode): a fresh multi-megabyte buffer is mmapped, and
// faulting it in 4 KiB pages cost ~5 us per page on the development VM, 48 ms for a
// 2016 x 1504 detector input, far more than filling it. Contents and size are as with
// data.assign(n, 0.0f).
void assign_zeros(std::vector<float>& data, size_t n);

// Allocates a zero-filled NCHW tensor.
Tensor make_nchw(int batch, int height, int width);

// Writes a BGR uint8 image into slot `index` of an NCHW tensor; the image may be narrower
// or shorter than the tensor (the rest stays as it was: zero padding).
void write_nchw(const cv::Mat& bgr, const Normalization& norm, Tensor& tensor, int index);

}  // namespace ppocr
