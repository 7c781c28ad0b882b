"""run_batch: discovery, the manifest's verdict, an engine, the shard writer, the summary."""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from ..config import OcrConfig
from .discovery import discover, unique_output_names
from .manifest import InputOutcome, Manifest
from .options import BatchOptions
from .progress import Progress
from .shards import ShardStore, exclusive_output, shard_format
from .work import Task
from .writer import ShardWriter

logger = logging.getLogger("ppocr_native")

TEXT_LAYER_DIR = "pdf"


@dataclass
class BatchSummary:
    """What a run did (also printed as JSON by ``ppocr batch``)."""

    output: str
    inputs: int = 0             # inputs found
    already_done: int = 0       # skipped: done by an earlier run
    run: int = 0                # inputs run now
    pages: int = 0              # pages run now
    failed: int = 0             # inputs run now with an error record
    failed_total: int = 0       # inputs with an error record in the whole output
    skipped_files: int = 0      # files in walked folders that are not images or PDFs
    shards_written: int = 0
    workers: Optional[int] = None  # None: Ray's default (the cluster's CPUs)
    cpu_threads: int = 0
    engine: str = "local"
    seconds: float = 0.0
    pages_per_second: float = 0.0
    unmatched_globs: List[str] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def parallelism(options: BatchOptions, cpu_threads: Optional[int]) -> Tuple[Optional[int], int]:
    """(workers, cpu_threads per worker). By default every core runs its own single-threaded
    pipeline: whole pages in parallel scale better than threads inside one page."""
    cores = os.cpu_count() or 1
    if cpu_threads is None:
        cpu_threads = 1
        if options.workers is not None and options.engine == "local":
            cpu_threads = max(1, cores // options.workers)
    workers = options.workers
    if workers is None and options.engine == "local":
        workers = max(1, cores // cpu_threads)
    return workers, cpu_threads


def run_batch(inputs: Union[str, Iterable[str]], output: Union[str, os.PathLike],
              options: Optional[BatchOptions] = None, *,
              ray_init: Optional[Dict[str, Any]] = None, **ocr_kwargs: Any) -> BatchSummary:
    """OCRs every input into record shards under `output`; re-running resumes.

    `ocr_kwargs` are PaddleOCR's constructor arguments (checked here, before any work);
    `ray_init` are extra ``ray.init`` arguments for a local Ray instance (e.g. num_cpus).
    """
    options = options or BatchOptions()
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        OcrConfig.from_kwargs(ocr_kwargs)  # bad options fail now, not in every worker
    workers, cpu_threads = parallelism(options, ocr_kwargs.get("cpu_threads"))
    ocr_kwargs = dict(ocr_kwargs, cpu_threads=cpu_threads)

    output = Path(output).resolve()
    with exclusive_output(output):
        return _run_locked(inputs, output, options, workers, cpu_threads, ocr_kwargs, ray_init)


def _run_locked(inputs, output: Path, options: BatchOptions, workers: Optional[int],
                cpu_threads: int, ocr_kwargs: Dict[str, Any],
                ray_init: Optional[Dict[str, Any]]) -> BatchSummary:
    store = ShardStore(output, shard_format(options.format))
    manifest = Manifest(store).load()
    found = discover(inputs)
    for pattern in found.unmatched:
        logger.warning("%s matches no file", pattern)
    summary = BatchSummary(str(output), inputs=len(found.items), skipped_files=len(found.skipped),
                           engine=options.engine, cpu_threads=cpu_threads,
                           unmatched_globs=found.unmatched)
    tasks = _tasks(found.items, manifest, options, output)
    summary.already_done = len(found.items) - len(tasks)
    summary.workers = workers

    writer = ShardWriter(manifest, options.shard_pages, options.shard_seconds)
    progress = Progress(len(tasks), enabled=options.progress)
    started = time.monotonic()

    def on_outcome(outcome: InputOutcome) -> None:
        entry = outcome.entry()
        writer.add(outcome)
        summary.run += 1
        summary.pages += entry.pages
        summary.failed += int(entry.failed)
        progress.add(entry.pages, entry.failed)

    try:
        if tasks:
            _run_engine(tasks, ocr_kwargs, options, workers, cpu_threads, on_outcome, ray_init)
    finally:
        writer.flush()  # what finished is kept, even when the job stops on an error
        progress.close()
    manifest.load()  # drops the records this run's redone inputs superseded
    summary.shards_written = len(writer.committed)
    summary.failed_total = manifest.failed_count
    summary.seconds = round(time.monotonic() - started, 3)
    summary.pages_per_second = round(summary.pages / summary.seconds, 3) if summary.seconds else 0.0
    return summary


def _tasks(items, manifest: Manifest, options: BatchOptions, output: Path) -> List[Task]:
    wants_layer = {
        "none": lambda item: False,
        "pdfs": lambda item: not item.is_url and item.is_pdf,
        "all": lambda item: not item.is_url,
    }[options.pdf_text_layer]
    layered = [item for item in items if wants_layer(item)]
    names = unique_output_names(layered, ".pdf")
    tasks = []
    for item in items:
        layer_path = None
        if item.key in names:
            layer_path = str(output / TEXT_LAYER_DIR / names[item.key])
        done = manifest.is_done(item.key, item.is_url, options.retry_failed)
        # Asking for searchable PDFs on an earlier output runs the inputs that lack one.
        if done and (layer_path is None or Path(layer_path).is_file()
                     or manifest.entries[item.key].failed):
            continue
        tasks.append(Task(item.key, item.is_url, layer_path))
    return tasks


def _run_engine(tasks, ocr_kwargs, options, workers, cpu_threads, on_outcome, ray_init) -> None:
    if options.engine == "ray":
        from .ray_engine import run_ray

        run_ray(tasks, ocr_kwargs, workers, cpu_threads, on_outcome,
                address=options.ray_address, init_kwargs=ray_init)
    else:
        from .local_engine import run_local

        queue_size = options.queue_size or 2 * workers
        run_local(tasks, ocr_kwargs, workers, max(queue_size, workers), on_outcome)
