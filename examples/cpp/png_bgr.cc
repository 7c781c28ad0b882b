#include "png_bgr.h"

#include <png.h>

#include <stdexcept>

BgrImage read_png_bgr(const std::string& path) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str())) {
    throw std::runtime_error(path + ": " + png.message);
  }
  png.format = PNG_FORMAT_BGR;
  BgrImage image;
  image.width = static_cast<int>(png.width);
  image.height = static_cast<int>(png.height);
  image.stride = PNG_IMAGE_ROW_STRIDE(png);
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  const png_color white{255, 255, 255};
  if (!png_image_finish_read(&png, &white, image.pixels.data(), 0, nullptr)) {
    const std::string message = png.message;
    png_image_free(&png);
    throw std::runtime_error(path + ": " + message);
  }
  return image;
}
