#pragma once
// OpenVINO implementation of ppocr::Engine.
#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <shared_mutex>
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
  const CompiledVariant& variant_for(Schedule schedule) const;
  void compile_throughput_variant() const;

  std::string model_path_;
  std::string device_;
  EngineOptions options_;
  std::unique_ptr<CompiledVariant> latency_;
  // Inferences hold it shared; release_memory() only runs when it gets it exclusively, so it
  // never pulls buffers from under a running inference (it skips instead).
  mutable std::shared_mutex busy_;
  // The throughput compilation is started in the background by the first call that asks
  // for it; until it is ready such calls run on the latency compilation (same outputs).
  // Single-image users never wait for it, and a cold start pays for one compile, not two.
  mutable std::unique_ptr<CompiledVariant> throughput_;
  mutable std::atomic<const CompiledVariant*> throughput_ready_{nullptr};
  mutable std::once_flag throughput_started_;
  // Declared last so it is destroyed first: the destructor waits for a running compile.
  mutable std::future<void> throughput_compile_;
};

}  // namespace ppocr
