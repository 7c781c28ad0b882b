#include "ppocr/pipeline.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <optional>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <opencv2/imgproc.hpp>

#include "engine/call_context.h"
#include "engine/memory_reclaimer.h"
#include "engine/oversized_buffers.h"
#include "geometry/crop.h"
#include "geometry/sort_boxes.h"
#include "image/alpha.h"
#include "modules/doc_orientation/doc_orientation_classifier.h"
#include "modules/doc_unwarping/doc_unwarper.h"
#include "modules/text_det/text_detector.h"
#include "modules/text_rec/text_recognizer.h"
#include "modules/textline_orientation/textline_classifier.h"
#include "ppocr/error.h"

namespace ppocr {

LimitType parse_limit_type(const std::string& name) {
  if (name == "min") return LimitType::kMin;
  if (name == "max") return LimitType::kMax;
  if (name == "resize_long") return LimitType::kResizeLong;
  throw_invalid("text_det_limit_type must be 'min', 'max' or 'resize_long', got '" + name + "'");
}

const char* to_string(LimitType type) {
  switch (type) {
    case LimitType::kMin: return "min";
    case LimitType::kMax: return "max";
    case LimitType::kResizeLong: return "resize_long";
  }
  return "min";
}

Precision parse_precision(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  if (lower == "fp32") return Precision::kFp32;
  if (lower == "bf16") return Precision::kBf16;
  if (lower == "fp16") return Precision::kFp16;
  throw_invalid("precision must be 'fp32', 'fp16' or 'bf16', got '" + name + "'");
}

namespace {

// What a page went through before detection, so boxes can be mapped back onto it.
struct PageTransform {
  int angle = -1;           // rotation applied to make the page upright (-1: none)
  cv::Size input_size;      // the caller's image
  cv::Mat map_x, map_y;     // unwarping sample positions in the rotated page (empty: none)
};

// Bilinear lookup of a CV_32F map at a continuous position, clamped to the map.
float sample(const cv::Mat& map, float x, float y) {
  x = std::clamp(x, 0.0f, static_cast<float>(map.cols - 1));
  y = std::clamp(y, 0.0f, static_cast<float>(map.rows - 1));
  cv::Mat out;
  cv::getRectSubPix(map, cv::Size(1, 1), cv::Point2f(x, y), out);
  return out.at<float>(0, 0);
}

cv::Point2f to_input_frame(const PageTransform& t, cv::Point2f p) {
  if (!t.map_x.empty()) p = {sample(t.map_x, p.x, p.y), sample(t.map_y, p.x, p.y)};
  const float w = static_cast<float>(t.input_size.width);
  const float h = static_cast<float>(t.input_size.height);
  switch (t.angle) {
    case 90: return {w - p.y, p.x};   // we turned the page counter-clockwise by 90
    case 180: return {w - p.x, h - p.y};
    case 270: return {p.y, h - p.x};  // we turned the page clockwise by 90
    default: return p;
  }
}

void validate_options(const TextDetOptions& det, const TextRecOptions& rec) {
  if (det.limit_side_len <= 0) throw_invalid("text_det_limit_side_len must be > 0");
  if (!(det.thresh > 0.0f)) throw_invalid("text_det_thresh must be > 0");
  if (!(det.box_thresh > 0.0f)) throw_invalid("text_det_box_thresh must be > 0");
  if (!(det.unclip_ratio > 0.0f)) throw_invalid("text_det_unclip_ratio must be > 0");
  if (!(rec.score_thresh >= 0.0f)) throw_invalid("text_rec_score_thresh must be >= 0");
  if (rec.batch_size <= 0) throw_invalid("text_recognition_batch_size must be > 0");
}

// Seconds since `start`, for the per-stage timings.
class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - start_).count();
    start_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::shared_ptr<const Engine> load_engine(const char* stage, const std::string& path,
                                          const EngineFactory& factory,
                                          const EngineOptions& options) {
  auto engine = factory(stage, path, options);
  if (!engine) {
    throw Error(ErrorCode::kRuntime,
                std::string("the engine factory returned no engine for the ") + stage +
                    " model " + path);
  }
  return engine;
}

// The stage's module on its engine (`module_args` after the engine), or none without a model.
template <typename T, typename... ModuleArgs>
std::shared_ptr<const T> load_if(const char* stage, const std::string& path,
                                 const EngineFactory& factory, const EngineOptions& options,
                                 std::vector<std::shared_ptr<const Engine>>& engines,
                                 const ModuleArgs&... module_args) {
  if (path.empty()) return nullptr;
  engines.push_back(load_engine(stage, path, factory, options));
  return std::make_shared<T>(engines.back(), module_args...);
}

}  // namespace

struct OcrPipeline::Impl {
  PipelineConfig config;
  std::shared_ptr<const DocOrientationClassifier> doc_orientation;
  std::shared_ptr<const DocUnwarper> doc_unwarper;
  std::shared_ptr<const TextDetector> text_detector;
  std::shared_ptr<const TextlineClassifier> textline_classifier;
  std::shared_ptr<const TextRecognizer> text_recognizer;
  std::vector<std::shared_ptr<const Engine>> engines;  // every loaded model
  std::shared_ptr<const Engine> text_det_engine;
  // Decides Schedule::kAuto, and whether a call may hand the engines' memory back (only
  // when it runs alone: a sibling call would have to allocate it again at once).
  mutable std::atomic<int> calls_running{0};
  mutable std::atomic<uint64_t> calls_started{0};  // tells a delayed release a call came
  mutable OversizedBuffers oversized;  // releases under continuous load, past an outsized page

  // Declared last so it stops first: its jobs use the members above.
  mutable MemoryReclaimer reclaimer;

  OcrResult run(const cv::Mat& bgr, const RunOptions& o) const;
  void release_memory_if_alone(int64_t page_pixels) const;
};

// Once the pipeline has gone idle: glibc keeps the free pages of its heaps mapped (one heap
// per thread that allocated: ours, OpenVINO's workers), so the pages a busy period touched
// stay in RSS after their memory is freed. malloc_trim hands the wholly free ones back.
// Only on the idle path: a busy pipeline would fault them in again on its next call.
// Measured over 86 pages of distinct sizes: idle RSS 627 -> 601 MB (kernel cache 0: 515 ->
// 458 MB); the call itself takes a few milliseconds on the reclaimer's thread.
namespace {
void return_free_heap_pages() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}
}  // namespace

void OcrPipeline::Impl::release_memory_if_alone(int64_t page_pixels) const {
  const bool outgrown = config.idle_release_ms > 0 && oversized.note_call(page_pixels);
  if (calls_running.load() != 1) return;
  // An engine leaves its memory alone while an inference runs on it (Engine::release_memory),
  // so a call starting meanwhile is never disturbed; it only finds the buffers gone.
  const auto release_all = [this] {
    for (const auto& engine : engines) engine->release_memory();
  };
  if (config.idle_release_ms == 0) {
    reclaimer.post(release_all);
    return;
  }
  // Beyond the per-call case: the buffers and the heap pages they leave free, and the size
  // record starts again from the calls that follow.
  const auto release_and_trim = [this, release_all] {
    release_all();
    return_free_heap_pages();
    oversized.released();
  };
  if (outgrown) {  // busy, but the buffers are sized for a page long gone
    oversized.released();  // now, so the calls before the job runs do not post it again
    reclaimer.post(release_and_trim);
    return;
  }
  const uint64_t calls_so_far = calls_started.load();
  reclaimer.post_after(std::chrono::milliseconds(config.idle_release_ms),
                       [this, calls_so_far, release_and_trim] {
                         if (calls_started.load() != calls_so_far) return;  // a call came
                         release_and_trim();
                       });
}

EngineFactory openvino_engine_factory() {
  return [](const std::string&, const std::string& model_path, const EngineOptions& options) {
    return make_openvino_engine(model_path, options);
  };
}

OcrPipeline::OcrPipeline(PipelineConfig config)
    : OcrPipeline(std::move(config), openvino_engine_factory()) {}

OcrPipeline::OcrPipeline(PipelineConfig config, const EngineFactory& engine_factory)
    : impl_(std::make_unique<Impl>()) {
  if (!engine_factory) throw_invalid("engine_factory is empty");
  validate_options(config.text_det, config.text_rec);
  if (config.textline_orientation_batch_size <= 0) {
    throw_invalid("textline_orientation_batch_size must be > 0");
  }
  if (config.idle_release_ms < 0) throw_invalid("idle_release_ms must be >= 0");
  const auto& m = config.models;
  if (m.text_det.empty()) throw Error(ErrorCode::kNotFound, "no text detection model given");
  if (m.text_rec.empty()) throw Error(ErrorCode::kNotFound, "no text recognition model given");
  const auto& f = engine_factory;
  const auto& e = config.engine;
  auto& engines = impl_->engines;
  // The recogniser and the classifiers reduce over a whole line or page, and the CPU plugin's
  // one-thread streams round those sums differently from its every-thread compilation (last
  // bits of a score, measured on single-line images). One compilation for every schedule
  // keeps results identical whether a call runs alone or beside others, and keeps one set of
  // recogniser buffers instead of three (~210 MB of peak). The detector's per-pixel
  // convolutions give the same maps either way, so it keeps its streams for concurrent calls.
  EngineOptions one_compilation = e;
  one_compilation.throughput_streams = 1;
  impl_->doc_orientation =
      load_if<DocOrientationClassifier>("doc_orientation", m.doc_orientation, f, one_compilation,
                                        engines);
  impl_->doc_unwarper = load_if<DocUnwarper>("doc_unwarping", m.doc_unwarping, f, e, engines);
  impl_->text_detector = load_if<TextDetector>("text_det", m.text_det, f, e, engines);
  impl_->text_det_engine = engines.back();
  impl_->textline_classifier =
      load_if<TextlineClassifier>("textline_orientation", m.textline_orientation, f,
                                  one_compilation, engines,
                                  config.textline_orientation_input);
  EngineOptions recogniser = one_compilation;
  recogniser.top1_classes = static_cast<int>(m.text_rec_characters.size());  // greedy CTC
  engines.push_back(load_engine("text_rec", m.text_rec, f, recogniser));
  impl_->text_recognizer = std::make_shared<TextRecognizer>(engines.back(), m.text_rec_characters);
  impl_->config = std::move(config);
}

OcrPipeline::~OcrPipeline() = default;
OcrPipeline::OcrPipeline(OcrPipeline&&) noexcept = default;
OcrPipeline& OcrPipeline::operator=(OcrPipeline&&) noexcept = default;

const PipelineConfig& OcrPipeline::config() const { return impl_->config; }

int OcrPipeline::throughput_streams() const {
  const EngineOptions& e = impl_->config.engine;
  const int threads = std::max(1, e.cpu_threads);
  return std::min(threads, e.throughput_streams > 0 ? e.throughput_streams : threads);
}

namespace {
// What run() accepts, as the BGR the models take: grey expanded, BGRA flattened onto a
// contrasting background (the Python package reads files and arrays the same way).
cv::Mat bgr_input(const cv::Mat& image) {
  if (image.empty()) throw_invalid("image is empty");
  switch (image.type()) {
    case CV_8UC3: return image;
    case CV_8UC4: return flatten_alpha(image);
    case CV_8UC1: {
      cv::Mat bgr;
      cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
      return bgr;
    }
    default:
      throw_invalid("image must be a uint8 BGR, BGRA or grey array (CV_8UC3, CV_8UC4, CV_8UC1)");
  }
}
}  // namespace

OcrResult OcrPipeline::run(const cv::Mat& image, const RunOptions& options, Schedule schedule) const {
  const cv::Mat bgr = bgr_input(image);
  // Counts this call among the running ones for as long as it runs.
  struct Running {
    std::atomic<int>& count;
    int others;
    explicit Running(std::atomic<int>& c) : count(c), others(c++) {}
    ~Running() { --count; }
  } running(impl_->calls_running);
  ++impl_->calls_started;
  if (schedule == Schedule::kAuto) {
    schedule = running.others > 0 ? Schedule::kThroughput : Schedule::kLatency;
  }
  InferenceClock inference;
  CallContext context;
  context.schedule = schedule;
  context.clock = &inference;
  const ScopedCallContext scope(&context);
  const Stopwatch clock;
  OcrResult result;
  try {
    result = impl_->run(bgr, options);
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::kRuntime, std::string("opencv: ") + e.what());
  }
  // Between calls the engines would keep buffers sized for the largest page seen so far (per
  // infer request and per schedule); hand them back once the pipeline has been idle for
  // idle_release_ms (0: now), so an idle pipeline costs its weights, not its worst page,
  // while back-to-back calls skip re-faulting them (~10 % of their time) — unless the buffers
  // have outgrown the pages that come (OversizedBuffers). The release runs on the
  // MemoryReclaimer's thread: unmapping on the caller's path cost ~3 % of a call.
  impl_->release_memory_if_alone(static_cast<int64_t>(bgr.total()));
  result.timings.inference = inference.busy_seconds();
  result.timings.total = clock.seconds();
  return result;
}

std::vector<OcrResult> OcrPipeline::run_batch(const std::vector<cv::Mat>& images,
                                              const RunOptions& options) const {
  std::vector<OcrResult> results(images.size());
  const size_t workers = static_cast<size_t>(std::max(1, throughput_streams()));
  if (workers <= 1 || images.size() <= 1) {
    for (size_t i = 0; i < images.size(); ++i) results[i] = run(images[i], options);
    return results;
  }
  // Each run installs its own call context; the workers need none of their own.
  run_on_workers(images.size(), workers, nullptr, [&](size_t i) {
    results[i] = run(images[i], options, Schedule::kThroughput);
  });
  return results;
}

OcrResult OcrPipeline::Impl::run(const cv::Mat& bgr, const RunOptions& o) const {
  OcrResult result;
  TextDetOptions det = config.text_det;
  det.limit_side_len = o.text_det_limit_side_len.value_or(det.limit_side_len);
  det.limit_type = o.text_det_limit_type.value_or(det.limit_type);
  det.thresh = o.text_det_thresh.value_or(det.thresh);
  det.box_thresh = o.text_det_box_thresh.value_or(det.box_thresh);
  det.unclip_ratio = o.text_det_unclip_ratio.value_or(det.unclip_ratio);
  TextRecOptions rec = config.text_rec;
  rec.score_thresh = o.text_rec_score_thresh.value_or(rec.score_thresh);
  validate_options(det, rec);

  const bool use_doc_orientation =
      o.use_doc_orientation_classify.value_or(config.use_doc_orientation_classify);
  const bool use_unwarping = o.use_doc_unwarping.value_or(config.use_doc_unwarping);
  const bool use_textline = o.use_textline_orientation.value_or(config.use_textline_orientation);
  if (use_doc_orientation && !doc_orientation) {
    throw_invalid("use_doc_orientation_classify=True, but the pipeline was built without the "
                  "document orientation model");
  }
  if (use_unwarping && !doc_unwarper) {
    throw_invalid("use_doc_unwarping=True, but the pipeline was built without the unwarping model");
  }
  if (use_textline && !textline_classifier) {
    throw_invalid("use_textline_orientation=True, but the pipeline was built without the "
                  "text-line orientation model");
  }

  Stopwatch stage;
  // 1-2. Document preprocessing: upright, then flat.
  PageTransform transform;
  transform.input_size = bgr.size();
  cv::Mat page = bgr;
  if (use_doc_orientation) {
    transform.angle = doc_orientation->classify(page);
    page = rotate_upright(page, transform.angle);
  }
  if (use_unwarping) {
    UnwarpedPage flat = doc_unwarper->unwarp(page);
    page = flat.image;
    transform.map_x = std::move(flat.map_x);
    transform.map_y = std::move(flat.map_y);
  }
  result.use_doc_preprocessor = use_doc_orientation || use_unwarping;
  result.use_textline_orientation = use_textline;
  result.doc_preprocessor.use_doc_orientation_classify = use_doc_orientation;
  result.doc_preprocessor.use_doc_unwarping = use_unwarping;
  result.doc_preprocessor.angle = transform.angle;
  if (result.use_doc_preprocessor) result.doc_preprocessor.output_img = page;
  result.text_det_params = det;
  result.text_rec_score_thresh = rec.score_thresh;
  result.timings.doc_preprocessor = stage.lap();

  // 3. Detection, in reading order; lines whose crop is degenerate are dropped.
  const DetectedBoxes boxes = text_detector->detect(page, det);
  std::vector<cv::Mat> lines;
  for (size_t index : reading_order(boxes.quads)) {
    cv::Mat line = crop_text_line(page, boxes.quads[index]);
    if (line.empty()) continue;
    lines.push_back(std::move(line));
    result.dt_polys.push_back(boxes.quads[index]);
    result.dt_scores.push_back(boxes.scores[index]);
  }
  // The detector's buffers are sized for the whole page (hundreds of MB for a large one);
  // with idle_release_ms = 0, free them before recognition allocates its own, so a call
  // peaks at the larger of the two rather than their sum. Only when no other call runs: a
  // sibling would just have to allocate them again.
  if (config.idle_release_ms == 0 && calls_running.load() == 1) {
    reclaimer.post([engine = text_det_engine.get()] { engine->release_memory(); });
  }
  result.timings.text_det = stage.lap();
  if (lines.empty()) return result;

  // 4. Text-line orientation: turn upside-down lines.
  if (use_textline) {
    result.textline_orientation_angles =
        textline_classifier->classify(lines, config.textline_orientation_batch_size);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (result.textline_orientation_angles[i] == 1) cv::rotate(lines[i], lines[i], cv::ROTATE_180);
    }
  } else {
    result.textline_orientation_angles.assign(lines.size(), -1);
  }
  result.timings.textline_orientation = stage.lap();

  // 5. Recognition, filtered by score.
  const std::vector<DecodedText> texts = text_recognizer->recognize(lines, rec);
  result.timings.text_rec = stage.lap();
  for (size_t i = 0; i < texts.size(); ++i) {
    if (texts[i].score < rec.score_thresh) continue;
    result.rec_texts.push_back(texts[i].text);
    result.rec_scores.push_back(texts[i].score);
    result.rec_polys.push_back(result.dt_polys[i]);
    QuadF on_input;
    for (int k = 0; k < 4; ++k) {
      on_input[k] = to_input_frame(transform, cv::Point2f(result.dt_polys[i][k]));
    }
    result.rec_polys_on_input.push_back(on_input);
  }
  return result;
}

}  // namespace ppocr
