"""The ``ppocr`` command.

    ppocr ocr -i INPUT [--save_path DIR] [--<parameter> VALUE ...]
    ppocr models [NAME ...] [--list]      fetch models into the cache

Every flag is generated from `OcrConfig`'s fields, so the CLI takes exactly PaddleOCR's
parameter names and never drifts from the Python API.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import typing
from typing import Any, List, Optional

from .config import OcrConfig
from .errors import InvalidArgumentError, ModelNotFoundError, PpocrError


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected True or False, got {text!r}")


def _flag_type(annotation: Any):
    """The argparse converter for an Optional[T] dataclass field."""
    hints = {bool: _parse_bool, int: int, float: float, str: str}
    args = typing.get_args(annotation) or (annotation,)
    for candidate in args:
        if candidate in hints:
            return hints[candidate]
    return str


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ppocr", description="PaddleOCR-compatible OCR, native core")
    sub = parser.add_subparsers(dest="command", required=True)
    ocr = sub.add_parser("ocr", help="run the general OCR pipeline")
    ocr.add_argument("-i", "--input", required=True, help="image file, directory or list")
    sub.add_parser("models", help="fetch models into the cache (default: the defaults)",
                   add_help=False)
    ocr.add_argument("--save_path", default=None, help="directory for *_res.json and *_ocr_res_img.*")
    hints = typing.get_type_hints(OcrConfig)
    for f in dataclasses.fields(OcrConfig):
        ocr.add_argument(f"--{f.name}", type=_flag_type(hints[f.name]), default=None)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["models"]:
        from . import models

        return models.main(argv[1:])
    args = build_parser().parse_args(argv)
    kwargs = {f.name: getattr(args, f.name) for f in dataclasses.fields(OcrConfig)
              if getattr(args, f.name) is not None}
    try:
        from .pipeline import PaddleOCR

        ocr = PaddleOCR(**kwargs)
        for res in ocr.predict_iter(args.input):
            res.print()
            if args.save_path:
                res.save_to_json(args.save_path)
                res.save_to_img(args.save_path)
    except (InvalidArgumentError, ModelNotFoundError, FileNotFoundError, PpocrError) as exc:
        print(f"ppocr: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
