#pragma once
// The recognition stage: text-line images -> strings.
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "modules/text_rec/ctc_decoder.h"
#include "ppocr/engine.h"

namespace ppocr {

class TextRecognizer {
 public:
  TextRecognizer(std::shared_ptr<const Engine> engine, std::vector<std::string> characters)
      : engine_(std::move(engine)), decoder_(std::move(characters)) {}

  // Recognises lines in batches of options.batch_size, batched in order of aspect ratio
  // (so a batch pads little) exactly as PaddleOCR batches them; results come back in the
  // order of `lines`.
  std::vector<DecodedText> recognize(const std::vector<cv::Mat>& lines,
                                     const TextRecOptions& options) const;

  // Rows of one batch given to the model at a time: as many as fit in kMaxColumnsPerCall
  // padded pixel columns, at least one. Why a cap: the recogniser's softmax alone is
  // rows x width/8 x 18,385 floats (168 MB for six lines of 3,200), held inside the model
  // while it runs (the engine hands out only the top class, EngineOptions::top1_classes);
  // batches of the minimum width (six lines of 320, most batches) stay whole.
  static constexpr int kMaxColumnsPerCall = 6 * 320;
  static size_t rows_per_call(int batch_width);

 private:
  std::shared_ptr<const Engine> engine_;
  CtcDecoder decoder_;
};

}  // namespace ppocr
