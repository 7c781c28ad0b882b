// package_api_test dict FILE
//     Prints the class list load_rec_characters builds, one hex-encoded entry a line (the
//     Python test compares it with ppocr_native.models on the same file).
// package_api_test buffer DOC_ORI DET REC DICT IMAGE.png
//     OcrPipeline::run on a raw buffer: same result as on a cv::Mat for a padded stride, a
//     result that does not point into the caller's buffer (the document orientation stage is on
//     and the sample needs no rotation: the preprocessed image is then the input itself), and
//     clear errors for bad buffers; grey and BGRA cv::Mats made BGR first.
// Exit code 0 and "OK" when every check holds; otherwise the failed check on stderr, exit 1.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>
#include <ppocr/dictionary.h>
#include <ppocr/error.h>
#include <ppocr/pipeline.h>

#include "png_bgr.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "FAILED: " << what << '\n';
    ++failures;
  }
}

int print_dictionary(const std::string& path) {
  for (const std::string& entry : ppocr::load_rec_characters(path)) {
    for (const unsigned char c : entry) std::printf("%02x", c);
    std::printf("\n");
  }
  return 0;
}

bool same_result(const ppocr::OcrResult& a, const ppocr::OcrResult& b) {
  return a.rec_texts == b.rec_texts && a.rec_scores == b.rec_scores &&
         a.rec_polys == b.rec_polys;
}

template <typename Call>
void expect_invalid(Call call, const std::string& what) {
  try {
    call();
    check(false, what + ": no exception");
  } catch (const ppocr::Error& e) {
    check(e.code() == ppocr::ErrorCode::kInvalidArgument, what + ": wrong error code");
    std::cout << what << " -> " << e.what() << '\n';
  }
}

int check_buffer_api(char** argv) {
  ppocr::PipelineConfig config;
  config.models.doc_orientation = argv[0];
  config.models.text_det = argv[1];
  config.models.text_rec = argv[2];
  config.models.text_rec_characters = ppocr::load_rec_characters(argv[3]);
  config.use_doc_orientation_classify = true;
  config.use_textline_orientation = false;
  config.engine.cpu_threads = 2;
  const ppocr::OcrPipeline pipeline(config);
  const BgrImage image = read_png_bgr(argv[4]);

  const cv::Mat mat(image.height, image.width, CV_8UC3,
                    const_cast<std::uint8_t*>(image.pixels.data()), image.stride);
  const ppocr::OcrResult on_mat = pipeline.run(mat);
  check(!on_mat.rec_texts.empty(), "texts found on the cv::Mat");

  // The same pixels with 13 bytes of padding after each row.
  const std::size_t row = static_cast<std::size_t>(image.width) * 3;
  const std::size_t stride = row + 13;
  std::vector<std::uint8_t> padded(stride * image.height, 0xAB);
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(&padded[y * stride], &image.pixels[y * image.stride], row);
  }
  ppocr::OcrResult on_buffer = pipeline.run(padded.data(), image.width, image.height, stride);
  check(same_result(on_mat, on_buffer), "buffer with padded stride gives the cv::Mat result");

  const cv::Mat& out = on_buffer.doc_preprocessor.output_img;
  const bool inside = out.datastart < padded.data() + padded.size() && out.dataend > padded.data();
  check(!inside, "result does not point into the caller's buffer");
  check(on_buffer.doc_preprocessor.angle == 0, "the sample needs no rotation");
  check(out.type() == CV_8UC3 && out.rows == image.height && out.cols == image.width &&
            cv::norm(out, mat, cv::NORM_INF) == 0,
        "preprocessed image equals the input");
  std::fill(padded.begin(), padded.end(), 0);  // the caller reuses its buffer
  check(cv::norm(out, mat, cv::NORM_INF) == 0, "result unchanged after the buffer is reused");

  // Grey and BGRA images are made BGR first, as the Python package reads them.
  cv::Mat bgra, grey, grey_bgr;
  cv::cvtColor(mat, bgra, cv::COLOR_BGR2BGRA);  // opaque: flattening changes nothing
  check(same_result(pipeline.run(bgra), on_mat), "opaque BGRA gives the BGR result");
  cv::cvtColor(mat, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(grey, grey_bgr, cv::COLOR_GRAY2BGR);
  check(same_result(pipeline.run(grey), pipeline.run(grey_bgr)), "grey gives its BGR copy's result");
  expect_invalid([&] { pipeline.run(cv::Mat(8, 8, CV_32FC3, cv::Scalar(0))); }, "float image");
  expect_invalid([&] { pipeline.run(cv::Mat()); }, "empty image");

  const std::uint8_t* data = padded.data();
  expect_invalid([&] { pipeline.run(nullptr, image.width, image.height, stride); }, "null buffer");
  expect_invalid([&] { pipeline.run(data, 0, image.height, stride); }, "zero width");
  expect_invalid([&] { pipeline.run(data, image.width, -1, stride); }, "negative height");
  expect_invalid([&] { pipeline.run(data, image.width, image.height, row - 1); }, "short stride");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    if (mode == "dict" && argc == 3) return print_dictionary(argv[2]);
    if (mode == "buffer" && argc == 7) check_buffer_api(argv + 2);
    else {
      std::cerr << "usage: package_api_test dict FILE | buffer DOC_ORI DET REC DICT IMAGE.png\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "FAILED: exception: " << e.what() << '\n';
    return 1;
  }
  if (failures) return 1;
  std::cout << "OK\n";
  return 0;
}
