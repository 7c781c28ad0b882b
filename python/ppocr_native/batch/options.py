"""The batch job's own options (the pipeline's stay in `OcrConfig`).

`BatchOptions` is the one place these are declared: the ``ppocr batch`` flags are generated
from its fields (name, type, choices, help), as ``ppocr ocr``'s are from `OcrConfig`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Optional

from ..errors import InvalidArgumentError

ENGINES = ("local", "ray")
FORMATS = ("jsonl", "parquet")
TEXT_LAYER_SCOPES = ("none", "pdfs", "all")


def _opt(default, help: str, **flag) -> dataclasses.Field:
    """A field with its --help text and extra argparse settings (choices, metavar, const)."""
    return field(default=default, metadata={"help": help, "flag": flag})


@dataclass(frozen=True)
class BatchOptions:
    """How a batch job runs and where its outputs go."""

    format: str = _opt("jsonl", "record shard format", choices=FORMATS)
    engine: str = _opt("local", "local: a process pool on this machine; ray: Ray Data on a "
                       "local Ray instance or the cluster at --ray-address", choices=ENGINES)
    workers: Optional[int] = _opt(
        None, "OCR worker processes (local) or the most Ray actors; each loads the pipeline "
        "once (default: the CPUs, of this machine or the Ray cluster, divided by --cpu_threads)", metavar="N")
    ray_address: Optional[str] = _opt(
        None, "address of a running Ray cluster (e.g. ray://head:10001 or auto); default: "
        "start a local Ray instance", metavar="ADDR")
    pdf_text_layer: str = _opt(
        "none", "write a searchable PDF (the page plus an invisible text layer on the "
        "recognised lines) for every input PDF (pdfs), or for images too (all), under "
        "OUTPUT/pdf/", choices=TEXT_LAYER_SCOPES, nargs="?", const="pdfs")
    retry_failed: bool = _opt(
        False, "redo the inputs whose records carry an error (a plain re-run keeps them)")
    shard_pages: int = _opt(
        1000, "pages per output shard; a shard is the unit that an interruption can lose",
        metavar="N")
    shard_seconds: float = _opt(
        300.0, "commit the current shard after this many seconds even if it is not full",
        metavar="S")
    queue_size: Optional[int] = _opt(
        None, "inputs submitted to the local pool ahead of the workers (default: 2 per "
        "worker): bounds the memory the queue holds", metavar="N")
    progress: bool = _opt(True, "show progress (pages/s, ETA) on stderr")

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise InvalidArgumentError(f"format must be one of {FORMATS}, got {self.format!r}")
        if self.engine not in ENGINES:
            raise InvalidArgumentError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        if self.pdf_text_layer not in TEXT_LAYER_SCOPES:
            raise InvalidArgumentError(
                f"pdf_text_layer must be one of {TEXT_LAYER_SCOPES}, got {self.pdf_text_layer!r}")
        for name in ("workers", "queue_size"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise InvalidArgumentError(f"{name} must be at least 1, got {value}")
        if self.shard_pages < 1:
            raise InvalidArgumentError(f"shard_pages must be at least 1, got {self.shard_pages}")
        if not self.shard_seconds > 0:
            raise InvalidArgumentError(
                f"shard_seconds must be positive, got {self.shard_seconds}")
        if self.ray_address is not None and self.engine != "ray":
            raise InvalidArgumentError("--ray-address needs --engine ray")


def flag_name(field_name: str) -> str:
    return "--" + field_name.replace("_", "-")
