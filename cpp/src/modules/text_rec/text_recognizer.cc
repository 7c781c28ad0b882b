#include "modules/text_rec/text_recognizer.h"

#include <algorithm>
#include <future>
#include <numeric>

#include "modules/text_rec/rec_resize.h"
#include "ppocr/error.h"

namespace ppocr {

size_t TextRecognizer::rows_per_call(int batch_width) {
  return static_cast<size_t>(std::max(1, kMaxColumnsPerCall / std::max(1, batch_width)));
}

namespace {

// One model call: rows [first, first + members.size()) of the aspect-ordered lines, padded to
// their batch's width.
struct RecCall {
  size_t first = 0;
  std::vector<cv::Mat> members;
  int width = 0;
};

}  // namespace

std::vector<DecodedText> TextRecognizer::recognize(const std::vector<cv::Mat>& lines,
                                                   const TextRecOptions& options) const {
  if (options.batch_size <= 0) throw_invalid("text_recognition_batch_size must be > 0");
  std::vector<size_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return static_cast<double>(lines[a].cols) / lines[a].rows <
           static_cast<double>(lines[b].cols) / lines[b].rows;
  });

  // Batches as PaddleOCR forms them (same members, same padding). A wide batch runs a few
  // rows at a time, each part padded to the whole batch's width: rows never interact inside
  // the model, so every line gets the same input and the same output as in one call, while
  // the model's buffers (its [rows, width / 8, classes] softmax above all) shrink with the rows.
  std::vector<RecCall> calls;
  const size_t batch = static_cast<size_t>(options.batch_size);
  for (size_t start = 0; start < order.size(); start += batch) {
    const size_t end = std::min(order.size(), start + batch);
    std::vector<cv::Mat> group;
    for (size_t i = start; i < end; ++i) group.push_back(lines[order[i]]);
    const int width = rec_batch_width(group, options);
    const size_t rows = rows_per_call(width);
    for (size_t part = 0; part < group.size(); part += rows) {
      const size_t part_end = std::min(group.size(), part + rows);
      calls.push_back({start + part, {group.begin() + part, group.begin() + part_end}, width});
    }
  }

  std::vector<DecodedText> results(lines.size());
  const auto prepare = [&](size_t c) {
    return rec_batch_tensor(calls[c].members, options, calls[c].width);
  };
  const auto decode = [&](size_t c, const Tensor& output) {
    const RecCall& call = calls[c];
    if (output.shape.size() != 3 || static_cast<size_t>(output.dim(0)) != call.members.size()) {
      throw Error(ErrorCode::kRuntime, "text recognition model must output [N, T, classes]");
    }
    const int timesteps = static_cast<int>(output.dim(1));
    const int classes = static_cast<int>(output.dim(2));
    // [N, T, 2] from a dictionary of more than two entries: the engine already reduced
    // each step to its top class (EngineOptions::top1_classes).
    const bool top1 = classes == 2 && decoder_.class_count() != 2;
    for (size_t i = 0; i < call.members.size(); ++i) {
      const float* probs = output.data.data() + i * timesteps * classes;
      results[order[call.first + i]] = top1 ? decoder_.decode_top1(probs, timesteps)
                                            : decoder_.decode(probs, timesteps, classes);
    }
  };
  // The calls run one after another, each on every thread. While one runs, a helper thread
  // decodes the previous call's output and builds the next call's tensor, so the cores do
  // not wait on that work between model calls. (Spreading the calls over two one-thread
  // streams instead was 1-7 % faster, but cost ~210 MB of peak and changed the last bits of
  // some scores: README "Memory".) The helper's future is always waited for (its destructor
  // too, should infer throw) before the buffers it uses go away.
  if (calls.empty()) return results;
  Tensor input = prepare(0);
  Tensor previous_output;
  for (size_t c = 0; c < calls.size(); ++c) {
    const bool has_next = c + 1 < calls.size();
    std::future<Tensor> helper;
    if (c > 0 || has_next) {
      helper = std::async(std::launch::async, [&, c, has_next, done = std::move(previous_output)] {
        if (c > 0) decode(c - 1, done);
        return has_next ? prepare(c + 1) : Tensor{};
      });
    }
    previous_output = engine_->infer(input);
    if (helper.valid()) input = helper.get();
  }
  decode(calls.size() - 1, previous_output);
  return results;
}

}  // namespace ppocr
