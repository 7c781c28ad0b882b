"""Character dictionaries: raw entry lists -> the full CTC class list of a recogniser.

Entries come from a one-entry-per-line file or from an ONNX model's ``character``
metadata; :func:`normalize_character_list` adds PaddleOCR's ``"blank"`` and space.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .onnx_info import OnnxInfo

# PaddleOCR's CTC blank token; it is literally the word "blank" in v5's dict file.
BLANK = "blank"


def normalize_character_list(chars: Iterable[str]) -> tuple[str, ...]:
    """Turn a raw dictionary into the full CTC class list.

    PaddleOCR's CTC decoder puts ``"blank"`` at index 0 and (with
    ``use_space_char=True``, the default of every PP-OCR rec model) appends a
    space.  Some dictionaries (v5's ``ppocr_keys_v5.txt``) already contain
    both, so each is added only if missing.
    """
    classes = list(chars)
    if not classes:
        raise ValueError("empty character dictionary")
    if classes[0] != BLANK:
        classes.insert(0, BLANK)
    if classes[-1] != " ":
        classes.append(" ")
    return tuple(classes)


def read_dict_file(path: str | os.PathLike[str]) -> list[str]:
    """Read a one-entry-per-line dictionary, keeping each line exactly.

    Only the line terminator goes (``\\n`` or ``\\r\\n``); a line holding a
    single space is a real entry and is kept, as is a missing final newline.
    A UTF-8 byte-order mark is dropped.
    """
    text = Path(path).read_bytes().decode("utf-8")
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _metadata_characters(info: OnnxInfo) -> list[str] | None:
    value = info.metadata.get("character")
    if not value:
        return None
    # Exporters join with "\n"; split on exactly that (str.splitlines would
    # also split on characters like U+2028 that may be dictionary entries).
    chars = value.split("\n")
    if chars[-1] == "":
        chars.pop()
    return chars
