#include "modules/text_rec/ctc_decoder.h"

#include "ppocr/error.h"

namespace ppocr {
namespace {

// The first index of the row's largest value, as numpy's argmax. Why not one plain loop:
// `if (row[c] > row[best]) best = c` is a chain of dependent compare-and-branch steps over
// ~18,000 classes per time step, the decoder's whole cost. Independent running maxima (32
// lanes: four AVX2 registers, or eight SSE ones, in flight at once) let the compiler vectorise
// the scan; a second pass then finds where the maximum first occurs, and usually stops at once
// (the blank, index 0, wins most steps). The AVX2 clone is picked at load time where the CPU
// has it (numpy's own argmax dispatches the same way); the default one stays plain x86-64.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
int first_argmax(const float* row, int classes) {
  constexpr int kLanes = 32;
  float lanes[kLanes];
  for (float& lane : lanes) lane = row[0];
  int c = 0;
  for (; c + kLanes <= classes; c += kLanes) {
    for (int k = 0; k < kLanes; ++k) lanes[k] = row[c + k] > lanes[k] ? row[c + k] : lanes[k];
  }
  float best = lanes[0];
  for (int k = 1; k < kLanes; ++k) best = lanes[k] > best ? lanes[k] : best;
  for (; c < classes; ++c) best = row[c] > best ? row[c] : best;
  for (int i = 0; i < classes; ++i) {
    if (row[i] == best) return i;
  }
  return 0;  // only a row of NaNs gets here; the plain loop also kept index 0
}

}  // namespace

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
    const int best = first_argmax(row, classes);
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
