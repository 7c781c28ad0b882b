#pragma once
// DB (Differentiable Binarization) post-processing: probability map -> text quads.
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/config.h"
#include "ppocr/types.h"

namespace ppocr {

struct DetectedBoxes {
  std::vector<Quad> quads;     // in the source image's pixels, clockwise from top-left
  std::vector<float> scores;   // mean probability inside each kernel box
};

// prob_map: CV_32F, the detector's output for one image. Boxes are scaled to
// dest_width x dest_height. Follows PaddleOCR's boxes_from_bitmap in "fast" score mode:
// binarise at thresh, contours, min-area box (short side >= 3), score >= box_thresh,
// unclip, min-area box again (short side >= 5), rescale with round-half-even and clip.
DetectedBoxes db_postprocess(const cv::Mat& prob_map, int dest_width, int dest_height,
                             const TextDetOptions& options);

// Mean of prob_map inside the polygon, over its clipped bounding rectangle.
float box_score_fast(const cv::Mat& prob_map, const QuadF& box);

}  // namespace ppocr
