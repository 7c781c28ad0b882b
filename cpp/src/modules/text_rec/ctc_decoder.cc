#include "modules/text_rec/ctc_decoder.h"

#include "ppocr/error.h"

namespace ppocr {

CtcDecoder::CtcDecoder(std::vector<std::string> characters) : characters_(std::move(characters)) {
  if (characters_.size() < 2) throw_invalid("recognition dictionary is empty");
}

DecodedText CtcDecoder::decode(const float* probs, int timesteps, int classes) const {
  if (static_cast<size_t>(classes) != characters_.size()) {
    throw_invalid("recognition model has " + std::to_string(classes) +
                  " classes but the dictionary has " + std::to_string(characters_.size()) +
                  " entries (blank and space included)");
  }
  DecodedText out{"", 0.0f};
  double score_sum = 0.0;
  int kept = 0;
  int previous = -1;
  for (int t = 0; t < timesteps; ++t) {
    const float* row = probs + static_cast<size_t>(t) * classes;
    int best = 0;
    for (int c = 1; c < classes; ++c) {
      if (row[c] > row[best]) best = c;  // first maximum wins, as numpy's argmax
    }
    const bool repeat = best == previous;
    previous = best;
    if (best == 0 || repeat) continue;
    out.text += characters_[best];
    score_sum += row[best];
    ++kept;
  }
  out.score = kept > 0 ? static_cast<float>(score_sum / kept) : 0.0f;
  return out;
}

}  // namespace ppocr
