#include "modules/text_rec/ctc_decoder.h"

#include <cmath>
#include <cstring>
#include <utility>

#include "ppocr/error.h"

namespace ppocr {
namespace {

// The largest of n values (n a multiple of kLanes, at least kLanes). Four independent
// 8-float running maxima (GCC/Clang vector types: four AVX2 registers in the AVX2 clone,
// eight SSE ones otherwise) keep the loads streaming instead of one dependent
// compare-and-branch chain; an array of 32 scalar lanes was measured 1.4x slower (the
// compiler kept part of it in memory).
constexpr int kLanes = 32;

inline float block_max(const float* values, int n) {
  typedef float Float8 __attribute__((vector_size(32)));
  // memcpy: `values` need not be 32-byte aligned; compilers turn it into unaligned loads.
  Float8 a0, a1, a2, a3, x0, x1, x2, x3;
  std::memcpy(&a0, values, sizeof a0);
  std::memcpy(&a1, values + 8, sizeof a1);
  std::memcpy(&a2, values + 16, sizeof a2);
  std::memcpy(&a3, values + 24, sizeof a3);
  for (int c = kLanes; c < n; c += kLanes) {
    std::memcpy(&x0, values + c, sizeof x0);
    std::memcpy(&x1, values + c + 8, sizeof x1);
    std::memcpy(&x2, values + c + 16, sizeof x2);
    std::memcpy(&x3, values + c + 24, sizeof x3);
    a0 = x0 > a0 ? x0 : a0;
    a1 = x1 > a1 ? x1 : a1;
    a2 = x2 > a2 ? x2 : a2;
    a3 = x3 > a3 ? x3 : a3;
  }
  a0 = a1 > a0 ? a1 : a0;
  a2 = a3 > a2 ? a3 : a2;
  a0 = a2 > a0 ? a2 : a0;
  float best = a0[0];
  for (int k = 1; k < 8; ++k) best = a0[k] > best ? a0[k] : best;
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

// A probability that is not a number means the network overflowed (seen with precision bf16
// from a stale compiled-model cache entry): every step then decodes to the same class and
// the page would come back as blank lines with NaN scores, a silent wrong answer.
[[noreturn]] void throw_not_a_number() {
  throw Error(ErrorCode::kRuntime,
              "the recognition model produced NaN probabilities (a numerical overflow inside "
              "the network): run it at precision 'fp32', or clear the compiled-model cache "
              "(EngineOptions::cache_dir) if fp32 fails too");
}

}  // namespace

CtcDecoder::CtcDecoder(std::vector<std::string> characters) : characters_(std::move(characters)) {
  if (characters_.size() < 2) throw_invalid("recognition dictionary is empty");
}

template <typename TopOfStep>
DecodedText CtcDecoder::collapse(int timesteps, TopOfStep top_of_step) const {
  DecodedText out{"", 0.0f};
  double score_sum = 0.0;
  int kept = 0;
  int previous = -1;
  for (int t = 0; t < timesteps; ++t) {
    const auto [best, probability] = top_of_step(t);
    if (std::isnan(probability)) throw_not_a_number();
    const bool repeat = best == previous;
    previous = best;
    if (best == 0 || repeat) continue;
    out.text += characters_[best];
    score_sum += probability;
    ++kept;
  }
  out.score = kept > 0 ? static_cast<float>(score_sum / kept) : 0.0f;
  return out;
}

DecodedText CtcDecoder::decode(const float* probs, int timesteps, int classes) const {
  if (static_cast<size_t>(classes) != characters_.size()) {
    throw_invalid("recognition model has " + std::to_string(classes) +
                  " classes but the dictionary has " + std::to_string(characters_.size()) +
                  " entries (blank and space included)");
  }
  return collapse(timesteps, [&](int t) {
    const float* row = probs + static_cast<size_t>(t) * classes;
    const int best = first_argmax(row, classes);
    return std::pair<int, float>(best, row[best]);
  });
}

DecodedText CtcDecoder::decode_top1(const float* top, int timesteps) const {
  const float classes = static_cast<float>(characters_.size());
  return collapse(timesteps, [&](int t) {
    const float probability = top[2 * static_cast<size_t>(t)];
    const float index = top[2 * static_cast<size_t>(t) + 1];
    if (!(index >= 0.0f && index < classes)) {  // also catches NaN
      throw_invalid("recognition model gave class " + std::to_string(index) +
                    " but the dictionary has " + std::to_string(characters_.size()) +
                    " entries (blank and space included)");
    }
    return std::pair<int, float>(static_cast<int>(index), probability);
  });
}

}  // namespace ppocr
