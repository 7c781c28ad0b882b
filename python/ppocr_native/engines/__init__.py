"""Which engine runs the models, and the ONNX Runtime engine for GPUs.

The C++ core runs every model through one interface (``ppocr::Engine``). By default it builds
OpenVINO engines itself (the CPU path). For NVIDIA GPUs the models run on ONNX Runtime's
TensorRT / CUDA execution providers instead: the onnxruntime wheels ship no C++ headers, so
that engine lives here in Python and is injected into the core through an engine factory
(``_core.OcrPipeline(config, engine_factory)``); pre- and post-processing stay the core's.

- `selection`: device / engine / use_tensorrt -> an `EnginePlan` (clear errors, no silent
  fallback when a GPU was asked for);
- `cuda_devices`: how many NVIDIA GPUs the driver shows, without ONNX Runtime;
- `onnxruntime_engine`: sessions, provider options, TensorRT shape profiles and caches.
"""

from .selection import EnginePlan, engine_factory, plan_engine

__all__ = ["EnginePlan", "engine_factory", "plan_engine"]
