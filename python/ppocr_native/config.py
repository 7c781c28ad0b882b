"""The one configuration type, shared by the Python API, the CLI and the HTTP service.

`OcrConfig` holds every constructor argument of PaddleOCR 3.x's general OCR pipeline that
ppocr-native implements, under PaddleOCR's own names. ``None`` means "the pipeline
default", resolved in one place (`DEFAULTS`). `PredictOptions` holds the per-call
overrides of ``predict``. `to_core_config` copies a resolved config into the C++ struct.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import re
import warnings
from dataclasses import dataclass, field, fields
from typing import Any, Dict, Mapping, Optional, Tuple

import numpy as np

from .errors import InvalidArgumentError
from .models.onnx_info import model_input_dims

LIMIT_TYPES = ("min", "max", "resize_long")
PRECISIONS = ("fp32", "fp16", "bf16", "int8")
# cpu_kernel_cache when precision="int8" and none is given (OpenVINO's own default).
INT8_KERNEL_CACHE = 5000
# precision="int8": recognition batch widths rounded up to this many columns, so that the
# int8 kernels (costly to prepare per input shape) are reused across batches.
INT8_REC_WIDTH_STEP = 128
ENGINES = ("openvino", "onnxruntime")
_DEVICE_PATTERN = re.compile(r"(cpu|gpu)(:\d+)?", re.IGNORECASE | re.ASCII)

# Effective defaults: what PaddleOCR 3.7 really runs (PaddleX 3.7.2's OCR.yaml), except
# use_doc_unwarping (off: on flat pages UVDoc cost 35-40% time and lost lines; README) and
# the default models (PP-OCRv6 small; README "Models").
DEFAULTS: Mapping[str, Any] = {
    "use_doc_orientation_classify": True,
    "use_doc_unwarping": False,
    "use_textline_orientation": True,
    "textline_orientation_batch_size": 6,
    "text_recognition_batch_size": 6,
    "text_det_limit_side_len": 64,
    "text_det_limit_type": "min",
    "text_det_thresh": 0.3,
    "text_det_box_thresh": 0.6,
    "text_det_unclip_ratio": 1.5,
    "text_rec_score_thresh": 0.0,
    # PaddleOCR's rule for None: GPU 0 when one is usable, else the CPU (engines/selection.py).
    "device": None,
    # None: OpenVINO on the CPU, ONNX Runtime on a GPU.
    "inference_engine": None,
    # PaddleOCR's 8, but never more threads than cores: oversubscribing OpenVINO's CPU
    # threads made a 2-core machine ~2x slower.
    "cpu_threads": min(8, os.cpu_count() or 1),
    "enable_mkldnn": True,
    "precision": "fp32",
    "enable_hpi": False,
    "use_tensorrt": False,
    "min_subgraph_size": 3,
}


def _f(help: str) -> Any:
    """A config field: None by default, with its help text (the one source for --help)."""
    return field(default=None, metadata={"help": help})


# PaddleOCR 2.x names still accepted (with a DeprecationWarning), mapped to the 3.x names.
DEPRECATED_ALIASES: Mapping[str, str] = {
    "det_model_dir": "text_detection_model_dir",
    "det_limit_side_len": "text_det_limit_side_len",
    "det_limit_type": "text_det_limit_type",
    "det_db_thresh": "text_det_thresh",
    "det_db_box_thresh": "text_det_box_thresh",
    "det_db_unclip_ratio": "text_det_unclip_ratio",
    "rec_model_dir": "text_recognition_model_dir",
    "rec_batch_num": "text_recognition_batch_size",
    "use_angle_cls": "use_textline_orientation",
    "cls_model_dir": "textline_orientation_model_dir",
    "cls_batch_num": "textline_orientation_batch_size",
}


@dataclass(frozen=True)
class PredictOptions:
    """Per-call overrides of ``predict``; ``None`` keeps the pipeline's value."""

    use_doc_orientation_classify: Optional[bool] = _f(
        "Load and use the document orientation classification module.")
    use_doc_unwarping: Optional[bool] = _f(
        "Load and use the text image unwarping module (UVDoc).")
    use_textline_orientation: Optional[bool] = _f(
        "Load and use the text line orientation module.")
    text_det_limit_side_len: Optional[int] = _f(
        "Side length limit for text detection (integer > 0).")
    text_det_limit_type: Optional[str] = _f(
        "How the side length limit applies: min, max or resize_long.")
    text_det_thresh: Optional[float] = _f(
        "Detection pixel threshold: probability-map pixels above it are text.")
    text_det_box_thresh: Optional[float] = _f(
        "Detection box threshold: boxes whose mean score is above it are kept.")
    text_det_unclip_ratio: Optional[float] = _f(
        "Text detection expansion coefficient (larger = bigger boxes).")
    text_rec_score_thresh: Optional[float] = _f(
        "Recognition score threshold: lines scoring above it are kept.")

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class OcrConfig(PredictOptions):
    """Constructor arguments of ``PaddleOCR``, named exactly as PaddleOCR 3.x names them."""

    doc_orientation_classify_model_name: Optional[str] = _f(
        "Name of the document orientation classification model.")
    doc_orientation_classify_model_dir: Optional[str] = _f(
        "Directory of the document orientation classification model (never downloaded).")
    doc_unwarping_model_name: Optional[str] = _f("Name of the text image unwarping model.")
    doc_unwarping_model_dir: Optional[str] = _f(
        "Directory of the text image unwarping model (never downloaded).")
    text_detection_model_name: Optional[str] = _f("Name of the text detection model.")
    text_detection_model_dir: Optional[str] = _f(
        "Directory of the text detection model (never downloaded).")
    textline_orientation_model_name: Optional[str] = _f(
        "Name of the text line orientation model.")
    textline_orientation_model_dir: Optional[str] = _f(
        "Directory of the text line orientation model (never downloaded).")
    textline_orientation_batch_size: Optional[int] = _f(
        "Batch size of the text line orientation model.")
    text_recognition_model_name: Optional[str] = _f("Name of the text recognition model.")
    text_recognition_model_dir: Optional[str] = _f(
        "Directory of the text recognition model (never downloaded).")
    text_recognition_batch_size: Optional[int] = _f(
        "Batch size of the text recognition model.")
    text_det_input_shape: Optional[Tuple[int, int, int]] = _f(
        "Fixed input shape C H W of the text detection model (PaddleX resizes every page to "
        "H x W instead of using the side length limit).")
    text_rec_input_shape: Optional[Tuple[int, int, int]] = _f(
        "Input shape C H W of the text recognition model: line height H, minimum width W.")
    lang: Optional[str] = _f(
        "Language of the text (ch, en, japan, chinese_cht, korean, latin codes, ...): picks "
        "the models unless a text detection/recognition model name or dir is given.")
    ocr_version: Optional[str] = _f(
        "PP-OCR version: PP-OCRv6 (small tier, the default), PP-OCRv5 (mobile), PP-OCRv4, "
        "PP-OCRv3.")
    device: Optional[str] = _f(
        "Inference device: cpu, gpu or gpu:N (NVIDIA, through ONNX Runtime: pip install "
        "'ppocr-native[gpu]'). None: GPU 0 when one is usable, else the CPU.")
    inference_engine: Optional[str] = _f(
        "Inference engine: openvino (the CPU default) or onnxruntime (ONNX Runtime; the GPU "
        "engine, also runs on the CPU). Not a PaddleOCR parameter.")
    enable_hpi: Optional[bool] = _f(
        "PaddleX high-performance inference; accepted, no effect (OpenVINO is the engine).")
    use_tensorrt: Optional[bool] = _f(
        "Use TensorRT on a GPU (ONNX Runtime's TensorRT provider, engines cached on disk); "
        "no effect on the CPU.")
    min_subgraph_size: Optional[int] = _f(
        "Minimum TensorRT subgraph size (with use_tensorrt on a GPU).")
    precision: Optional[str] = _f(
        "Computational precision: fp32, fp16 or bf16; int8 (not a PaddleOCR value): the "
        "detector and recogniser quantised once with NNCF (the [int8] extra), CPU only.")
    enable_mkldnn: Optional[bool] = _f(
        "MKL-DNN (oneDNN); OpenVINO's CPU plugin always uses it.")
    cpu_threads: Optional[int] = _f("Number of CPU inference threads.")
    cpu_kernel_cache: Optional[int] = _f(
        "Not a PaddleOCR parameter: how many prepared kernels (per input shape and node) "
        "OpenVINO's CPU plugin keeps per model (its CPU_RUNTIME_CACHE_CAPACITY; default "
        "300, about three detector input sizes, 5000 with precision int8; OpenVINO's own is "
        "5000). Higher is about a "
        "sixth faster for a run that keeps coming back to more sizes than that, at hundreds "
        "of MB over many sizes; lower trades speed on repeated sizes for memory; 0 keeps "
        "none.")
    idle_release_ms: Optional[int] = _f(
        "Not a PaddleOCR parameter: hand OpenVINO's working buffers back once the pipeline "
        "has had no call for this many milliseconds (default 1000). Calls in between reuse "
        "them (back to back, about a tenth faster), unless 16 calls in a row needed at most "
        "half of them (an outsized page does not pin its memory); 0 = after every call and the detector's "
        "before recognition, the lowest peak (a call peaks at its larger stage, not both).")
    paddlex_config: Optional[Any] = _f(
        "PaddleX pipeline config (YAML path, or a dict in Python); explicit arguments win.")

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> "OcrConfig":
        """Builds a config from keyword arguments.

        Unknown names are an error; PaddleOCR 2.x aliases map to their 3.x name with a
        DeprecationWarning (alias and new name together: InvalidArgumentError, as
        PaddleOCR's ValueError); a ``paddlex_config`` file fills what is not given.
        """
        kwargs = map_deprecated(kwargs)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise InvalidArgumentError(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        if kwargs.get("paddlex_config") is not None:
            from .paddlex_config import merge_paddlex_config

            kwargs = merge_paddlex_config(kwargs["paddlex_config"], kwargs)
        return cls(**kwargs)

    def value(self, name: str) -> Any:
        """The effective value of a field: the given one, else the pipeline default."""
        given = getattr(self, name)
        return DEFAULTS.get(name) if given is None else given

    def with_overrides(self, overrides: PredictOptions) -> "OcrConfig":
        """A copy with the non-None per-call overrides applied (the original is untouched)."""
        changes = {
            f.name: getattr(overrides, f.name)
            for f in fields(PredictOptions)
            if getattr(overrides, f.name) is not None
        }
        return dataclasses.replace(self, **changes)


def map_deprecated(kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    """Renames PaddleOCR 2.x aliases (DeprecationWarning); alias + new name is an error."""
    out = dict(kwargs)
    for old, new in DEPRECATED_ALIASES.items():
        if old not in out:
            continue
        value = out.pop(old)
        if value is None:
            continue
        warnings.warn(f"The parameter `{old}` has been deprecated and will be removed in the "
                      f"future. Please use `{new}` instead.", DeprecationWarning, stacklevel=4)
        if out.get(new) is not None:
            raise InvalidArgumentError(f"`{old}` and `{new}` are mutually exclusive.")
        out[new] = value
    return out


_INT32_MAX = 2**31 - 1
_FLOAT32_MAX = 3.4e38


def _validate(cfg: PredictOptions) -> None:
    """Checks the values that are set; raises InvalidArgumentError with the parameter name."""

    def check(name: str, ok, expected: str) -> None:
        value = getattr(cfg, name, None)
        if value is not None and not ok(value):
            raise InvalidArgumentError(f"{name} must be {expected}, got {value!r}")

    # numpy scalars are accepted (PaddleOCR takes them); values must fit the C++ fields
    # (int32, finite float32), or pybind11 would answer with a TypeError.
    def is_int(v: Any) -> bool:
        return (isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))
                and -_INT32_MAX <= int(v) <= _INT32_MAX)

    def is_number(v: Any) -> bool:
        if not isinstance(v, numbers.Real) or isinstance(v, (bool, np.bool_)):
            return False
        try:
            return math.isfinite(float(v)) and abs(float(v)) <= _FLOAT32_MAX
        except OverflowError:
            return False

    for name in ("text_det_input_shape", "text_rec_input_shape"):
        value = getattr(cfg, name, None)
        if value is not None:
            if (not isinstance(value, (list, tuple)) or len(value) != 3
                    or not all(is_int(v) and v > 0 for v in value)):
                raise InvalidArgumentError(
                    f"{name} must be three positive integers (C, H, W), got {value!r}")
            object.__setattr__(cfg, name, tuple(value))
    if getattr(cfg, "ocr_version", None) is not None:
        from .lang import OCR_VERSIONS

        check("ocr_version", lambda v: v in OCR_VERSIONS, f"one of {OCR_VERSIONS}")
    check("lang", lambda v: isinstance(v, str) and v != "", "a language code string")
    check("min_subgraph_size", lambda v: is_int(v) and v > 0, "a positive integer")
    check("cpu_kernel_cache", lambda v: is_int(v) and v >= 0, "an integer >= 0")
    check("idle_release_ms", lambda v: is_int(v) and v >= 0, "an integer >= 0")
    check("paddlex_config", lambda v: isinstance(v, (str, os.PathLike, Mapping)),
          "a YAML file path or a dict")
    for name in ("use_doc_orientation_classify", "use_doc_unwarping", "use_textline_orientation",
                 "enable_mkldnn", "enable_hpi", "use_tensorrt"):
        check(name, lambda v: isinstance(v, bool), "True or False")
    for name in ("text_det_limit_side_len", "textline_orientation_batch_size",
                 "text_recognition_batch_size", "cpu_threads"):
        check(name, lambda v: is_int(v) and v > 0, "a positive integer")
    for name in ("text_det_thresh", "text_det_box_thresh", "text_det_unclip_ratio"):
        check(name, lambda v: is_number(v) and v > 0, "a number > 0")
    check("text_rec_score_thresh", lambda v: is_number(v) and v >= 0, "a number >= 0")
    check("text_det_limit_type", lambda v: v in LIMIT_TYPES, f"one of {LIMIT_TYPES}")
    check("precision", lambda v: isinstance(v, str) and v.lower() in PRECISIONS,
          f"one of {PRECISIONS}")
    check("device", lambda v: isinstance(v, str) and _DEVICE_PATTERN.fullmatch(v) is not None,
          "'cpu', 'gpu' or 'gpu:N' (NVIDIA GPUs, through ONNX Runtime; no npu/xpu/mlu/dcu "
          "support in this build)")
    check("inference_engine", lambda v: v in ENGINES, f"one of {ENGINES}")
    for name in (f.name for f in fields(cfg) if f.name.endswith("_model_dir")):
        check(name, lambda v: isinstance(v, (str, os.PathLike)), "a path")


def parse_device(device: Optional[str]) -> Tuple[Optional[str], int]:
    """("cpu" | "gpu" | None, card index) of a validated ``device`` value; None: automatic."""
    if device is None:
        return None, 0
    kind, _, index = device.lower().partition(":")
    return kind, int(index or 0)


def run_options(cfg: PredictOptions, core) -> Any:
    """The C++ RunOptions for a call's overrides (only the fields that are set)."""
    options = core.RunOptions()
    for f in fields(PredictOptions):
        value = getattr(cfg, f.name)
        if value is None:
            continue
        if f.name == "text_det_limit_type":
            value = core.parse_limit_type(value)
        setattr(options, f.name, value)
    return options


def compiled_cache_dir() -> str:
    """Where OpenVINO keeps compiled models between processes ('' = no cache).

    Beside the model cache (``<cache root>/compiled``). The cache is keyed by OpenVINO on
    the model, the compile options, its own version and the CPU, so a stale entry is never
    used. An unwritable location just means compiling at every start.
    """
    from .models import cache_dir  # models imports config; import here to avoid a cycle

    path = cache_dir().parent / "compiled"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return ""
    return str(path) if os.access(path, os.W_OK) else ""


# PaddleOCR 2.x's text-line classifiers read 48 x 192 lines (kept aspect ratio, padded);
# PaddleX's PP-LCNet textline models 80 x 160 (stretched). The name tells them apart, or for
# a user's model under another name the input the model declares (the ONNX export of
# ch_ppocr_mobile_v2.0_cls that ships here leaves its height and width dynamic).
PADDLEOCR2_CLASSIFIERS = ("ch_ppocr_mobile_v2.0_cls",)
PADDLEOCR2_CLASSIFIER_HW = (48, 192)


def textline_input(model: Any, core) -> Any:
    """How the core feeds lines to this text-line orientation model (core.TextlineInput)."""
    if model.name in PADDLEOCR2_CLASSIFIERS:
        return core.TextlineInput.aspect_padded
    dims = model_input_dims(model.model_path)
    if dims is not None and tuple(dims[-2:]) == PADDLEOCR2_CLASSIFIER_HW:
        return core.TextlineInput.aspect_padded
    return core.TextlineInput.stretched


def to_core_config(cfg: OcrConfig, models: Mapping[str, Any], core) -> Any:
    """Copies a config and its resolved models into the C++ PipelineConfig."""
    out = core.PipelineConfig()
    files = core.ModelFiles()
    for kind, resolved in models.items():
        setattr(files, kind, resolved.model_path)
    files.text_rec_characters = list(models["text_rec"].character_dict)
    out.models = files

    engine = core.EngineOptions()
    engine.device = "CPU"
    engine.cpu_threads = cfg.value("cpu_threads")
    precision = cfg.value("precision").lower()
    # int8 lives in the (quantised) model files; what is left in float runs at fp32.
    engine.precision = "fp32" if precision == "int8" else precision
    engine.enable_mkldnn = cfg.value("enable_mkldnn")
    engine.cache_dir = compiled_cache_dir()
    if cfg.value("cpu_kernel_cache") is not None:
        engine.runtime_cache_capacity = cfg.value("cpu_kernel_cache")
    elif precision == "int8":
        # int8 kernels cost far more to prepare per input shape than fp32 ones: with the
        # default 300 entries the preset ran no faster than fp32 (README "Precision").
        engine.runtime_cache_capacity = INT8_KERNEL_CACHE
    out.engine = engine

    out.use_doc_orientation_classify = cfg.value("use_doc_orientation_classify")
    out.use_doc_unwarping = cfg.value("use_doc_unwarping")
    out.use_textline_orientation = cfg.value("use_textline_orientation")
    out.textline_orientation_batch_size = cfg.value("textline_orientation_batch_size")
    if "textline_orientation" in models:
        out.textline_orientation_input = textline_input(models["textline_orientation"], core)
    if cfg.value("idle_release_ms") is not None:
        out.idle_release_ms = cfg.value("idle_release_ms")

    det = core.TextDetOptions()
    det.limit_side_len = cfg.value("text_det_limit_side_len")
    det.limit_type = core.parse_limit_type(cfg.value("text_det_limit_type"))
    det.thresh = cfg.value("text_det_thresh")
    det.box_thresh = cfg.value("text_det_box_thresh")
    det.unclip_ratio = cfg.value("text_det_unclip_ratio")
    if cfg.text_det_input_shape is not None:
        _, det.input_height, det.input_width = cfg.text_det_input_shape
    out.text_det = det

    rec = core.TextRecOptions()
    rec.batch_size = cfg.value("text_recognition_batch_size")
    rec.score_thresh = cfg.value("text_rec_score_thresh")
    if cfg.text_rec_input_shape is not None:
        _, height, width = cfg.text_rec_input_shape
        rec.image_height = height
        rec.min_image_width = width
        rec.max_image_width = max(rec.max_image_width, width)
    if precision == "int8":
        rec.width_step = INT8_REC_WIDTH_STEP
    out.text_rec = rec
    return out
