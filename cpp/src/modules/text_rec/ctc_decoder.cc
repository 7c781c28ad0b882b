#include "modules/text_rec/ctc_decoder.h"

#include "ppocr/error.h"

namespace ppocr {
namespace {

// The largest of n values (n a multiple of kLanes, at least kLanes): independent running
// maxima, so the compiler keeps several vector registers in flight instead of one dependent
// compare-and-branch chain.
constexpr int kLanes = 32;

inline float block_max(const float* values, int n) {
  float lanes[kLanes];
  for (int k = 0; k < kLanes; ++k) lanes[k] = values[k];
  for (int c = kLanes; c < n; c += kLanes) {
    for (int k = 0; k < kLanes; ++k) lanes[k] = values[c + k] > lanes[k] ? values[c + k] : lanes[k];
  }
  float best = lanes[0];
  for (int k = 1; k < kLanes; ++k) best = lanes[k] > best ? lanes[k] : best;
  return best;
}

// The first index of the row's largest value, as numpy's argmax, in one pass over the row
// (~18,000 classes per time step, the decoder's whole cost): the row is scanned in blocks,
// remembering the first block whose maximum beats all before it; only that block is searched
// for the index. The AVX2 clone is picked at load time where the CPU has it (numpy's own
// reductions dispatch the same way); the default one stays plain x86-64.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
int first_argmax(const float* row, int classes) {
  constexpr int kBlock = 8 * kLanes;
  float best = row[0];
  int best_block = 0;
  int c = 0;
  for (; c + kBlock <= classes; c += kBlock) {
    const float m = block_max(row + c, kBlock);
    if (m > best) {
      best = m;
      best_block = c;
    }
  }
  for (int i = c; i < classes; ++i) {  // the ragged tail, as one more (short) block
    if (row[i] > best) {
      best = row[i];
      best_block = c;
    }
  }
  for (int i = best_block; i < classes; ++i) {
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
