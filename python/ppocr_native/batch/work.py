"""The work on one input, the same in every engine: read it, OCR every page, build records.

A worker (a pool process or a Ray actor) builds one `InputWorker`, which loads the pipeline
once, and calls it per input. Nothing an input does can fail the worker: a file that cannot
be read gets one error record, a page the pipeline fails on gets an error record for that
page and the next pages still run.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from ..errors import PpocrError
from .manifest import InputOutcome, hash_file
from .records import error_record, page_record

logger = logging.getLogger("ppocr_native")


@dataclass(frozen=True)
class Task:
    """One input to run, as sent to a worker."""

    key: str
    is_url: bool
    # Where to write the searchable PDF (None: none for this input).
    text_layer_path: Optional[str] = None


def rss_mb() -> float:
    """This process's resident memory in MiB (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class InputWorker:
    """Runs inputs through one pipeline, built once from the PaddleOCR keyword arguments."""

    def __init__(self, ocr_kwargs: Dict[str, Any]):
        import warnings

        from ..pipeline import PaddleOCR

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            self.ocr = PaddleOCR(**ocr_kwargs)

    def __call__(self, task: Task) -> InputOutcome:
        content_hash = size = mtime_ns = None
        if not task.is_url:
            try:
                stat = os.stat(task.key)
                size, mtime_ns = stat.st_size, stat.st_mtime_ns
                content_hash = hash_file(task.key)
            except OSError:
                pass  # reading it below reports the error in the record
        outcome = InputOutcome(task.key, content_hash, size, mtime_ns)
        last_image = self._run_pages(task, outcome)
        if task.text_layer_path is not None:
            self._write_text_layer(task, outcome, last_image)
        return outcome

    def _run_pages(self, task: Task, outcome: InputOutcome) -> Any:
        """Appends one record per page to `outcome`; returns the last page image."""
        from ..inputs import iter_inputs

        pages = iter_inputs(task.key)
        image = None
        next_index = 0
        while True:
            start = time.perf_counter()
            try:
                item = next(pages)
            except StopIteration:
                break
            except Exception as exc:  # unreadable file or page: the rest cannot be read
                page_index = next_index if next_index else None
                outcome.records.append(error_record(
                    task.key, outcome.content_hash, page_index, exc,
                    (time.perf_counter() - start) * 1e3, rss_mb()))
                break
            read_ms = (time.perf_counter() - start) * 1e3
            image = item.image
            next_index = (item.page_index or 0) + 1
            start = time.perf_counter()
            try:
                result = self.ocr.predict(image)[0]
            except Exception as exc:
                outcome.records.append(error_record(
                    task.key, outcome.content_hash, item.page_index, exc, read_ms, rss_mb()))
                continue
            ocr_ms = (time.perf_counter() - start) * 1e3
            outcome.records.append(page_record(
                task.key, outcome.content_hash, item.page_index, result, image.shape,
                read_ms, ocr_ms, rss_mb()))
            del result
        return image

    def _write_text_layer(self, task: Task, outcome: InputOutcome, image: Any) -> None:
        """The searchable PDF; its failure marks the input's records as failed."""
        from .text_layer import write_searchable_image_pdf, write_searchable_pdf

        records = outcome.records
        if not records or all(r["error"] is not None for r in records):
            return
        try:
            dest = Path(task.text_layer_path)
            if records[0]["page_index"] is None:
                write_searchable_image_pdf(image, records[0], dest, _image_dpi(task.key))
            else:
                write_searchable_pdf(task.key, records, dest)
        except Exception as exc:
            logger.warning("%s: no searchable PDF: %s", task.key, exc)
            for record in records:
                if record["error"] is None:
                    record["error"] = f"TextLayerError: {' '.join(str(exc).split())}"


def _image_dpi(path: str) -> Optional[float]:
    """The resolution an image file declares (None when it declares none)."""
    try:
        from PIL import Image

        with Image.open(path) as img:
            dpi = img.info.get("dpi")
        if dpi and float(dpi[0]) > 1:
            return float(dpi[0])
    except Exception:  # an unreadable header only costs the default resolution
        pass
    return None


# -- process-pool plumbing: one InputWorker per pool process ------------------------------

class WorkerStartError(RuntimeError):
    """A worker could not build its pipeline: the whole job stops (every input would fail)."""


class WorkerCrashed(PpocrError):
    """The worker (pool process or Ray actor) running an input died, again and again."""


def crashed_outcome(task: Task, how: str) -> InputOutcome:
    """The error record of an input singled out as the one that kills its worker."""
    return InputOutcome(task.key, None, None, None,
                        [error_record(task.key, None, None, WorkerCrashed(how), 0.0, 0.0)])


_WORKER: Optional[InputWorker] = None
_START_ERROR = ""


def init_process(ocr_kwargs: Dict[str, Any]) -> None:
    import signal

    # Ctrl-C is the driver's to handle: it stops the pool and commits what finished.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # An exception here would only show as a broken pool; keep it for the first task.
    global _WORKER, _START_ERROR
    try:
        _WORKER = InputWorker(ocr_kwargs)
    except Exception as exc:
        _START_ERROR = f"{type(exc).__name__}: {' '.join(str(exc).split())}"


def run_in_process(task: Task) -> InputOutcome:
    if _WORKER is None:
        raise WorkerStartError(f"a worker could not load the pipeline: {_START_ERROR}")
    return _WORKER(task)
