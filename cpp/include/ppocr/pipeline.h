#pragma once
// PaddleOCR 3.x's general OCR pipeline: document orientation -> unwarping -> DB text
// detection -> text-line orientation -> CTC recognition, each stage switchable.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "ppocr/config.h"
#include "ppocr/engine.h"
#include "ppocr/result.h"

namespace ppocr {

class OcrPipeline {
 public:
  // Loads every model named in config.models whose module can be used. Throws ppocr::Error.
  explicit OcrPipeline(PipelineConfig config);
  // The same, with every model loaded through `engine_factory` instead of OpenVINO.
  OcrPipeline(PipelineConfig config, const EngineFactory& engine_factory);
  ~OcrPipeline();
  OcrPipeline(OcrPipeline&&) noexcept;
  OcrPipeline& operator=(OcrPipeline&&) noexcept;

  // Runs on one uint8 image: BGR (CV_8UC3), or grey (CV_8UC1) and BGRA (CV_8UC4), made BGR
  // first (BGRA flattened onto white, or onto black when its visible content is light, as
  // the Python package does). Const and free of shared mutable state: safe to call from
  // several threads at once. With the default Schedule::kAuto a lone call gets every
  // thread and concurrent calls detect side by side on streams instead of queueing for all
  // threads (recognition and the classifiers always run on every thread, one call at a time,
  // so that results are identical whatever the schedule).
  OcrResult run(const cv::Mat& image, const RunOptions& options = {},
                Schedule schedule = Schedule::kAuto) const;
  // The same on a caller-owned packed BGR uint8 buffer: `height` rows of `width` pixels,
  // `stride` bytes from one row to the next (>= 3 * width). The buffer is only read during
  // the call; the result never points into it. Throws ppocr::Error on a null buffer or bad
  // sizes. (cpp/src/pipeline_buffer.cc)
  OcrResult run(const std::uint8_t* bgr, int width, int height, std::size_t stride,
                const RunOptions& options = {},
                Schedule schedule = Schedule::kAuto) const;
  // Runs many images, throughput_streams() at a time; results in input order. Throws the
  // error of the first image (in input order) that failed, after every image has finished.
  std::vector<OcrResult> run_batch(const std::vector<cv::Mat>& images,
                                   const RunOptions& options = {}) const;

  // How many images the throughput schedule runs side by side.
  int throughput_streams() const;

  const PipelineConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ppocr
