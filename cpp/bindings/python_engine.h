#pragma once
// ppocr::Engine implemented by a Python object. The onnxruntime wheels ship no C/C++ headers,
// so the Python package runs ONNX Runtime (CUDA / TensorRT / CPU providers) in Python and
// injects it here; the core keeps its own pre- and post-processing.
#include <pybind11/pybind11.h>

#include "ppocr/engine.h"

namespace ppocr_py {

// Wraps `factory`, a Python callable factory(stage, model_path, options) -> session whose
// session.infer(input) takes a float32 NCHW ndarray and returns the model's first output as
// an ndarray. The input array is a read-only view of the core's tensor, valid only during
// the call (keep a copy, not the array). The returned factory and the engines it makes may be
// called, copied and destroyed from any thread, with or without the GIL: they take it
// themselves.
ppocr::EngineFactory python_engine_factory(pybind11::object factory);

}  // namespace ppocr_py
