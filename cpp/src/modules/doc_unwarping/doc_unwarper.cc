#include "modules/doc_unwarping/doc_unwarper.h"

#include <opencv2/imgproc.hpp>

#include "image/tensor_ops.h"
#include "ppocr/error.h"

namespace ppocr {
namespace {
// UVDoc's fixed input size.
constexpr int kInputWidth = 488;
constexpr int kInputHeight = 712;

// Sample positions of an aligned-corners upsampling from n source cells to m targets.
cv::Mat aligned_positions(int source, int target, bool as_row) {
  cv::Mat pos(as_row ? 1 : target, as_row ? target : 1, CV_32FC1);
  const float step = target > 1 ? static_cast<float>(source - 1) / (target - 1) : 0.0f;
  for (int i = 0; i < target; ++i) pos.at<float>(i) = static_cast<float>(i) * step;
  return pos;
}
}  // namespace

void grid_to_maps(const float* grid, int grid_h, int grid_w, int width, int height,
                  cv::Mat& map_x, cv::Mat& map_y) {
  const cv::Mat gx(grid_h, grid_w, CV_32FC1, const_cast<float*>(grid));
  const cv::Mat gy(grid_h, grid_w, CV_32FC1, const_cast<float*>(grid) + grid_h * grid_w);
  // Where each output pixel falls on the coarse grid (aligned corners).
  cv::Mat src_x, src_y;
  cv::repeat(aligned_positions(grid_w, width, true), height, 1, src_x);
  cv::repeat(aligned_positions(grid_h, height, false), 1, width, src_y);
  cv::Mat norm_x, norm_y;
  cv::remap(gx, norm_x, src_x, src_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  cv::remap(gy, norm_y, src_x, src_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  // [-1, 1] -> pixels, aligned corners: -1 is the first pixel's centre, 1 the last one's.
  norm_x.convertTo(map_x, CV_32F, (width - 1) / 2.0, (width - 1) / 2.0);
  norm_y.convertTo(map_y, CV_32F, (height - 1) / 2.0, (height - 1) / 2.0);
}

UnwarpedPage DocUnwarper::unwarp(const cv::Mat& page) const {
  cv::Mat resized;
  cv::resize(page, resized, cv::Size(kInputWidth, kInputHeight));
  Tensor input = make_nchw(1, kInputHeight, kInputWidth);
  // UVDoc was trained on RGB in [0, 1].
  static const Normalization kRgbUnit = Normalization::unit(true);
  write_nchw(resized, kRgbUnit, input, 0);
  const Tensor grid = engine_->infer(input);
  if (grid.shape.size() != 4 || grid.dim(0) != 1 || grid.dim(1) != 2) {
    throw Error(ErrorCode::kRuntime, "unwarping model must output a [1, 2, gh, gw] grid");
  }
  UnwarpedPage out;
  grid_to_maps(grid.data.data(), static_cast<int>(grid.dim(2)), static_cast<int>(grid.dim(3)),
               page.cols, page.rows, out.map_x, out.map_y);
  // Out-of-page samples are black, as grid_sample's zero padding gives.
  cv::remap(page, out.image, out.map_x, out.map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT,
            cv::Scalar::all(0));
  return out;
}

}  // namespace ppocr
