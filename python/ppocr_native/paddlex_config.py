"""PaddleX pipeline configs (``OCR.yaml`` layout) to and from `OcrConfig` arguments.

``to_paddlex_dict`` writes what ``PaddleOCR.export_paddlex_config_to_yaml`` saves;
``merge_paddlex_config`` reads such a file (or dict) under the explicitly given arguments,
so explicit arguments always win over the file. Keys this pipeline has no use for
(``hpi_config``, ``text_type``, ...) are ignored.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Mapping, Optional

from .errors import InvalidArgumentError

logger = logging.getLogger("ppocr_native")

MAX_SIDE_LIMIT = 4000  # the core's fixed long-side cap (TextDetOptions.max_side_limit)

# (PaddleX path, OcrConfig field). Paths are keys below the pipeline's top level.
_DOC = ("SubPipelines", "DocPreprocessor")
FIELD_PATHS = (
    (("use_textline_orientation",), "use_textline_orientation"),
    (_DOC + ("use_doc_orientation_classify",), "use_doc_orientation_classify"),
    (_DOC + ("use_doc_unwarping",), "use_doc_unwarping"),
    (_DOC + ("SubModules", "DocOrientationClassify", "model_name"),
     "doc_orientation_classify_model_name"),
    (_DOC + ("SubModules", "DocOrientationClassify", "model_dir"),
     "doc_orientation_classify_model_dir"),
    (_DOC + ("SubModules", "DocUnwarping", "model_name"), "doc_unwarping_model_name"),
    (_DOC + ("SubModules", "DocUnwarping", "model_dir"), "doc_unwarping_model_dir"),
    (("SubModules", "TextDetection", "model_name"), "text_detection_model_name"),
    (("SubModules", "TextDetection", "model_dir"), "text_detection_model_dir"),
    (("SubModules", "TextDetection", "limit_side_len"), "text_det_limit_side_len"),
    (("SubModules", "TextDetection", "limit_type"), "text_det_limit_type"),
    (("SubModules", "TextDetection", "thresh"), "text_det_thresh"),
    (("SubModules", "TextDetection", "box_thresh"), "text_det_box_thresh"),
    (("SubModules", "TextDetection", "unclip_ratio"), "text_det_unclip_ratio"),
    (("SubModules", "TextDetection", "input_shape"), "text_det_input_shape"),
    (("SubModules", "TextLineOrientation", "model_name"), "textline_orientation_model_name"),
    (("SubModules", "TextLineOrientation", "model_dir"), "textline_orientation_model_dir"),
    (("SubModules", "TextLineOrientation", "batch_size"), "textline_orientation_batch_size"),
    (("SubModules", "TextRecognition", "model_name"), "text_recognition_model_name"),
    (("SubModules", "TextRecognition", "model_dir"), "text_recognition_model_dir"),
    (("SubModules", "TextRecognition", "batch_size"), "text_recognition_batch_size"),
    (("SubModules", "TextRecognition", "score_thresh"), "text_rec_score_thresh"),
    (("SubModules", "TextRecognition", "input_shape"), "text_rec_input_shape"),
)
_LANG_DRIVEN = ("text_detection_model_name", "text_detection_model_dir",
                "text_recognition_model_name", "text_recognition_model_dir")


def _yaml():
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - pyyaml is a dependency
        raise ImportError("paddlex_config needs PyYAML: pip install pyyaml") from exc
    return yaml


def load_paddlex_config(source: Any) -> Dict[str, Any]:
    """The config as a dict: ``source`` is a YAML file path or a mapping."""
    if isinstance(source, Mapping):
        return dict(source)
    if not isinstance(source, (str, os.PathLike)):
        raise InvalidArgumentError(
            f"paddlex_config must be a YAML file path or a dict, got {type(source).__name__}")
    if not os.path.isfile(source):
        raise FileNotFoundError(f"paddlex_config file not found: {os.fspath(source)}")
    yaml = _yaml()
    with open(source, encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise InvalidArgumentError(f"paddlex_config {os.fspath(source)}: bad YAML: {exc}")
    if not isinstance(data, Mapping):
        raise InvalidArgumentError(f"paddlex_config {os.fspath(source)}: not a YAML mapping")
    return dict(data)


def _get(tree: Mapping[str, Any], path) -> Any:
    node: Any = tree
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def paddlex_to_kwargs(tree: Mapping[str, Any]) -> Dict[str, Any]:
    """The OcrConfig arguments a PaddleX OCR config sets (None values left out)."""
    name = tree.get("pipeline_name")
    if name is not None and name != "OCR":
        raise InvalidArgumentError(
            f"paddlex_config is a {name!r} pipeline config; expected pipeline_name: OCR")
    out: Dict[str, Any] = {}
    for path, field_name in FIELD_PATHS:
        value = _get(tree, path)
        if value is not None:
            out[field_name] = tuple(value) if field_name.endswith("input_shape") else value
    if tree.get("use_doc_preprocessor") is False:
        out["use_doc_orientation_classify"] = False
        out["use_doc_unwarping"] = False
    limit = _get(tree, ("SubModules", "TextDetection", "max_side_limit"))
    if limit is not None and limit != MAX_SIDE_LIMIT:
        logger.warning("paddlex_config: TextDetection.max_side_limit=%s ignored; this build "
                       "caps the long side at %d", limit, MAX_SIDE_LIMIT)
    return out


def merge_paddlex_config(source: Any, kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    """The file's arguments under the explicit ones (explicit non-None values win).

    As in PaddleOCR, an explicit ``lang``/``ocr_version`` (without explicit detection or
    recognition models) picks the models, so the file's text det/rec models are dropped.
    """
    from_file = paddlex_to_kwargs(load_paddlex_config(source))
    explicit = {k: v for k, v in kwargs.items() if v is not None}
    if ((explicit.get("lang") is not None or explicit.get("ocr_version") is not None)
            and not any(k in explicit for k in _LANG_DRIVEN)):
        for key in _LANG_DRIVEN:
            from_file.pop(key, None)
    return {**from_file, **explicit}


def to_paddlex_dict(cfg, model_names: Mapping[str, Optional[str]]) -> Dict[str, Any]:
    """PaddleX's OCR.yaml layout for a config.

    ``model_names`` maps each stage (doc_orientation, doc_unwarping, text_det,
    textline_orientation, text_rec) to the model it runs.
    """
    v = cfg.value
    det: Dict[str, Any] = {
        "module_name": "text_detection",
        "model_name": model_names["text_det"],
        "model_dir": _path(cfg.text_detection_model_dir),
        "limit_side_len": v("text_det_limit_side_len"),
        "limit_type": v("text_det_limit_type"),
        "max_side_limit": MAX_SIDE_LIMIT,
        "thresh": v("text_det_thresh"),
        "box_thresh": v("text_det_box_thresh"),
        "unclip_ratio": v("text_det_unclip_ratio"),
    }
    if cfg.text_det_input_shape is not None:
        det["input_shape"] = list(cfg.text_det_input_shape)
    rec: Dict[str, Any] = {
        "module_name": "text_recognition",
        "model_name": model_names["text_rec"],
        "model_dir": _path(cfg.text_recognition_model_dir),
        "batch_size": v("text_recognition_batch_size"),
        "score_thresh": v("text_rec_score_thresh"),
    }
    if cfg.text_rec_input_shape is not None:
        rec["input_shape"] = list(cfg.text_rec_input_shape)
    use_ori, use_unwarp = v("use_doc_orientation_classify"), v("use_doc_unwarping")
    return {
        "pipeline_name": "OCR",
        "text_type": "general",
        "use_doc_preprocessor": bool(use_ori or use_unwarp),
        "use_textline_orientation": v("use_textline_orientation"),
        "SubPipelines": {
            "DocPreprocessor": {
                "pipeline_name": "doc_preprocessor",
                "use_doc_orientation_classify": use_ori,
                "use_doc_unwarping": use_unwarp,
                "SubModules": {
                    "DocOrientationClassify": {
                        "module_name": "doc_text_orientation",
                        "model_name": model_names["doc_orientation"],
                        "model_dir": _path(cfg.doc_orientation_classify_model_dir),
                    },
                    "DocUnwarping": {
                        "module_name": "image_unwarping",
                        "model_name": model_names["doc_unwarping"],
                        "model_dir": _path(cfg.doc_unwarping_model_dir),
                    },
                },
            },
        },
        "SubModules": {
            "TextDetection": det,
            "TextLineOrientation": {
                "module_name": "textline_orientation",
                "model_name": model_names["textline_orientation"],
                "model_dir": _path(cfg.textline_orientation_model_dir),
                "batch_size": v("textline_orientation_batch_size"),
            },
            "TextRecognition": rec,
        },
    }


def _path(value: Any) -> Optional[str]:
    return None if value is None else os.fspath(value)


def write_yaml(tree: Mapping[str, Any], path: Any) -> None:
    yaml = _yaml()
    with open(path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(dict(tree), fh, sort_keys=False, allow_unicode=True)
