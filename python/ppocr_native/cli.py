"""The ``ppocr`` command.

    ppocr ocr -i INPUT [--save_path DIR] [--paddlex_config YAML] [--<parameter> VALUE ...]
    ppocr serve [--host H] [--port P] [--workers N] [--<parameter> VALUE ...]   HTTP service
    ppocr models download [NAME ...] [--dir DIR]   fetch models (--dir: export for C++)
    ppocr models list                               the downloadable models
    ppocr batch INPUT... --output DIR [--engine local|ray] [--<parameter> VALUE ...]

Every flag is generated from `OcrConfig`'s fields, so the CLI takes exactly PaddleOCR's
parameter names and never drifts from the Python API.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import typing
import warnings
from pathlib import Path
from typing import Any, List, Optional

from .config import DEFAULTS, DEPRECATED_ALIASES, OcrConfig
from .lang import OCR_VERSIONS
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


def _help(f: dataclasses.Field) -> str:
    text = f.metadata.get("help", "")
    default = DEFAULTS.get(f.name)
    if f.name in ("text_detection_model_name", "text_recognition_model_name"):
        default = "PP-OCRv6_small_*"
    if default is not None:
        text += f" (default: {default})"
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ppocr",
        description="PaddleOCR 3.x's general OCR pipeline on a native C++/OpenVINO core.",
        epilog="examples:\n  ppocr ocr -i page.jpg --save_path output\n"
               "  ppocr ocr -i scans/ --lang en --ocr_version PP-OCRv5\n"
               "  ppocr serve --port 8080 --cpu_threads 4\n"
               "  ppocr models list\n\nrun 'ppocr ocr --help' for every OCR flag.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{ocr,serve,models,batch}")
    ocr = sub.add_parser(
        "ocr", help="run the general OCR pipeline on images, directories, PDFs or URLs",
        description="Run the general OCR pipeline; prints each result as PaddleOCR does. "
                    "Booleans take True or False.")
    sub.add_parser("models", help="download (default: the defaults; --dir DIR exports them "
                   "for C++) or list models; 'ppocr models --help' for more", add_help=False)
    ocr.add_argument("-i", "--input", required=True,
                     help="image file, directory, PDF file or URL to predict")
    ocr.add_argument("--save_path", default=None,
                     help="directory for *_res.json and *_ocr_res_img.*; not saved if unset")
    _add_config_flags(ocr)
    serve = sub.add_parser(
        "serve", help="run the OCR HTTP service (PaddleOCR's basic-serving API: POST /ocr)",
        description="Serve POST /ocr (PaddleOCR's basic-serving API), GET /health and the "
                    "OpenAPI docs at /docs with FastAPI + uvicorn; one pipeline per worker. "
                    "Pipeline flags are those of 'ppocr ocr'. Booleans take True or False.")
    _add_serve_flags(serve)
    _add_config_flags(serve)
    from .batch.command import DESCRIPTION as BATCH_DESCRIPTION, add_batch_flags

    batch = sub.add_parser(
        "batch", help="OCR many files into record shards, locally or on Ray; resumable",
        description=BATCH_DESCRIPTION)
    add_batch_flags(batch)
    _add_config_flags(batch)
    return parser


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per OcrConfig field (and the deprecated 2.x aliases)."""
    hints = typing.get_type_hints(OcrConfig)
    for f in dataclasses.fields(OcrConfig):
        extra: dict = {}
        if f.name.endswith("_input_shape"):
            extra = dict(nargs=3, type=int, metavar=("C", "H", "W"))
        elif f.name == "paddlex_config":
            extra = dict(type=str, metavar="YAML")
        elif f.name == "ocr_version":
            extra = dict(type=str, choices=OCR_VERSIONS)
        else:
            extra = dict(type=_flag_type(hints[f.name]))
            if extra["type"] is _parse_bool:
                extra["metavar"] = "{True,False}"
        parser.add_argument(f"--{f.name}", default=None, help=_help(f), **extra)
    for old, new in DEPRECATED_ALIASES.items():
        parser.add_argument(f"--{old}", default=None, type=_flag_type(hints[new]),
                         help=f"[Deprecated] Please use `--{new}` instead.")


def _limit(text: str) -> Optional[int]:
    """A positive integer, or none/null for no limit."""
    if text.strip().lower() in ("none", "null"):
        return None
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or none, got {text!r}")
    return value


def _add_serve_flags(parser: argparse.ArgumentParser) -> None:
    from .image_io import MAX_PIXELS

    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default: 8080)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes, each with its own pipeline (default: 1)")
    parser.add_argument("--max_concurrency", type=int, default=1,
                        help="requests run at once per worker (threads; default: 1)")
    parser.add_argument("--queue_size", type=int, default=8,
                        help="requests waiting per worker beyond those running; when full the "
                             "service answers 503 (default: 8)")
    parser.add_argument("--max_body_mb", type=float, default=100.0,
                        help="largest request body in MiB, else 413 (default: 100)")
    parser.add_argument("--max_pixels", type=int, default=MAX_PIXELS,
                        help=f"largest image / PDF page in pixels, else 422 (default: {MAX_PIXELS})")
    parser.add_argument("--max_num_input_imgs", type=_limit, default=10, metavar="{N,none}",
                        help="PDF pages processed per request; none = every page (default: 10, "
                             "PaddleOCR's)")
    parser.add_argument("--allow_url_fetch", type=_parse_bool, default=False,
                        metavar="{True,False}",
                        help="accept http(s) URLs in `file` (off by default: SSRF); "
                             "see --url_allow_list")
    parser.add_argument("--url_allow_list", default="", metavar="HOST,HOST",
                        help="hosts URLs may point to (every redirect too); empty = any host")
    parser.add_argument("--visualize", type=_parse_bool, default=True, metavar="{True,False}",
                        help="return ocrImage/docPreprocessingImage/inputImage by default "
                             "(a request's `visualize` wins; default: True, as PaddleX)")


def _serve(args: argparse.Namespace, kwargs: dict) -> int:
    try:
        from .serving.app import ServiceSettings, serve
    except ImportError as exc:
        print(f"ppocr: error: the service needs fastapi and uvicorn ({exc})", file=sys.stderr)
        return 2
    for old, new in DEPRECATED_ALIASES.items():
        if old in kwargs:
            print(f"ppocr: warning: --{old} is deprecated; use --{new}", file=sys.stderr)
    if kwargs.get("text_det_input_shape") is not None:
        kwargs["text_det_input_shape"] = list(kwargs["text_det_input_shape"])
    if kwargs.get("text_rec_input_shape") is not None:
        kwargs["text_rec_input_shape"] = list(kwargs["text_rec_input_shape"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            OcrConfig.from_kwargs(kwargs)  # bad options fail here, before binding the port
    except (InvalidArgumentError, FileNotFoundError, OSError) as exc:
        print(f"ppocr: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    settings = ServiceSettings(
        host=args.host, port=args.port, workers=max(1, args.workers), pipeline_kwargs=kwargs,
        max_body_mb=args.max_body_mb, max_pixels=args.max_pixels,
        max_num_input_imgs=args.max_num_input_imgs, queue_size=max(0, args.queue_size),
        max_concurrency=max(1, args.max_concurrency), allow_url_fetch=args.allow_url_fetch,
        url_allow_list=[h.strip() for h in args.url_allow_list.split(",") if h.strip()],
        visualize=args.visualize)
    serve(settings)
    return 0


class _Progress:
    """A progress display on stderr: tqdm if installed, else one rewritten line."""

    def __init__(self, total: Optional[int], enabled: bool):
        self.enabled, self.total, self.count = enabled, total, 0
        self._bar = None
        if enabled:
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=total, unit="img", file=sys.stderr)
            except ImportError:
                pass

    def step(self) -> None:
        self.count += 1
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(1)
            return
        of = f"/{self.total}" if self.total else ""
        sys.stderr.write(f"\rppocr: {self.count}{of} done")
        sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        elif self.count:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _progress_for(source: str) -> _Progress:
    """A progress display for a directory or a PDF when stderr is a terminal."""
    path = Path(source)
    total: Optional[int] = None
    wanted = False
    if path.is_dir():
        from .inputs import IMAGE_SUFFIXES

        wanted = True
        total = sum(1 for c in path.iterdir() if c.suffix.lower() in IMAGE_SUFFIXES)
    elif source.lower().split("?")[0].endswith(".pdf"):
        wanted = True
    return _Progress(total, wanted and sys.stderr.isatty())


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["models"]:
        from . import models

        return models.main(argv[1:])
    args = build_parser().parse_args(argv)
    names = [f.name for f in dataclasses.fields(OcrConfig)] + list(DEPRECATED_ALIASES)
    kwargs = {n: getattr(args, n) for n in names if getattr(args, n) is not None}
    if args.command == "serve":
        return _serve(args, kwargs)
    if args.command == "batch":
        from .batch.command import run_command

        return run_command(args, kwargs)
    progress = None
    try:
        from .pipeline import PaddleOCR

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for old, new in DEPRECATED_ALIASES.items():
                if old in kwargs:
                    print(f"ppocr: warning: --{old} is deprecated; use --{new}", file=sys.stderr)
            ocr = PaddleOCR(**kwargs)
        progress = _progress_for(args.input)
        for res in ocr.predict_iter(args.input):
            res.print()
            if args.save_path:
                res.save_to_json(args.save_path)
                res.save_to_img(args.save_path)
            progress.step()
    except (InvalidArgumentError, ModelNotFoundError, FileNotFoundError, PpocrError,
            OSError, ImportError) as exc:
        if progress is not None:
            progress.close()
        message = " ".join(str(exc).split())
        print(f"ppocr: error: {message}", file=sys.stderr)
        return 2
    if progress is not None:
        progress.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
