#include "modules/text_rec/text_recognizer.h"

#include <algorithm>
#include <numeric>

#include "modules/text_rec/rec_resize.h"
#include "ppocr/error.h"

namespace ppocr {

size_t TextRecognizer::rows_per_call(int batch_width) {
  return static_cast<size_t>(std::max(1, kMaxColumnsPerCall / std::max(1, batch_width)));
}

std::vector<DecodedText> TextRecognizer::recognize(const std::vector<cv::Mat>& lines,
                                                   const TextRecOptions& options) const {
  if (options.batch_size <= 0) throw_invalid("text_recognition_batch_size must be > 0");
  std::vector<size_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return static_cast<double>(lines[a].cols) / lines[a].rows <
           static_cast<double>(lines[b].cols) / lines[b].rows;
  });

  std::vector<DecodedText> results(lines.size());
  const size_t batch = static_cast<size_t>(options.batch_size);
  // Batches as PaddleOCR forms them (same members, same padding), one after another, each
  // on every thread. (Spreading one image's batches over two one-thread streams was 1-7 %
  // faster, but cost ~210 MB of peak and changed the last bits of some scores: README
  // "Memory".)
  for (size_t start = 0; start < order.size(); start += batch) {
    const size_t end = std::min(order.size(), start + batch);
    std::vector<cv::Mat> group;
    for (size_t i = start; i < end; ++i) group.push_back(lines[order[i]]);
    const int width = rec_batch_width(group, options);
    // A wide batch runs a few rows at a time, each part padded to the whole batch's width:
    // rows never interact inside the model, so every line gets the same input and the same
    // output as in one call, while the model's buffers (its [rows, width / 8, classes]
    // softmax above all) shrink with the rows.
    const size_t rows = rows_per_call(width);
    for (size_t part = 0; part < group.size(); part += rows) {
      const size_t part_end = std::min(group.size(), part + rows);
      const std::vector<cv::Mat> members(group.begin() + part, group.begin() + part_end);
      const Tensor output = engine_->infer(rec_batch_tensor(members, options, width));
      if (output.shape.size() != 3 || static_cast<size_t>(output.dim(0)) != members.size()) {
        throw Error(ErrorCode::kRuntime, "text recognition model must output [N, T, classes]");
      }
      const int timesteps = static_cast<int>(output.dim(1));
      const int classes = static_cast<int>(output.dim(2));
      // [N, T, 2] from a dictionary of more than two entries: the engine already reduced
      // each step to its top class (EngineOptions::top1_classes).
      const bool top1 = classes == 2 && decoder_.class_count() != 2;
      for (size_t i = part; i < part_end; ++i) {
        const float* probs = output.data.data() + (i - part) * timesteps * classes;
        results[order[start + i]] = top1 ? decoder_.decode_top1(probs, timesteps)
                                         : decoder_.decode(probs, timesteps, classes);
      }
    }
  }
  return results;
}

}  // namespace ppocr
