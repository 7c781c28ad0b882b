"""The ONNX Runtime engine: one InferenceSession per model, called by the C++ core.

Providers, in ONNX Runtime's order of preference:

- GPU: TensorRT (``use_tensorrt=True``: fp16 with ``precision="fp16"``, engines and timing
  caches on disk under ``<cache>/trt/<precision>``, explicit dynamic-shape profiles per stage)
  -> CUDA -> the CPU only when ``device=None`` allowed it (`EnginePlan.cpu_fallback`);
- CPU (``device="cpu", inference_engine="onnxruntime"``): ONNX Runtime's CPU provider.

After a session is made, the providers it really got are checked: ONNX Runtime itself falls
back to the CPU when a GPU provider fails to load (missing CUDA / cuDNN / TensorRT
libraries), and that must not pass silently. ``InferenceSession.run`` is thread-safe, so one
session serves every thread; it releases the GIL while it computes.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..errors import DeviceUnavailableError, InvalidArgumentError, PpocrError
from ..models import cache_dir
from ..models.onnx_info import Dims, onnx_model_input
from .selection import CUDA_PROVIDER, TENSORRT_PROVIDER, EnginePlan

logger = logging.getLogger("ppocr_native")

CPU_PROVIDER = "CPUExecutionProvider"

# Input sizes the core always feeds these stages (cpp/src/modules/...): used for the
# dimensions a model leaves dynamic.
_FIXED_INPUT_HW = {
    "doc_orientation": (224, 224),
    "textline_orientation": (80, 160),
    "doc_unwarping": (712, 488),
}
DET_MIN_SIDE = 32          # the detector's input sides are multiples of 32
DET_OPT_SIDE = 736         # TensorRT tunes for this page size; any size in range works

Shape = Tuple[int, int, int, int]


@dataclass(frozen=True)
class ShapeLimits:
    """The input shapes the core can send each model, from its resolved configuration."""

    det_max_side: int = 4000
    rec_height: int = 48
    rec_min_width: int = 320
    rec_max_width: int = 3200
    rec_batch: int = 6
    textline_batch: int = 6

    @classmethod
    def from_core_config(cls, core: Any) -> "ShapeLimits":
        det, rec = core.text_det, core.text_rec
        return cls(
            det_max_side=max(det.max_side_limit, det.input_height, det.input_width),
            rec_height=rec.image_height, rec_min_width=rec.min_image_width,
            rec_max_width=rec.max_image_width, rec_batch=rec.batch_size,
            textline_batch=core.textline_orientation_batch_size)


def shape_profile(stage: str, dims: Dims, limits: ShapeLimits) -> Optional[Tuple[Shape, Shape, Shape]]:
    """TensorRT's (min, opt, max) input shapes for one stage; None when nothing is dynamic.

    Detection: one page, sides 32 .. the core's long-side cap. Recognition: 1 .. batch lines of
    the configured height, min .. max width. Classifiers / unwarping: their fixed size, batch
    1 .. their batch size. A dimension the model fixes is kept as the model has it.
    """
    if len(dims) != 4 or all(d is not None for d in dims):
        return None
    if stage == "text_det":
        batch = (1, 1, 1)
        height = width = (DET_MIN_SIDE, DET_OPT_SIDE, limits.det_max_side)
    elif stage == "text_rec":
        batch = (1, limits.rec_batch, limits.rec_batch)
        height = (limits.rec_height,) * 3
        opt_width = min(limits.rec_max_width, 2 * limits.rec_min_width)
        width = (limits.rec_min_width, opt_width, limits.rec_max_width)
    else:
        size = limits.textline_batch if stage == "textline_orientation" else 1
        batch = (1, size, size)
        h, w = _FIXED_INPUT_HW[stage]
        height, width = (h,) * 3, (w,) * 3
    ranges = (batch, (3, 3, 3), height, width)
    picked = [tuple(d if d is not None else r[i] for d, r in zip(dims, ranges)) for i in range(3)]
    return picked[0], picked[1], picked[2]  # type: ignore[return-value]


def _profile_text(name: str, shape: Sequence[int]) -> str:
    return f"{name}:{'x'.join(str(d) for d in shape)}"


def trt_cache_dir(precision: str) -> Path:
    """Where TensorRT engines are cached: ``~/.cache/ppocr-native/trt/<precision>``.

    Beside the model cache (``$PPOCR_NATIVE_HOME/trt/...`` when that is set). ONNX Runtime
    names each engine by a hash of the model graph and the GPU's compute capability, so
    several models and GPUs share the folder; fp16 and fp32 engines are kept apart.
    """
    return cache_dir().parent / "trt" / precision


def tensorrt_options(stage: str, model_path: str, plan: EnginePlan,
                     limits: ShapeLimits) -> Dict[str, Any]:
    cache = str(trt_cache_dir(plan.precision))
    options: Dict[str, Any] = {
        "device_id": plan.device_id,
        "trt_fp16_enable": plan.precision == "fp16",
        "trt_engine_cache_enable": True,
        "trt_engine_cache_path": cache,
        "trt_timing_cache_enable": True,
        "trt_timing_cache_path": cache,
        # PaddleOCR's min_subgraph_size: smaller subgraphs stay on CUDA.
        "trt_min_subgraph_size": plan.min_subgraph_size,
    }
    try:
        name, dims = onnx_model_input(model_path)
    except ValueError as exc:
        raise PpocrError(f"onnxruntime: {exc}") from exc
    profile = shape_profile(stage, dims, limits)
    if profile is not None:
        for key, shape in zip(("min", "opt", "max"), profile):
            options[f"trt_profile_{key}_shapes"] = _profile_text(name, shape)
    return options


def cuda_options(plan: EnginePlan) -> Dict[str, Any]:
    """The CUDA provider's options (measured on an H200, README "GPU / TensorRT").

    - ``cudnn_conv_algo_search=HEURISTIC``: ONNX Runtime's default (EXHAUSTIVE) benchmarks
      every convolution again whenever an input shape changes, and an OCR page changes the
      detector's shape and its recognition batches' widths on every call: 0.5 images/s with
      single calls up to 25 s, against 2.8 images/s with the heuristic. (DEFAULT, no search,
      picks kernels 13x slower on the same shapes.)
    - ``use_tf32=0``: ``precision="fp32"`` means fp32. TF32 convolutions (ONNX Runtime's
      default on Ampere and later) moved boxes and changed texts on 7 of the 43 reference
      images; without TF32 all 43 give the CPU's texts and boxes exactly.
    """
    return {"device_id": plan.device_id, "cudnn_conv_algo_search": "HEURISTIC", "use_tf32": 0}


def provider_settings(stage: str, model_path: str, plan: EnginePlan,
                      limits: ShapeLimits) -> List[Tuple[str, Dict[str, Any]]]:
    """(provider, options) in order of preference for one model."""
    if plan.device == "cpu":
        return [(CPU_PROVIDER, {})]
    providers = []
    if plan.use_tensorrt:
        providers.append((TENSORRT_PROVIDER, tensorrt_options(stage, model_path, plan, limits)))
    providers.append((CUDA_PROVIDER, cuda_options(plan)))
    if plan.cpu_fallback:
        providers.append((CPU_PROVIDER, {}))
    return providers


def session_options(plan: EnginePlan, ort: ModuleType) -> Any:
    options = ort.SessionOptions()
    options.intra_op_num_threads = plan.cpu_threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # 3 = errors only: paddle2onnx exports make ONNX Runtime warn about shape merging.
    options.log_severity_level = 3
    return options


class OnnxRuntimeEngine:
    """One model in one ONNX Runtime session; ``infer`` is what the C++ core calls."""

    def __init__(self, stage: str, model_path: str, plan: EnginePlan, limits: ShapeLimits,
                 ort: ModuleType):
        if Path(model_path).suffix.lower() != ".onnx":
            raise InvalidArgumentError(
                f"the {stage} model {model_path} is not ONNX: ONNX Runtime ({plan.describe()}) "
                "runs .onnx models only; pass a model dir with inference.onnx, or use "
                "device='cpu' with inference_engine='openvino' for OpenVINO IR")
        self.stage = stage
        self.model_path = model_path
        self.provider_settings = provider_settings(stage, model_path, plan, limits)
        self.session_options = session_options(plan, ort)
        if plan.use_tensorrt:
            trt_cache_dir(plan.precision).mkdir(parents=True, exist_ok=True)
        try:
            self._session = ort.InferenceSession(
                model_path, sess_options=self.session_options,
                providers=[name for name, _ in self.provider_settings],
                provider_options=[options for _, options in self.provider_settings])
        except Exception as exc:  # onnxruntime's own exception types are not importable API
            raise PpocrError(f"onnxruntime: cannot load the {stage} model {model_path}: "
                             f"{exc}") from exc
        self.providers: List[str] = list(self._session.get_providers())
        _check_providers(self.providers, plan, stage)
        model_input = self._session.get_inputs()[0]
        self._input_name = model_input.name
        self._input_dtype = np.float16 if model_input.type == "tensor(float16)" else np.float32
        self._output_name = self._session.get_outputs()[0].name
        logger.info("%s: %s with %s", stage, model_path, ", ".join(self.providers))

    def infer(self, batch: np.ndarray) -> np.ndarray:
        """float32 NCHW in, the first output as float32 out."""
        if self._input_dtype is not np.float32:
            batch = batch.astype(self._input_dtype)
        try:
            output = self._session.run([self._output_name], {self._input_name: batch})[0]
        except Exception as exc:  # onnxruntime's own exception types are not importable API
            raise PpocrError(f"onnxruntime: {self.stage} model {self.model_path}: {exc}") from exc
        return output if output.dtype == np.float32 else output.astype(np.float32)


def _check_providers(active: Sequence[str], plan: EnginePlan, stage: str) -> None:
    """Fails when ONNX Runtime quietly dropped a GPU provider it was asked for."""
    if plan.device != "gpu":
        return
    hint = ("ONNX Runtime could not load it (see its log above): check that the CUDA and "
            "cuDNN libraries this onnxruntime-gpu build needs are installed (pip install "
            "'onnxruntime-gpu[cuda,cudnn]')" + (" and TensorRT's" if plan.use_tensorrt else ""))
    if CUDA_PROVIDER not in active:
        if plan.cpu_fallback:
            logger.warning("device=None: the GPU could not run the %s model (%s); it runs on "
                           "ONNX Runtime's CPU provider", stage, hint)
            return
        raise DeviceUnavailableError(f"gpu:{plan.device_id}: the CUDA provider is not active "
                                     f"for the {stage} model; {hint}")
    if plan.use_tensorrt and TENSORRT_PROVIDER not in active:
        raise DeviceUnavailableError(f"use_tensorrt=True: the TensorRT provider is not active "
                                     f"for the {stage} model; {hint}")


_preload_lock = threading.Lock()
_preloaded: List[ModuleType] = []


def preload_gpu_libraries(ort: ModuleType) -> None:
    """Loads CUDA / cuDNN from NVIDIA's pip packages once, before the first GPU session.

    ``pip install onnxruntime-gpu[cuda,cudnn]`` puts those libraries under
    ``site-packages/nvidia/*/lib``, where the dynamic loader never looks: without this the
    CUDA provider fails to load and the session would not start on the GPU. onnxruntime >=
    1.21 does the search itself (``preload_dlls``; it also reuses a PyTorch build's copies);
    libraries that are already on the loader's path are unaffected. Older versions lack
    it and rely on ``LD_LIBRARY_PATH``; a failed preload is logged, and a provider that then
    does not start is reported by ``_check_providers``.
    """
    preload = getattr(ort, "preload_dlls", None)
    with _preload_lock:
        if preload is None or ort in _preloaded:
            return
        _preloaded.append(ort)
        try:
            preload()
        except Exception as exc:  # best effort: the provider check reports what is missing
            logger.warning("onnxruntime.preload_dlls() failed (%s); relying on the system's "
                           "library path for CUDA / cuDNN", exc)


def make_engine_factory(plan: EnginePlan, limits: ShapeLimits,
                        ort: ModuleType) -> Callable[[str, str, Any], OnnxRuntimeEngine]:
    """factory(stage, model_path, core EngineOptions) for ``_core.OcrPipeline``."""
    if plan.device == "gpu":
        preload_gpu_libraries(ort)

    def factory(stage: str, model_path: str, _options: Any) -> OnnxRuntimeEngine:
        return OnnxRuntimeEngine(stage, model_path, plan, limits, ort)

    return factory
