"""``ppocr batch``: its flags (generated from `BatchOptions`) and the command itself."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import typing
from typing import Any, Dict

from ..errors import InvalidArgumentError, ModelNotFoundError, PpocrError
from .options import BatchOptions, flag_name

DESCRIPTION = (
    "OCR many files into record shards (one record per image / PDF page) on a local process "
    "pool or a Ray cluster. Re-running the same command resumes: inputs already done are "
    "skipped, an interrupted job loses at most its current shard. Pipeline flags are those "
    "of 'ppocr ocr'. Prints a JSON summary; exit status 0: every input succeeded, 1: some "
    "have error records, 2: the job could not run.")


def add_batch_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="image, PDF, directory (recursive), glob, URL, or a manifest "
                             "(.txt/.lst/.list or @FILE: one INPUT per line)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="output folder: records/ (shards), manifest/, pdf/")
    hints = typing.get_type_hints(BatchOptions)
    for f in dataclasses.fields(BatchOptions):
        extra: Dict[str, Any] = dict(f.metadata.get("flag", {}))
        help_text = f.metadata["help"]
        if hints[f.name] is bool:
            if f.default:
                parser.add_argument(flag_name("no_" + f.name), dest=f.name,
                                    action="store_false", help=f"do not {help_text}")
            else:
                parser.add_argument(flag_name(f.name), dest=f.name, action="store_true",
                                    help=help_text)
            continue
        kind = next((t for t in typing.get_args(hints[f.name]) or (hints[f.name],)
                     if t in (int, float, str)), str)
        if f.default is not None:
            help_text += f" (default: {f.default})"
        parser.add_argument(flag_name(f.name), dest=f.name, type=kind, default=f.default,
                            help=help_text, **extra)


def run_command(args: argparse.Namespace, ocr_kwargs: Dict[str, Any]) -> int:
    from .runner import run_batch

    if ocr_kwargs.get("text_det_input_shape") is not None:
        ocr_kwargs["text_det_input_shape"] = list(ocr_kwargs["text_det_input_shape"])
    if ocr_kwargs.get("text_rec_input_shape") is not None:
        ocr_kwargs["text_rec_input_shape"] = list(ocr_kwargs["text_rec_input_shape"])
    try:
        options = BatchOptions(**{f.name: getattr(args, f.name)
                                  for f in dataclasses.fields(BatchOptions)})
        summary = run_batch(args.inputs, args.output, options, **ocr_kwargs)
    except KeyboardInterrupt:
        print("ppocr: interrupted; finished inputs are saved, re-run to resume",
              file=sys.stderr)
        return 130
    except (InvalidArgumentError, ModelNotFoundError, FileNotFoundError, PpocrError,
            OSError, ImportError, RuntimeError) as exc:
        print(f"ppocr: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except Exception as exc:  # e.g. a Ray error: committed shards are kept, re-run resumes
        print(f"ppocr: error: {type(exc).__name__}: {' '.join(str(exc).split())}",
              file=sys.stderr)
        return 2
    print(json.dumps(summary.as_dict(), ensure_ascii=False))
    return 1 if summary.failed_total else 0
