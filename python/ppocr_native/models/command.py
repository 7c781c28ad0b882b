"""``ppocr models``: ``download [NAME ...] [--dir DIR] [--int8]`` and ``list``."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path
from typing import Sequence

from .cache import (
    _CHUNK_SIZE, DICT_FILENAME, MODEL_FILENAME, _atomic_output, _atomic_write_bytes,
    _cache_complete, _sha256_file,
)
from .registry import _DEFAULTS, _REGISTRY, _known_kind, available_models
from .resolve import ResolvedModel, fetch_defaults, resolve_model

# ``--dir DIR`` exports each model for programs that do not use this package (the C++
# library): ``DIR/<name>/inference.onnx`` and, for a text_rec model, ``DIR/<name>/dict.txt``
# holding the full CTC class list, one entry per line, line i = class i (``blank`` first,
# ``" "`` last when the network has that class): exactly ``ResolvedModel.character_dict``,
# i.e. ``ModelFiles::text_rec_characters``. Such a folder is also a valid ``*_model_dir``.

_SUBCOMMANDS = ("download", "list")


def main(argv: Sequence[str] | None = None) -> int:
    """``ppocr models``: download (the default) or list models."""
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if argv[:1] == ["list"]:
        _parser().parse_args(argv)
        return _list_models()
    if argv[:1] == ["download"]:
        args = _parser().parse_args(argv)
        return _download(args.names, args.dir, args.int8)
    if any(a in ("-h", "--help") for a in argv):
        _parser().parse_args(["--help"])
    # The 0.1 form: ``ppocr models [NAME ...] [--list]``. Bare ``ppocr models`` (fetch the
    # defaults into the cache) stays as it is; names and --list point to the new form.
    legacy = argparse.ArgumentParser(prog="ppocr models")
    legacy.add_argument("names", nargs="*")
    legacy.add_argument("--list", action="store_true")
    args = legacy.parse_args(argv)
    if args.list:
        print("note: 'ppocr models --list' is deprecated; use 'ppocr models list'",
              file=sys.stderr)
        return _list_models()
    if args.names:
        print("note: 'ppocr models NAME ...' is deprecated; use 'ppocr models download NAME ...'",
              file=sys.stderr)
    return _download(args.names, None, False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ppocr models",
        description="Fetch OCR models into the cache, or export them to a folder "
                    "(for the C++ library).",
        epilog="examples:\n  ppocr models download                  the defaults, into the cache\n"
               "  ppocr models download --dir models     DIR/<name>/inference.onnx (+ dict.txt)\n"
               "  ppocr models download PP-OCRv5_mobile_det PP-OCRv5_mobile_rec --dir models\n"
               "  ppocr models download --int8           also quantise the det/rec models now\n"
               "  ppocr models list",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{download,list}")
    download = sub.add_parser(
        "download", help="fetch models (default: the five defaults); --dir exports them",
        description="Fetch and verify models (default: the five defaults) into the cache; with "
                    "--dir, also write DIR/<name>/inference.onnx and, for recognition models, "
                    "DIR/<name>/dict.txt (the full CTC class list, one entry per line: line i "
                    "is class i, 'blank' first).")
    download.add_argument("names", nargs="*", metavar="NAME",
                          help="model names from 'ppocr models list'")
    download.add_argument("--dir", default=None, help="export folder (created if missing)")
    download.add_argument("--int8", action="store_true",
                          help="also build the precision='int8' models of the text_det and "
                               "text_rec models among them (NNCF, about a minute each; "
                               "otherwise the first int8 pipeline does it)")
    sub.add_parser("list", help="list the downloadable models",
                   description="List the downloadable models: kind, name, whether it is a "
                               "default and whether it is in the cache.")
    return parser


def _list_models() -> int:
    defaults = set(_DEFAULTS.values())
    print(f"{'kind':22} {'name':28} {'default':8} {'cached':7} package")
    for name in available_models():
        spec = _REGISTRY[name]
        default = "yes" if name in defaults else ""
        cached = "yes" if _cache_complete(spec) else ""
        print(f"{spec.kind:22} {name:28} {default:8} {cached:7} {spec.wheel}")
    return 0


def _download(names: Sequence[str], export_dir: str | None, int8: bool) -> int:
    try:
        if names:
            resolved = [(_kind_of(n), resolve_model(_kind_of(n), n)) for n in names]
        else:
            resolved = list(fetch_defaults().items())
        if export_dir is not None:
            root = Path(export_dir).expanduser()
            for kind, model in resolved:
                print(f"{kind:22} {model.name:28} {export_model(model, root)}")
        else:
            for kind, model in resolved:
                print(f"{kind:22} {model.name:28} {model.model_path}")
        if int8:
            _quantise_all(resolved)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _quantise_all(resolved: Sequence[tuple[str, ResolvedModel]]) -> None:
    from .quantize import QUANTISED_STAGES, int8_model  # NNCF only when asked for

    stages = [(kind, model) for kind, model in resolved if kind in QUANTISED_STAGES]
    if not stages:
        raise ValueError(f"--int8 quantises {' and '.join(QUANTISED_STAGES)} models; "
                         "none was named")
    for kind, model in stages:
        print(f"{kind:22} {model.name + ' int8':28} {int8_model(model, kind).model_path}")


def export_model(model: ResolvedModel, root: Path) -> Path:
    """Writes ``root/<name>/inference.onnx`` (+ ``dict.txt`` for text_rec); returns the dir.

    Files are replaced atomically, so a reader never sees half a file; an up-to-date copy is
    left alone.
    """
    if Path(model.model_path).suffix.lower() != ".onnx":
        raise ValueError(f"{model.name}: only ONNX models can be exported ({model.model_path})")
    dest = root / model.name
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / MODEL_FILENAME
    if not _same_file_content(Path(model.model_path), target):
        _atomic_copy(Path(model.model_path), target)
    if model.character_dict is not None:
        text = "".join(f"{entry}\n" for entry in model.character_dict)
        _atomic_write_bytes(dest / DICT_FILENAME, text.encode("utf-8"))
    return dest


def _same_file_content(source: Path, target: Path) -> bool:
    try:
        if target.stat().st_size != source.stat().st_size:
            return False
    except FileNotFoundError:
        return False
    return _sha256_file(source) == _sha256_file(target)


def _atomic_copy(source: Path, dest: Path) -> None:
    with _atomic_output(dest) as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, _CHUNK_SIZE)


def _kind_of(name: str) -> str:
    kind = _known_kind(name)
    if kind is None:
        raise ValueError(f"unknown model {name!r}; downloadable: {', '.join(available_models())}")
    return kind
