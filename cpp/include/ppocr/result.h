#pragma once
// What one image yields: parallel vectors named like PaddleOCR's result fields.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/config.h"
#include "ppocr/types.h"

namespace ppocr {

struct DocPreprocessorResult {
  bool use_doc_orientation_classify = false;
  bool use_doc_unwarping = false;
  int angle = -1;          // 0, 90, 180 or 270 when classified; -1 when off
  cv::Mat output_img;      // BGR image the detector saw
};

// Where one image's time went, in seconds of wall time. `inference` is the wall time during
// which at least one model was running for this image (overlapping calls count once), so
// total - inference is what the pipeline spent around the models.
struct StageTimings {
  double doc_preprocessor = 0.0;
  double text_det = 0.0;
  double textline_orientation = 0.0;
  double text_rec = 0.0;
  double inference = 0.0;
  double total = 0.0;
};

struct OcrResult {
  bool use_doc_preprocessor = false;
  bool use_textline_orientation = false;
  DocPreprocessorResult doc_preprocessor;
  TextDetOptions text_det_params;  // effective parameters of this call
  float text_rec_score_thresh = 0.0f;

  std::vector<Quad> dt_polys;      // in the preprocessed image's frame
  std::vector<float> dt_scores;
  std::vector<int> textline_orientation_angles;  // 0/1 per box, -1 when off

  std::vector<std::string> rec_texts;
  std::vector<float> rec_scores;
  std::vector<Quad> rec_polys;     // in the preprocessed image's frame
  // rec_polys mapped back onto the caller's input image (undoing rotation and unwarping).
  std::vector<QuadF> rec_polys_on_input;
  StageTimings timings;
};

}  // namespace ppocr
