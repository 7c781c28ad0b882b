#include "modules/text_det/text_detector.h"

#include "modules/text_det/det_resize.h"
#include "ppocr/error.h"

namespace ppocr {

cv::Mat probability_map(Tensor& output) {
  if (output.shape.size() != 4 || output.dim(0) != 1 || output.dim(1) != 1) {
    throw Error(ErrorCode::kRuntime, "text detection model must output [1, 1, H, W]");
  }
  return cv::Mat(static_cast<int>(output.dim(2)), static_cast<int>(output.dim(3)), CV_32FC1,
                 output.data.data());
}

DetectedBoxes TextDetector::detect(const cv::Mat& bgr, const TextDetOptions& options) const {
  Tensor output = engine_->infer(det_input_tensor(bgr, options));
  // Boxes go to the original image's size (not the padded one), as PaddleOCR scales them.
  return db_postprocess(probability_map(output), bgr.cols, bgr.rows, options);
}

}  // namespace ppocr
