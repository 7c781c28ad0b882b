#include "geometry/crop.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "geometry/quad.h"

namespace ppocr {
namespace {

// numpy's linalg.norm of a float32 difference: computed and rounded in float.
float edge_length(const cv::Point2f& a, const cv::Point2f& b) {
  const float dx = a.x - b.x;
  const float dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);
}

}  // namespace

cv::Mat crop_quad(const cv::Mat& image, const QuadF& c) {
  const int width = static_cast<int>(std::max(edge_length(c[0], c[1]), edge_length(c[2], c[3])));
  const int height = static_cast<int>(std::max(edge_length(c[0], c[3]), edge_length(c[1], c[2])));
  if (width <= 0 || height <= 0) return {};
  const cv::Point2f target[4] = {
      {0.0f, 0.0f},
      {static_cast<float>(width), 0.0f},
      {static_cast<float>(width), static_cast<float>(height)},
      {0.0f, static_cast<float>(height)}};
  const cv::Mat transform = cv::getPerspectiveTransform(c.data(), target);
  cv::Mat line;
  cv::warpPerspective(image, line, transform, cv::Size(width, height), cv::INTER_CUBIC,
                      cv::BORDER_REPLICATE);
  if (static_cast<double>(line.rows) / line.cols >= 1.5) {
    cv::rotate(line, line, cv::ROTATE_90_COUNTERCLOCKWISE);
  }
  return line;
}

cv::Mat crop_text_line(const cv::Mat& image, const Quad& quad) {
  const std::vector<cv::Point> points(quad.begin(), quad.end());
  return crop_quad(image, min_area_box(points).corners);
}

}  // namespace ppocr
