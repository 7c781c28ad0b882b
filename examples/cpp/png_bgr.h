#pragma once
// A PNG file decoded to packed BGR uint8 pixels: the input of OcrPipeline::run's buffer form.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

struct BgrImage {
  int width = 0;
  int height = 0;
  std::size_t stride = 0;  // bytes per row
  std::vector<std::uint8_t> pixels;
};

// Gray, palette and 16-bit images are converted to 8-bit BGR; transparent pixels are
// composited onto white. Throws std::runtime_error when the file is not a readable PNG.
BgrImage read_png_bgr(const std::string& path);
