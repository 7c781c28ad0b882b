#pragma once
// Packing images into model input tensors.
#include <array>

#include <opencv2/core.hpp>

#include "ppocr/types.h"

namespace ppocr {

// Per-channel affine normalisation: out = pixel * scale[c] + offset[c], channel c of the
// OUTPUT tensor. With swap_rb the BGR input is written as RGB.
struct Normalization {
  std::array<float, 3> scale;
  std::array<float, 3> offset;
  bool swap_rb = false;

  // (pixel / 255 - mean) / std, PaddleOCR's NormalizeImage.
  static Normalization mean_std(const std::array<float, 3>& mean, const std::array<float, 3>& std,
                                bool swap_rb);
  // ImageNet mean/std, applied to the channels in the order the model expects.
  static Normalization imagenet(bool swap_rb);
  // pixel / 255 * 2 - 1, the recogniser's normalisation.
  static Normalization symmetric();
  // pixel / 255.
  static Normalization unit();
};

// Allocates a zero-filled NCHW tensor.
Tensor make_nchw(int batch, int height, int width);

// Writes a BGR uint8 image into slot `index` of an NCHW tensor; the image may be narrower
// or shorter than the tensor (the rest stays as it was: zero padding).
void write_nchw(const cv::Mat& bgr, const Normalization& norm, Tensor& tensor, int index);

}  // namespace ppocr
