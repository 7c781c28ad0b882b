#include "image/alpha.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include <opencv2/imgproc.hpp>

#include "ppocr/error.h"

namespace ppocr {
namespace {

constexpr int kVisibleAlpha = 128;
constexpr int kLightGrey = 127;

using BlendTable = std::array<uint8_t, 256 * 256>;  // [alpha * 256 + value]

// Every (alpha, value) pair's result, so blending is one load per value. The float32 steps
// are those of the Python implementation this replaced (value * a + bg * (1 - a), + 0.5,
// truncated), which its tests pin pair by pair.
BlendTable make_blend_table(int background) {
  BlendTable table{};
  const float bg = static_cast<float>(background);
  for (int a = 0; a < 256; ++a) {
    const float opacity = static_cast<float>(a) / 255.0f;
    const float transparency = 1.0f - opacity;
    for (int v = 0; v < 256; ++v) {
      const float foreground = static_cast<float>(v) * opacity;
      const float behind = bg * transparency;
      const float blended = std::min(foreground + behind + 0.5f, 255.0f);
      table[static_cast<size_t>(a) * 256 + static_cast<size_t>(v)] = static_cast<uint8_t>(blended);
    }
  }
  return table;
}

const BlendTable& blend_table(int background) {
  static const BlendTable onto_black = make_blend_table(0);
  static const BlendTable onto_white = make_blend_table(255);
  return background == 0 ? onto_black : onto_white;
}

void require_bgra(const cv::Mat& bgra) {
  if (bgra.empty() || bgra.type() != CV_8UC4) {
    throw_invalid("expected a non-empty H x W x 4 (BGRA) uint8 image");
  }
}

}  // namespace

int contrasting_background(const cv::Mat& bgra) {
  require_bgra(bgra);
  cv::Mat alpha, visible, grey;
  cv::extractChannel(bgra, alpha, 3);
  cv::compare(alpha, kVisibleAlpha, visible, cv::CMP_GE);
  const double count = cv::countNonZero(visible);
  if (count == 0 || count == static_cast<double>(alpha.total())) return 255;
  cv::cvtColor(bgra, grey, cv::COLOR_BGRA2GRAY);
  cv::bitwise_and(grey, visible, grey);  // invisible pixels count as 0
  // Integer sums are exact in a double; comparing sum > 127 * count avoids a division whose
  // rounding could tip a page whose mean is exactly 127.
  return cv::sum(grey)[0] > kLightGrey * count ? 0 : 255;
}

cv::Mat flatten_alpha(const cv::Mat& bgra) {
  const BlendTable& table = blend_table(contrasting_background(bgra));
  cv::Mat bgr(bgra.rows, bgra.cols, CV_8UC3);
  for (int y = 0; y < bgra.rows; ++y) {
    const uint8_t* in = bgra.ptr<uint8_t>(y);
    uint8_t* out = bgr.ptr<uint8_t>(y);
    for (int x = 0; x < bgra.cols; ++x, in += 4, out += 3) {
      const uint8_t* row = table.data() + static_cast<size_t>(in[3]) * 256;
      out[0] = row[in[0]];
      out[1] = row[in[1]];
      out[2] = row[in[2]];
    }
  }
  return bgr;
}

}  // namespace ppocr
