#pragma once
// The inference boundary. Stages talk to models only through this interface; the OpenVINO
// implementation lives in src/engine and is the only code that includes OpenVINO.
#include <functional>
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
  // Frees what the backend keeps between calls (intermediate buffers sized for the largest
  // input seen so far). May be called at any time and from any thread (the pipeline calls
  // it from a background thread of its own): an engine with an inference running leaves
  // its memory alone (OvSession), or ignores the call.
  virtual void release_memory() const {}
};

// Reads an ONNX or OpenVINO IR model and compiles it for the configured device.
std::shared_ptr<const Engine> make_openvino_engine(const std::string& model_path,
                                                   const EngineOptions& options);

// Builds the engine of one pipeline stage. `stage` is the name of the ModelFiles field the
// model came from ("doc_orientation", "doc_unwarping", "text_det", "textline_orientation",
// "text_rec"), so a factory can tune per stage (e.g. TensorRT shape profiles). A factory lets
// an application run the models on another runtime while the core keeps its own pre- and
// post-processing; the Python package injects ONNX Runtime (CUDA / TensorRT) this way.
// Must not return null; may throw ppocr::Error.
using EngineFactory = std::function<std::shared_ptr<const Engine>(
    const std::string& stage, const std::string& model_path, const EngineOptions& options)>;

// The default factory: make_openvino_engine for every stage.
EngineFactory openvino_engine_factory();

}  // namespace ppocr
