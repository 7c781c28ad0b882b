"""The one configuration type, shared by the Python API, the CLI and (later) the service.

`OcrConfig` holds every constructor argument of PaddleOCR 3.x's general OCR pipeline that
ppocr-native implements, under PaddleOCR's own names. ``None`` means "the pipeline
default", resolved in one place (`DEFAULTS`). `PredictOptions` holds the per-call
overrides of ``predict``. `to_core_config` copies a resolved config into the C++ struct.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from typing import Any, Mapping, Optional

from .errors import InvalidArgumentError

LIMIT_TYPES = ("min", "max", "resize_long")
PRECISIONS = ("fp32", "fp16", "bf16")

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
    "device": "cpu",
    # PaddleOCR's 8, but never more threads than cores: oversubscribing OpenVINO's CPU
    # threads made a 2-core machine ~2x slower.
    "cpu_threads": min(8, os.cpu_count() or 1),
    "enable_mkldnn": True,
    "precision": "fp32",
}


@dataclass(frozen=True)
class PredictOptions:
    """Per-call overrides of ``predict``; ``None`` keeps the pipeline's value."""

    use_doc_orientation_classify: Optional[bool] = None
    use_doc_unwarping: Optional[bool] = None
    use_textline_orientation: Optional[bool] = None
    text_det_limit_side_len: Optional[int] = None
    text_det_limit_type: Optional[str] = None
    text_det_thresh: Optional[float] = None
    text_det_box_thresh: Optional[float] = None
    text_det_unclip_ratio: Optional[float] = None
    text_rec_score_thresh: Optional[float] = None

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class OcrConfig(PredictOptions):
    """Constructor arguments of ``PaddleOCR``, named exactly as PaddleOCR 3.x names them."""

    doc_orientation_classify_model_name: Optional[str] = None
    doc_orientation_classify_model_dir: Optional[str] = None
    doc_unwarping_model_name: Optional[str] = None
    doc_unwarping_model_dir: Optional[str] = None
    text_detection_model_name: Optional[str] = None
    text_detection_model_dir: Optional[str] = None
    textline_orientation_model_name: Optional[str] = None
    textline_orientation_model_dir: Optional[str] = None
    textline_orientation_batch_size: Optional[int] = None
    text_recognition_model_name: Optional[str] = None
    text_recognition_model_dir: Optional[str] = None
    text_recognition_batch_size: Optional[int] = None
    device: Optional[str] = None
    cpu_threads: Optional[int] = None
    enable_mkldnn: Optional[bool] = None
    precision: Optional[str] = None

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> "OcrConfig":
        """Builds a config from keyword arguments; unknown names are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise InvalidArgumentError(
                f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
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


def _validate(cfg: PredictOptions) -> None:
    """Checks the values that are set; raises InvalidArgumentError with the parameter name."""

    def check(name: str, ok, expected: str) -> None:
        value = getattr(cfg, name, None)
        if value is not None and not ok(value):
            raise InvalidArgumentError(f"{name} must be {expected}, got {value!r}")

    def is_int(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    def is_number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    for name in ("use_doc_orientation_classify", "use_doc_unwarping", "use_textline_orientation",
                 "enable_mkldnn"):
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
    check("device", lambda v: isinstance(v, str) and v.lower().split(":")[0] == "cpu",
          "'cpu' (this build runs on OpenVINO's CPU plugin)")
    for name in (f.name for f in fields(cfg) if f.name.endswith("_model_dir")):
        check(name, lambda v: isinstance(v, (str, os.PathLike)), "a path")


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
    engine.precision = cfg.value("precision").lower()
    engine.enable_mkldnn = cfg.value("enable_mkldnn")
    out.engine = engine

    out.use_doc_orientation_classify = cfg.value("use_doc_orientation_classify")
    out.use_doc_unwarping = cfg.value("use_doc_unwarping")
    out.use_textline_orientation = cfg.value("use_textline_orientation")
    out.textline_orientation_batch_size = cfg.value("textline_orientation_batch_size")

    det = core.TextDetOptions()
    det.limit_side_len = cfg.value("text_det_limit_side_len")
    det.limit_type = core.parse_limit_type(cfg.value("text_det_limit_type"))
    det.thresh = cfg.value("text_det_thresh")
    det.box_thresh = cfg.value("text_det_box_thresh")
    det.unclip_ratio = cfg.value("text_det_unclip_ratio")
    out.text_det = det

    rec = core.TextRecOptions()
    rec.batch_size = cfg.value("text_recognition_batch_size")
    rec.score_thresh = cfg.value("text_rec_score_thresh")
    out.text_rec = rec
    return out
