#pragma once
// Greedy CTC decoding of the recogniser's per-timestep class probabilities.
#include <string>
#include <vector>

namespace ppocr {

struct DecodedText {
  std::string text;
  float score;  // mean probability of the kept characters; 0 when none is kept
};

class CtcDecoder {
 public:
  // characters[0] must be the blank; the list is the network's full class axis.
  explicit CtcDecoder(std::vector<std::string> characters);

  // probs: [timesteps x classes] row-major for one line. Takes the arg-max class per step,
  // drops repeats and blanks, averages the kept maxima.
  DecodedText decode(const float* probs, int timesteps, int classes) const;
  size_t class_count() const { return characters_.size(); }

 private:
  std::vector<std::string> characters_;
};

}  // namespace ppocr
