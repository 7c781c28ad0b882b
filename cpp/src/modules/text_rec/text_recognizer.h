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

 private:
  std::shared_ptr<const Engine> engine_;
  CtcDecoder decoder_;
};

}  // namespace ppocr
