#include "modules/text_det/db_postprocess.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "geometry/quad.h"
#include "geometry/unclip.h"
#include "ppocr/error.h"

namespace ppocr {
namespace {

constexpr float kMinSize = 3.0f;

int clamp_int(int v, int lo, int hi) { return std::max(lo, std::min(v, hi)); }

// The mask is drawn into `scratch`, which grows to the largest box seen and is reused: a page
// has up to max_candidates boxes, and one allocation per box was a measurable share of the
// scoring. Zeroing the used corner is all a reused buffer needs.
float box_score_fast(const cv::Mat& prob_map, const QuadF& box, cv::Mat& scratch) {
  if (prob_map.empty()) throw_invalid("probability map is empty");
  const int w = prob_map.cols;
  const int h = prob_map.rows;
  float min_x = box[0].x, max_x = box[0].x, min_y = box[0].y, max_y = box[0].y;
  for (const auto& p : box) {
    min_x = std::min(min_x, p.x);
    max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y);
    max_y = std::max(max_y, p.y);
  }
  const int xmin = clamp_int(static_cast<int>(std::floor(min_x)), 0, w - 1);
  const int xmax = clamp_int(static_cast<int>(std::ceil(max_x)), 0, w - 1);
  const int ymin = clamp_int(static_cast<int>(std::floor(min_y)), 0, h - 1);
  const int ymax = clamp_int(static_cast<int>(std::ceil(max_y)), 0, h - 1);
  const cv::Rect roi(xmin, ymin, xmax - xmin + 1, ymax - ymin + 1);

  if (scratch.rows < roi.height || scratch.cols < roi.width) {
    scratch.create(std::max(scratch.rows, roi.height), std::max(scratch.cols, roi.width), CV_8UC1);
  }
  cv::Mat mask = scratch(cv::Rect(0, 0, roi.width, roi.height));
  mask.setTo(0);
  std::array<cv::Point, 4> shifted;
  for (size_t k = 0; k < box.size(); ++k) {
    // Shift in float, then truncate, as numpy's astype(int32) does.
    shifted[k] = cv::Point(static_cast<int>(box[k].x - static_cast<float>(xmin)),
                           static_cast<int>(box[k].y - static_cast<float>(ymin)));
  }
  const cv::Point* polygon = shifted.data();
  const int corners = static_cast<int>(shifted.size());
  cv::fillPoly(mask, &polygon, &corners, 1, cv::Scalar(1));
  return static_cast<float>(cv::mean(prob_map(roi), mask)[0]);
}

// 255 where the probability is above thresh. The bitmap lives in a per-thread buffer reused
// from call to call: a fresh multi-megabyte allocation is mmapped (the Python module pins
// glibc's mmap threshold, see allocator_tuning.cc), and faulting its pages in cost as much as
// thresholding itself on the development VM. A thread keeps at most kMaxReusedBytes (a
// 4000 x 4000 map); larger maps get their own allocation. The result is only valid until the
// thread's next call.
cv::Mat threshold_map(const cv::Mat& prob_map, float thresh) {
  constexpr size_t kMaxReusedBytes = size_t{16} << 20;
  thread_local std::vector<uint8_t> buffer;
  cv::Mat bitmap;
  if (prob_map.total() <= kMaxReusedBytes) {
    if (buffer.size() < prob_map.total()) buffer.resize(prob_map.total());
    bitmap = cv::Mat(prob_map.rows, prob_map.cols, CV_8UC1, buffer.data());
  }
  cv::compare(prob_map, thresh, bitmap, cv::CMP_GT);  // fills the buffer (or allocates)
  return bitmap;
}

[[noreturn]] void throw_non_finite_map() {
  throw Error(ErrorCode::kRuntime,
              "the detection model produced NaN or infinite probabilities (a numerical "
              "overflow inside the network): run it at precision 'fp32', or clear the "
              "compiled-model cache (EngineOptions::cache_dir) if fp32 fails too");
}

}  // namespace

float box_score_fast(const cv::Mat& prob_map, const QuadF& box) {
  cv::Mat scratch;
  return box_score_fast(prob_map, box, scratch);
}

DetectedBoxes db_postprocess(const cv::Mat& prob_map, int dest_width, int dest_height,
                             const TextDetOptions& options) {
  if (prob_map.empty() || prob_map.type() != CV_32FC1) {
    throw_invalid("probability map must be a non-empty float32 2-D array");
  }
  if (options.max_candidates < 0) throw_invalid("max_candidates must be >= 0");
  // NaN compares false with the threshold: a whole map of NaN (an overflowed network) would
  // pass for a page without text, NaN inside a region would give a box a NaN score, and NaN
  // elsewhere would hide text. A sum is NaN or infinite as soon as one pixel is; it is one
  // vectorised pass (~0.3 ms for a 1,216 x 1,600 page against its ~400 ms of detection),
  // cheaper than a range check.
  if (!std::isfinite(cv::sum(prob_map)[0])) throw_non_finite_map();
  const cv::Mat bitmap = threshold_map(prob_map, options.thresh);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);

  const double width_scale = static_cast<double>(dest_width) / prob_map.cols;
  const double height_scale = static_cast<double>(dest_height) / prob_map.rows;
  const size_t candidates = std::min(contours.size(), static_cast<size_t>(options.max_candidates));

  DetectedBoxes out;
  cv::Mat score_mask;
  for (size_t i = 0; i < candidates; ++i) {
    const MiniBox kernel = min_area_box(contours[i]);
    if (kernel.short_side < kMinSize) continue;
    const float score = box_score_fast(prob_map, kernel.corners, score_mask);
    if (options.box_thresh > score) continue;

    const std::vector<cv::Point> grown = unclip(kernel.corners, options.unclip_ratio);
    if (grown.empty()) continue;
    const MiniBox region = min_area_box(grown);
    if (region.short_side < kMinSize + 2) continue;

    Quad quad;
    for (int k = 0; k < 4; ++k) {
      // round() on numpy float64 rounds half to even; so does nearbyint.
      const double x = std::nearbyint(static_cast<double>(region.corners[k].x) * width_scale);
      const double y = std::nearbyint(static_cast<double>(region.corners[k].y) * height_scale);
      quad[k] = cv::Point(static_cast<int>(std::clamp(x, 0.0, static_cast<double>(dest_width))),
                          static_cast<int>(std::clamp(y, 0.0, static_cast<double>(dest_height))));
    }
    out.quads.push_back(quad);
    out.scores.push_back(score);
  }
  return out;
}

}  // namespace ppocr
