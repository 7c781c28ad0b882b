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
  // top: [timesteps x 2] row-major, each step's top probability and its class index (as
  // float), what an engine honouring EngineOptions::top1_classes returns. Same result as
  // decode() on the full probabilities.
  DecodedText decode_top1(const float* top, int timesteps) const;
  size_t class_count() const { return characters_.size(); }

 private:
  // Greedy CTC over the steps' (class, probability) pairs given by top_of_step(t).
  template <typename TopOfStep>
  DecodedText collapse(int timesteps, TopOfStep top_of_step) const;

  std::vector<std::string> characters_;
};

}  // namespace ppocr
