#include "geometry/sort_boxes.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace ppocr {

std::vector<size_t> reading_order(const std::vector<Quad>& quads) {
  std::vector<size_t> order(quads.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const cv::Point& pa = quads[a][0];
    const cv::Point& pb = quads[b][0];
    return pa.y != pb.y ? pa.y < pb.y : pa.x < pb.x;
  });
  for (size_t i = 0; i + 1 < order.size(); ++i) {
    for (size_t j = i + 1; j-- > 0;) {
      const cv::Point& upper = quads[order[j]][0];
      const cv::Point& lower = quads[order[j + 1]][0];
      if (std::abs(lower.y - upper.y) < 10 && lower.x < upper.x) {
        std::swap(order[j], order[j + 1]);
      } else {
        break;
      }
    }
  }
  return order;
}

}  // namespace ppocr
