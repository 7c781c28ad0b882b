#pragma once
// OpenVINO implementation of ppocr::Engine.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openvino/openvino.hpp>

#include "ppocr/engine.h"

namespace ppocr {

// One compiled model plus a pool of infer requests. A compiled model may be shared by many
// threads, an infer request may not: each infer() borrows a request from the pool (creating
// one when all are busy) and returns it afterwards, so concurrent calls never share state.
class OvSession final : public Engine {
 public:
  OvSession(const std::string& model_path, const EngineOptions& options);
  Tensor infer(const Tensor& input) const override;
  const std::string& model_path() const override { return model_path_; }

 private:
  class RequestLease;
  ov::InferRequest acquire() const;
  void release(ov::InferRequest request) const;

  std::string model_path_;
  // create_infer_request() is thread-safe but not const in the API.
  mutable ov::CompiledModel compiled_;
  mutable std::mutex pool_mutex_;
  mutable std::vector<ov::InferRequest> idle_requests_;
};

}  // namespace ppocr
