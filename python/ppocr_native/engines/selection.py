"""device / engine / use_tensorrt / precision -> which engine runs the models, and where.

PaddleOCR's rules (its usage guide, ``device``): ``"cpu"``, ``"gpu"`` / ``"gpu:N"``, and
``None`` = "GPU 0 when available, else the CPU". Here a GPU means an NVIDIA card run by ONNX
Runtime's CUDA provider (TensorRT provider with ``use_tensorrt=True``), from the optional
``onnxruntime-gpu`` dependency (``pip install 'ppocr-native[gpu]'``).

- An explicit GPU that cannot be used raises `DeviceUnavailableError` saying why; it never
  runs on the CPU instead.
- ``device=None`` without a usable GPU runs on the CPU and logs why (INFO).
- ``use_tensorrt=True`` on the CPU changes nothing and says so (PaddleOCR only configures
  TensorRT for GPU devices).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable, Optional, Tuple

from ..config import OcrConfig, parse_device
from ..errors import DeviceUnavailableError, InvalidArgumentError
from .cuda_devices import visible_cuda_devices

logger = logging.getLogger("ppocr_native")

CUDA_PROVIDER = "CUDAExecutionProvider"
TENSORRT_PROVIDER = "TensorrtExecutionProvider"
GPU_INSTALL_HINT = "pip install 'ppocr-native[gpu]'"


@dataclass(frozen=True)
class EnginePlan:
    """Where and how the models run; made once per pipeline by `plan_engine`."""

    engine: str                  # "openvino" (the core's own) | "onnxruntime" (engines/)
    device: str                  # "cpu" | "gpu"
    device_id: int = 0
    use_tensorrt: bool = False
    precision: str = "fp32"      # the precision really used (see _effective_precision)
    cpu_threads: int = 1
    min_subgraph_size: int = 3
    # device=None chose the GPU: a session that cannot start there may run on the CPU.
    cpu_fallback: bool = False

    def describe(self) -> str:
        where = f"gpu:{self.device_id}" if self.device == "gpu" else "cpu"
        trt = ", TensorRT" if self.use_tensorrt and self.device == "gpu" else ""
        return f"{self.engine} on {where} ({self.precision}{trt})"


def load_onnxruntime() -> Optional[ModuleType]:
    """The onnxruntime module, or None when it is not installed (it is optional)."""
    try:
        import onnxruntime
    except ImportError:
        return None
    return onnxruntime


def plan_engine(
    cfg: OcrConfig,
    *,
    gpu_probe: Callable[[], Tuple[int, str]] = visible_cuda_devices,
    onnxruntime_loader: Callable[[], Optional[ModuleType]] = load_onnxruntime,
) -> EnginePlan:
    """Decides the engine for `cfg`; raises on a device or engine that cannot be had.

    ``gpu_probe`` and ``onnxruntime_loader`` are parameters so the decisions can be tested
    on a machine without a GPU.
    """
    kind, index = parse_device(cfg.value("device"))
    engine = cfg.value("inference_engine")
    use_tensorrt = bool(cfg.value("use_tensorrt"))
    if kind == "gpu" and engine == "openvino":
        raise InvalidArgumentError(
            f"inference_engine='openvino' runs on the CPU only in this build; device={cfg.device!r} "
            "needs inference_engine='onnxruntime' (or engine=None)")
    cpu_fallback = False
    if kind is None:
        why_not = None if engine == "openvino" else _gpu_unusable_reason(
            0, use_tensorrt, gpu_probe, onnxruntime_loader)
        if engine != "openvino" and why_not is None:
            kind, cpu_fallback = "gpu", True
            logger.info("device=None: using GPU 0 (ONNX Runtime)")
        else:
            kind = "cpu"
            logger.info("device=None: running on the CPU (%s)",
                        why_not or "inference_engine='openvino' runs on the CPU")
    elif kind == "gpu":
        why_not = _gpu_unusable_reason(index, use_tensorrt, gpu_probe, onnxruntime_loader)
        if why_not is not None:
            raise DeviceUnavailableError(f"device={cfg.device!r} cannot be used: {why_not}")

    if kind == "cpu":
        if use_tensorrt:
            logger.warning("use_tensorrt=True has no effect: TensorRT needs an NVIDIA GPU and "
                           "this pipeline runs on the CPU")
        engine = engine or "openvino"
        if engine == "onnxruntime" and onnxruntime_loader() is None:
            raise InvalidArgumentError(
                "inference_engine='onnxruntime' needs the onnxruntime package: pip install onnxruntime "
                f"(CPU) or {GPU_INSTALL_HINT} (NVIDIA GPUs)")
        index = 0
    else:
        engine = "onnxruntime"
    precision = _effective_precision(cfg.value("precision").lower(), engine, kind, use_tensorrt)
    return EnginePlan(
        engine=engine, device=kind, device_id=index,
        use_tensorrt=use_tensorrt and kind == "gpu", precision=precision,
        cpu_threads=cfg.value("cpu_threads"), min_subgraph_size=cfg.value("min_subgraph_size"),
        cpu_fallback=cpu_fallback)


def _gpu_unusable_reason(
    index: int,
    use_tensorrt: bool,
    gpu_probe: Callable[[], Tuple[int, str]],
    onnxruntime_loader: Callable[[], Optional[ModuleType]],
) -> Optional[str]:
    """Why GPU `index` cannot run the models, or None when it can. Cheapest check first."""
    count, detail = gpu_probe()
    if count == 0:
        return f"no NVIDIA GPU is visible: {detail}"
    if index >= count:
        return f"GPU {index} does not exist: {detail}"
    ort = onnxruntime_loader()
    if ort is None:
        return f"onnxruntime-gpu is not installed ({GPU_INSTALL_HINT})"
    providers = ort.get_available_providers()
    if CUDA_PROVIDER not in providers:
        return (f"the installed onnxruntime {getattr(ort, '__version__', '')} has no CUDA "
                f"provider (it is the CPU build): pip uninstall onnxruntime, then "
                f"{GPU_INSTALL_HINT}")
    if use_tensorrt and TENSORRT_PROVIDER not in providers:
        return ("use_tensorrt=True, but the installed onnxruntime has no TensorRT provider "
                "(onnxruntime-gpu with TensorRT 10 libraries is needed)")
    return None


def _effective_precision(precision: str, engine: str, device: str, use_tensorrt: bool) -> str:
    """The precision the engine will really use; a downgrade is logged, never silent."""
    if engine == "openvino" or precision == "fp32":
        return precision  # OpenVINO's CPU plugin takes fp32 / bf16 / fp16 hints itself
    if device == "gpu" and use_tensorrt and precision == "fp16":
        return precision
    where = ("with TensorRT only (use_tensorrt=True)" if device == "gpu" and precision == "fp16"
             else "not with ONNX Runtime on this device")
    logger.warning("precision=%r is available %s; running fp32", precision, where)
    return "fp32"


def engine_factory(plan: EnginePlan, core_config: Any) -> Optional[Callable[..., Any]]:
    """The Python engine factory for `plan`, or None for the core's own OpenVINO engines."""
    if plan.engine == "openvino":
        return None
    from .onnxruntime_engine import ShapeLimits, make_engine_factory

    ort = load_onnxruntime()
    assert ort is not None  # plan_engine checked it
    return make_engine_factory(plan, ShapeLimits.from_core_config(core_config), ort)
