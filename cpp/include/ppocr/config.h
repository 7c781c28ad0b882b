#pragma once
// Every knob of the pipeline, as plain value types. Field names follow PaddleOCR 3.x's
// keyword arguments (text_det_thresh -> TextDetOptions::thresh, ...) so the Python config
// can be copied in by name.
#include <optional>
#include <string>
#include <vector>

namespace ppocr {

enum class LimitType { kMin, kMax, kResizeLong };

struct TextDetOptions {
  int limit_side_len = 64;        // PaddleX 3.7's OCR.yaml pipeline value
  LimitType limit_type = LimitType::kMin;
  int max_side_limit = 4000;
  float thresh = 0.3f;            // pixel threshold on the probability map
  float box_thresh = 0.6f;        // mean probability inside a box to keep it
  float unclip_ratio = 1.5f;      // how far boxes are grown (area * ratio / perimeter)
  int max_candidates = 1000;
  // text_det_input_shape: when both are > 0 every page is resized to exactly this size and
  // the limit rule is ignored (PaddleX's fixed-shape resize). 0 = unset.
  int input_height = 0;
  int input_width = 0;
};

struct TextRecOptions {
  int batch_size = 6;
  float score_thresh = 0.0f;
  int image_height = 48;          // network input height
  int min_image_width = 320;      // a batch is never narrower than this
  int max_image_width = 3200;     // wider lines are squeezed to this
  // 0: a batch is exactly as wide as its widest line's slot (PaddleOCR's padding, outputs
  // identical to it). N > 0: batch widths rounded up to a multiple of N, so fewer distinct
  // input shapes reach the model (the int8 preset: its kernels are costly to prepare per
  // shape); the extra columns are padding, which changes scores slightly.
  int width_step = 0;
};

enum class Precision { kFp32, kBf16, kFp16 };

// How a call wants the CPU: kLatency gives each model call every thread (one image as soon as
// possible); kThroughput runs each model call on one "stream" of fewer threads so that
// several calls in flight (several images at once) keep every core busy; kAuto is latency
// while the call is the pipeline's only one and throughput when other calls are running
// (a service's concurrent requests, a caller's own threads). Outputs are identical either way.
enum class Schedule { kLatency, kThroughput, kAuto };

struct EngineOptions {
  std::string device = "CPU";
  int cpu_threads = 8;
  // Streams of the throughput schedule (each gets cpu_threads / streams threads); 0 = one
  // stream per thread. Compiled on first use, so latency-only callers never pay for it.
  // 1: no throughput compilation at all; every call runs on the latency one (one at a time,
  // with every thread), so the outputs cannot depend on the schedule (see OcrPipeline).
  int throughput_streams = 0;
  // Where OpenVINO keeps compiled models between processes (empty: no cache). Turns the
  // seconds of compilation at start-up into a file read.
  std::string cache_dir;
  Precision precision = Precision::kFp32;
  // OpenVINO's CPU plugin is always oneDNN ("MKL-DNN"); this flag is recorded so callers
  // can see it, and it only decides whether the plugin may use its own optimised kernels
  // for low precision. See README "enable_mkldnn".
  bool enable_mkldnn = true;
  // Entries of the CPU plugin's per-shape cache of prepared kernels (-1: OpenVINO's own
  // default, 5,000). Every new input shape adds entries, and with them memory that
  // release_memory() does not return. Why 300: over 86 pages of distinct sizes (the shared
  // images rescaled; benchmarks/bench_kernel_cache.py) OpenVINO's 5,000 peaked at 1,579 MB
  // and idled at 1,042 MB, 300 at 1,086 / 497 MB, at the same speed. 300 entries hold about
  // three detector input sizes: a run cycling through more sizes is faster with more (the
  // 43 shared images after a warm-up: 17.1 s with 300, 14.5 s with 5,000). 0 keeps none.
  int runtime_cache_capacity = 300;
  // > 0: the model is a recogniser whose output must have this many classes (the
  // dictionary's entries). An engine may then replace a final softmax over the classes
  // ([N, T, C], C > 2) by its maximum and arg-max, output [N, T, 2] = (probability, class
  // index as float): greedy CTC needs nothing else, and the full output (C = 18,385 for the
  // multilingual recognisers) no longer has to be copied out and scanned. The pipeline sets
  // it for the text_rec engine; the OpenVINO engine honours it (and refuses a model whose
  // class count differs, at load time).
  int top1_classes = 0;
};

struct ModelFiles {
  std::string doc_orientation;   // .onnx or .xml; empty = module unavailable
  std::string doc_unwarping;
  std::string text_det;
  std::string textline_orientation;
  std::string text_rec;
  // Full class list of the recogniser: index 0 is the CTC blank.
  std::vector<std::string> text_rec_characters;
};

// How a cropped line is fed to the text-line orientation model; the two model families
// were trained on different inputs. The Python package picks it from the model's name or
// its declared input; C++ users set it for a PaddleOCR 2.x classifier.
enum class TextlineInput {
  // PaddleX's PP-LCNet *_textline_ori: stretched to 160 x 80, ImageNet mean/std on RGB.
  kStretched,
  // PaddleOCR 2.x's ch_ppocr_mobile_v2.0_cls (PaddleOCR 2.x's ClsResizeImg): resized to
  // height 48 keeping the aspect ratio (width at most 192), zero-padded on the right,
  // (pixel / 255 - 0.5) / 0.5 on BGR; a line is turned only when the 180-degree class
  // scores above 0.9 (PaddleOCR 2.x's cls_thresh).
  kAspectPadded,
};

struct PipelineConfig {
  ModelFiles models;
  EngineOptions engine;
  bool use_doc_orientation_classify = true;
  bool use_doc_unwarping = false;
  bool use_textline_orientation = true;
  int textline_orientation_batch_size = 6;
  TextlineInput textline_orientation_input = TextlineInput::kStretched;
  TextDetOptions text_det;
  TextRecOptions text_rec;
  // When the engines hand their working buffers back (OpenVINO keeps each infer request's,
  // sized for the largest input so far): once the pipeline has had no call for this many
  // milliseconds. Calls in between find them ready: re-allocating a large page's hundreds
  // of MB costs page faults on every call (~10 % of a back-to-back run's time).
  // 0 = after every call, and the detector's before recognition starts: a call then peaks
  // at the larger of its two stages instead of their sum, at that cost in speed.
  // A busy pipeline (> 0) also releases them once 16 calls in a row needed at most half of
  // what they are sized for, so one outsized page does not pin its memory under load.
  int idle_release_ms = 1000;
};

// Per-call overrides: unset fields fall back to the pipeline's configuration. Passed by
// value, so one call's overrides can never leak into the next.
struct RunOptions {
  std::optional<bool> use_doc_orientation_classify;
  std::optional<bool> use_doc_unwarping;
  std::optional<bool> use_textline_orientation;
  std::optional<int> text_det_limit_side_len;
  std::optional<LimitType> text_det_limit_type;
  std::optional<float> text_det_thresh;
  std::optional<float> text_det_box_thresh;
  std::optional<float> text_det_unclip_ratio;
  std::optional<float> text_rec_score_thresh;
};

LimitType parse_limit_type(const std::string& name);
const char* to_string(LimitType type);
Precision parse_precision(const std::string& name);

}  // namespace ppocr
