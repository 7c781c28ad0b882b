#pragma once
// Document unwarping (UVDoc): flattens a curved or photographed page.
#include <memory>

#include <opencv2/core.hpp>

#include "ppocr/engine.h"

namespace ppocr {

struct UnwarpedPage {
  cv::Mat image;   // BGR, the size of the input page
  // For each output pixel, where it was sampled in the input page (CV_32F). Also what maps
  // boxes found on the flat page back onto the caller's image.
  cv::Mat map_x;
  cv::Mat map_y;
};

class DocUnwarper {
 public:
  explicit DocUnwarper(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}
  UnwarpedPage unwarp(const cv::Mat& page) const;

 private:
  std::shared_ptr<const Engine> engine_;
};

// Upsamples UVDoc's coarse grid (2 x gh x gw, normalised [-1, 1] sample positions) to a
// width x height pixel map, bilinearly with aligned corners as UVDoc's reference code does.
void grid_to_maps(const float* grid, int grid_h, int grid_w, int width, int height,
                  cv::Mat& map_x, cv::Mat& map_y);

}  // namespace ppocr
