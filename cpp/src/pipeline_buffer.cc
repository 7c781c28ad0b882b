// OcrPipeline::run on a raw BGR buffer: the entry point for callers without cv::Mat (C++
// applications with their own image type, other languages through a C shim).
#include <limits>
#include <string>

#include "ppocr/error.h"
#include "ppocr/pipeline.h"

namespace ppocr {

namespace {

void check_buffer(const std::uint8_t* bgr, int width, int height, std::size_t stride) {
  if (bgr == nullptr) throw_invalid("image buffer is null");
  if (width <= 0 || height <= 0) {
    throw_invalid("image size must be positive, got " + std::to_string(width) + "x" +
                  std::to_string(height));
  }
  const std::size_t row_bytes = static_cast<std::size_t>(width) * 3;
  if (stride < row_bytes) {
    throw_invalid("stride " + std::to_string(stride) + " is smaller than 3 * width = " +
                  std::to_string(row_bytes));
  }
  // cv::Mat keeps the stride in a size_t but indexes rows with int arithmetic in places.
  if (stride > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw_invalid("stride " + std::to_string(stride) + " is too large");
  }
}

// True when `image` shares memory with the caller's buffer [begin, end).
bool points_into(const cv::Mat& image, const std::uint8_t* begin, const std::uint8_t* end) {
  return !image.empty() && image.datastart < end && image.dataend > begin;
}

}  // namespace

OcrResult OcrPipeline::run(const std::uint8_t* bgr, int width, int height, std::size_t stride,
                           const RunOptions& options, Schedule schedule) const {
  check_buffer(bgr, width, height, stride);
  // A header over the caller's pixels, no copy. The const_cast is safe: run() takes the image
  // as const and only reads it.
  const cv::Mat image(height, width, CV_8UC3, const_cast<std::uint8_t*>(bgr), stride);
  OcrResult result = run(image, options, schedule);
  // With every preprocessing stage off, the preprocessed image is the input itself; the
  // result must stay valid after the caller frees its buffer.
  const std::uint8_t* end = bgr + stride * static_cast<std::size_t>(height - 1) +
                            static_cast<std::size_t>(width) * 3;
  cv::Mat& output = result.doc_preprocessor.output_img;
  if (points_into(output, bgr, end)) output = output.clone();
  return result;
}

}  // namespace ppocr
