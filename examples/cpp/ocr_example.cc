// Reads the text of a PNG with the detection and recognition models (README "C++ library").
#include <iostream>

#include <ppocr/dictionary.h>
#include <ppocr/pipeline.h>

#include "png_bgr.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: ocr_example DET.onnx REC.onnx DICT.txt IMAGE.png\n";
    return 2;
  }
  ppocr::PipelineConfig config;
  config.models.text_det = argv[1];
  config.models.text_rec = argv[2];
  config.models.text_rec_characters = ppocr::load_rec_characters(argv[3]);
  config.use_doc_orientation_classify = false;  // no model given for these stages
  config.use_textline_orientation = false;
  const ppocr::OcrPipeline pipeline(config);

  const BgrImage image = read_png_bgr(argv[4]);
  const ppocr::OcrResult result =
      pipeline.run(image.pixels.data(), image.width, image.height, image.stride);
  for (size_t i = 0; i < result.rec_texts.size(); ++i) {
    std::cout << result.rec_scores[i] << '\t' << result.rec_texts[i] << '\n';
  }
}
