#include "geometry/quad.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace ppocr {
namespace {

MiniBox order_rect(const cv::RotatedRect& rect) {
  std::array<cv::Point2f, 4> pts;
  rect.points(pts.data());
  // Python's sorted() is stable; so must ours be, or ties in x reorder corners.
  std::stable_sort(pts.begin(), pts.end(),
                   [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  const bool left_first_is_top = pts[1].y > pts[0].y;
  const bool right_first_is_top = pts[3].y > pts[2].y;
  MiniBox box;
  box.corners[0] = left_first_is_top ? pts[0] : pts[1];
  box.corners[3] = left_first_is_top ? pts[1] : pts[0];
  box.corners[1] = right_first_is_top ? pts[2] : pts[3];
  box.corners[2] = right_first_is_top ? pts[3] : pts[2];
  box.short_side = std::min(rect.size.width, rect.size.height);
  return box;
}

}  // namespace

MiniBox min_area_box(const std::vector<cv::Point>& points) {
  return order_rect(cv::minAreaRect(points));
}

MiniBox min_area_box(const std::vector<cv::Point2f>& points) {
  return order_rect(cv::minAreaRect(points));
}

std::array<int, 4> bounding_box(const Quad& quad) {
  std::array<int, 4> box{quad[0].x, quad[0].y, quad[0].x, quad[0].y};
  for (const auto& p : quad) {
    box[0] = std::min(box[0], p.x);
    box[1] = std::min(box[1], p.y);
    box[2] = std::max(box[2], p.x);
    box[3] = std::max(box[3], p.y);
  }
  return box;
}

}  // namespace ppocr
