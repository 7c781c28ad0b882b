#include "geometry/unclip.h"

#include <clipper.hpp>
#include <opencv2/imgproc.hpp>

namespace ppocr {

std::vector<cv::Point> unclip(const QuadF& box, float unclip_ratio) {
  const std::vector<cv::Point2f> contour(box.begin(), box.end());
  const double area = cv::contourArea(contour);
  const double length = cv::arcLength(contour, true);
  if (length <= 0.0) return {};
  const double distance = area * unclip_ratio / length;

  ClipperLib::Path path;
  for (const auto& p : box) {
    path.emplace_back(static_cast<ClipperLib::cInt>(p.x), static_cast<ClipperLib::cInt>(p.y));
  }
  ClipperLib::ClipperOffset offset;  // defaults match pyclipper: miter 2, arc tolerance 0.25
  offset.AddPath(path, ClipperLib::jtRound, ClipperLib::etClosedPolygon);
  ClipperLib::Paths grown;
  offset.Execute(grown, distance);

  // PaddleOCR turns the result into one numpy array: a single outline is used as is,
  // several outlines of equal length are stacked (their points pooled), and outlines of
  // different lengths fall back to the first one.
  std::vector<cv::Point> points;
  if (grown.empty()) return points;
  bool same_length = true;
  for (const auto& p : grown) same_length = same_length && p.size() == grown[0].size();
  const size_t used = same_length ? grown.size() : 1;
  for (size_t i = 0; i < used; ++i) {
    for (const auto& ip : grown[i]) {
      points.emplace_back(static_cast<int>(ip.X), static_cast<int>(ip.Y));
    }
  }
  return points;
}

}  // namespace ppocr
