"""User-given model dirs: pick the network file and find a recogniser's dictionary.

A directory may hold ``inference.onnx``, ``inference.xml`` (+ ``.bin``), exactly one
``*.onnx`` or ``*.xml``, or a Paddle-format model (converted once, see
:mod:`ppocr_native.paddle_convert`).  A text_rec dictionary comes from the ONNX
metadata, ``inference.yml`` or a single ``*.txt`` beside the model, and is checked
against the network's class count.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from ..errors import ModelNotFoundError
from .dictionaries import _metadata_characters, normalize_character_list, read_dict_file
from .inference_yml import parse_yml_character_dict
from .onnx_info import OnnxInfo, read_onnx_info
from .registry import _DIR_PARAM

_log = logging.getLogger(__name__)


def _find_model_file(kind: str, p: Path) -> Path:
    """Pick the network file from a user-given path (see :func:`resolve_model`)."""
    param = _DIR_PARAM[kind]
    if not p.exists():
        raise ModelNotFoundError(f"{param}: {p} does not exist")
    if p.is_file():
        if p.suffix.lower() == ".onnx":
            return p
        if p.suffix.lower() == ".xml":
            return _with_bin(param, p)
        raise ModelNotFoundError(f"{param}: {p} is not an .onnx or OpenVINO .xml file")
    if (p / "inference.onnx").is_file():
        return p / "inference.onnx"
    if (p / "inference.xml").is_file():
        return _with_bin(param, p / "inference.xml")
    onnx = sorted(f for f in p.glob("*.onnx") if f.is_file())
    if len(onnx) == 1:
        return onnx[0]
    xml = sorted(f for f in p.glob("*.xml") if f.is_file() and f.with_suffix(".bin").is_file())
    if not onnx and len(xml) == 1:
        return xml[0]
    if not onnx and not xml:
        from .. import paddle_convert  # late: only Paddle-format dirs need it

        if paddle_convert.is_paddle_dir(p):
            # PaddleOCR 3.x's own format: converted to ONNX once, into the cache.
            return paddle_convert.convert_paddle_dir(p) / paddle_convert.ONNX_FILENAME
    raise ModelNotFoundError(_no_model_message(param, p, onnx, xml))


def _with_bin(param: str, xml: Path) -> Path:
    if not xml.with_suffix(".bin").is_file():
        raise ModelNotFoundError(f"{param}: {xml} has no weights file {xml.stem}.bin")
    return xml


def _no_model_message(param: str, p: Path, onnx: list[Path], xml: list[Path]) -> str:
    looked = (
        "looked for inference.onnx, inference.xml (+ .bin), exactly one *.onnx, "
        "or exactly one *.xml with its .bin"
    )
    found = ", ".join(f.name for f in onnx + xml) or "none of these"
    msg = f"{param}: no model file in {p}; {looked}; found: {found}"
    if (p / "inference.json").is_file() or (p / "inference.pdmodel").is_file():
        msg += (
            " (this is a Paddle-format model but inference.json + inference.pdiparams "
            "are not both there; a complete one is converted to ONNX with the extra "
            "pip install 'ppocr-native[paddle]', or export it yourself with paddle2onnx)"
        )
    return msg


def _read_inference_yml(directory: Path) -> str | None:
    path = directory / "inference.yml"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _user_dir_characters(model_path: Path, yml: str | None) -> tuple[str, ...]:
    """Dictionary of a user-supplied text_rec model, normalised and checked.

    Sources in order: ONNX metadata ``character``, ``inference.yml``
    ``PostProcess.character_dict``, a single ``*.txt`` beside the model.
    """
    num_classes = None
    chars: list[str] | None = None
    if model_path.suffix.lower() == ".onnx":
        try:
            info = read_onnx_info(model_path)
        except (OSError, ValueError) as exc:
            # Let the inference engine report a broken model; still find a dict.
            _log.warning("cannot read ONNX metadata of %s: %s", model_path, exc)
        else:
            chars = _metadata_characters(info)
            num_classes = _num_classes(info)
    if chars is None and yml is not None:
        chars = parse_yml_character_dict(yml)
    if chars is None:
        txt = _single_dict_file(model_path.parent)
        chars = read_dict_file(txt) if txt is not None else None
    if not chars:
        raise ModelNotFoundError(
            f"no character dictionary for text_rec model {model_path}: looked for ONNX "
            "metadata 'character', inference.yml PostProcess.character_dict, and a single "
            "*.txt dictionary file beside the model"
        )
    return _classes_for_network(chars, num_classes, model_path)


def _single_dict_file(directory: Path) -> Path | None:
    txts = sorted(f for f in directory.glob("*.txt") if f.is_file())
    if len(txts) > 1:  # prefer an obvious dictionary name over e.g. README.txt
        txts = [f for f in txts if "dict" in f.name.lower() or "keys" in f.name.lower()]
    if len(txts) > 1:
        raise ModelNotFoundError(
            f"several dictionary candidates in {directory}: {', '.join(f.name for f in txts)}"
        )
    return txts[0] if txts else None


def _num_classes(info: OnnxInfo) -> int | None:
    if not info.outputs:
        return None
    dims = info.outputs[0][1]
    return dims[-1] if dims and isinstance(dims[-1], int) and dims[-1] > 0 else None


def _classes_for_network(
    chars: Sequence[str], num_classes: int | None, model_path: Path
) -> tuple[str, ...]:
    """Normalise ``chars`` and check the count against the network's output.

    A model trained with ``use_space_char=False`` has one class fewer; if the
    appended space is exactly the surplus it is dropped again.
    """
    classes = normalize_character_list(chars)
    if num_classes is None or len(classes) == num_classes:
        return classes
    if chars[-1] != " " and len(classes) - 1 == num_classes:
        return classes[:-1]
    raise ValueError(
        f"dictionary for {model_path} gives {len(classes)} classes (with blank and space) "
        f"but the network outputs {num_classes}"
    )
