#pragma once
// OpenVINO implementation of ppocr::Engine.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openvino/openvino.hpp>

#include "ppocr/engine.h"

namespace ppocr {

// One model, compiled once per schedule (see ppocr::Schedule), each with a pool of infer
// requests. A compiled model may be shared by many threads, an infer request may not: each
// infer() borrows a request from the pool of the schedule its call asked for (creating one
// when all are busy) and returns it afterwards, so concurrent calls never share state.
class OvSession final : public Engine {
 public:
  OvSession(const std::string& model_path, const EngineOptions& options);
  ~OvSession() override;
  Tensor infer(const Tensor& input) const override;
  const std::string& model_path() const override { return model_path_; }
  void release_memory() const override;

 private:
  class CompiledVariant;
  const CompiledVariant& throughput_variant() const;

  std::string model_path_;
  std::string device_;
  EngineOptions options_;
  std::unique_ptr<CompiledVariant> latency_;
  // Compiled on the first throughput call: single-image users never pay its compile time
  // or memory.
  mutable std::once_flag throughput_once_;
  mutable std::unique_ptr<CompiledVariant> throughput_;
};

}  // namespace ppocr
