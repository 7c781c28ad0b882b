#pragma once
// The inference boundary. Stages talk to models only through this interface; the OpenVINO
// implementation lives in src/engine and is the only code that includes OpenVINO.
#include <memory>
#include <string>

#include "ppocr/config.h"
#include "ppocr/types.h"

namespace ppocr {

class Engine {
 public:
  virtual ~Engine() = default;
  // Runs the model on one NCHW float tensor and returns its first output as float.
  // Must be safe to call from several threads at once.
  virtual Tensor infer(const Tensor& input) const = 0;
  virtual const std::string& model_path() const = 0;
};

// Reads an ONNX or OpenVINO IR model and compiles it for the configured device.
std::shared_ptr<const Engine> make_openvino_engine(const std::string& model_path,
                                                   const EngineOptions& options);

}  // namespace ppocr
