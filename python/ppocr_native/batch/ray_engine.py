"""--engine ray: the job as a Ray Data pipeline, on a local Ray instance or a cluster.

The pending inputs become a dataset (`ray.data.from_items`, one row per input), mapped by
`map_batches` with `OcrActor`: a callable class, so each actor loads the pipeline once and
keeps it. The actors form an autoscaling pool (`ActorPoolStrategy`, 1 to `workers` actors,
each reserving `cpu_threads` CPUs, so Ray packs as many per node as its CPUs hold). Ray
schedules, retries and backpressures; this module only describes the pipeline.

Each input row is one task and each output row one finished input (its page records), both
as JSON strings: nested, nullable fields never need a common Arrow schema across blocks, and
a column of nulls never reaches a numpy batch as NaN. The driver streams the rows
(`iter_rows`) into the same shard writer and manifest as the local engine, so resuming and
exactly-once are the same for both engines: records are small, the heavy work (reading, OCR,
searchable PDFs) stays on the actors.

An input that kills its actor (a crash in a native library, the OOM killer) is retried by
Ray on a restarted actor, `MAX_TASK_RETRIES` times; then its block is dropped instead of
failing the dataset (`max_errored_blocks`), and the driver sees which inputs came back
without an outcome. Those that shared a block with others run again one per block, so
only an input that kills its actor on its own gets an error record (`WorkerCrashed`), as
in the local engine; the others are answered normally.

On a cluster, input paths and --output must be on storage every node sees at the same path
(or the inputs are URLs): the actors read the inputs and write the searchable PDFs.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional

from .manifest import InputOutcome
from .work import InputWorker, Task, crashed_outcome

# One block per input up to this many blocks: small blocks let idle actors take work
# early; beyond it blocks hold several inputs, so a huge job is not a huge block list.
MAX_BLOCKS = 10_000
MAX_TASK_RETRIES = 3


class OcrActor:
    """A Ray Data UDF: the pipeline is built in __init__, once per actor.

    `worker_factory(ocr_kwargs)` makes the per-input callable (InputWorker; tests give a
    stand-in that needs no models).
    """

    def __init__(self, ocr_kwargs: Dict[str, Any],
                 worker_factory: Callable[[Dict[str, Any]], Callable[[Task], Any]] = InputWorker):
        self.worker = worker_factory(ocr_kwargs)

    def __call__(self, batch: Dict[str, Any]) -> Dict[str, List[str]]:
        outcomes = []
        for task_json in batch["task"]:
            task = Task(**json.loads(str(task_json)))
            outcomes.append(json.dumps(dataclasses.asdict(self.worker(task)),
                                       ensure_ascii=False))
        return {"outcome": outcomes}

def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError(
            "--engine ray needs Ray Data: pip install 'ppocr-native[ray]'") from None
    return ray


def run_ray(tasks: List[Task], ocr_kwargs: Dict[str, Any], workers: Optional[int],
            cpu_threads: int,
            on_outcome: Callable[[InputOutcome], None], address: Optional[str] = None,
            init_kwargs: Optional[Dict[str, Any]] = None, show_progress: bool = False,
            worker_factory: Callable[[Dict[str, Any]], Callable[[Task], Any]] = InputWorker,
            ) -> None:
    ray = _ray()
    # Ray Data logs each dataset's plan at INFO; the job's own progress line says enough
    # (the full logs stay under /tmp/ray/session_*/logs).
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, **(init_kwargs or {}))
    context = ray.data.DataContext.get_current()
    saved = (context.enable_progress_bars, context.max_errored_blocks)
    try:
        context.enable_progress_bars = show_progress
        # A block whose task failed every retry is dropped, not fatal: the inputs it held
        # are found missing below and singled out.
        context.max_errored_blocks = -1
        if workers is None:  # as many actors as the cluster's CPUs hold
            workers = max(1, int(ray.cluster_resources().get("CPU", 1)) // cpu_threads)
        # One task at a time per actor (Ray Data queues several by default): an actor's death
        # loses every task queued on it, so with a queue an innocent input could share a
        # killer's retries and be singled out with it (seen in test_batch_ray). Tasks are
        # seconds of OCR each, so the queue bought nothing measurable.
        actors = ray.data.ActorPoolStrategy(min_size=1, max_size=workers,
                                            max_tasks_in_flight_per_actor=1)
        pending, alone = tasks, len(tasks) <= MAX_BLOCKS
        while pending:
            answered = set()
            for outcome in _run_dataset(ray, pending, alone, actors, ocr_kwargs, cpu_threads,
                                        worker_factory):
                if outcome.key in answered:  # a retried block may repeat what it yielded
                    continue
                answered.add(outcome.key)
                on_outcome(outcome)
            lost = [t for t in pending if t.key not in answered]
            if alone:  # each ran in a block of its own: each lost one is a culprit
                for task in lost:
                    on_outcome(crashed_outcome(
                        task, f"the Ray actor running this input died {MAX_TASK_RETRIES + 1} "
                              "times (or its task failed every retry; see the Ray logs)"))
                break
            pending, alone = lost, True  # innocent block-mates get a run of their own
    finally:
        context.enable_progress_bars, context.max_errored_blocks = saved
        if started_here:
            ray.shutdown()


def _run_dataset(ray, tasks: List[Task], alone: bool, actors, ocr_kwargs: Dict[str, Any],
                 cpu_threads: int, worker_factory) -> Iterable[InputOutcome]:
    """The outcomes of one Ray Data pass over `tasks` (one per block when `alone`)."""
    # Tasks travel as JSON strings: a column of nulls would reach numpy batches as NaN.
    rows = [{"task": json.dumps(dataclasses.asdict(t))} for t in tasks]
    blocks = len(rows) if alone else min(len(rows), MAX_BLOCKS)
    with warnings.catch_warnings():
        # Ray 2.60+ warns that remote args passed this way go in 2.64 (see below): nothing
        # a user of ours can act on, and the [ray] extra is pinned below 2.64.
        warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
        dataset = ray.data.from_items(rows, override_num_blocks=blocks).map_batches(
            OcrActor,
            fn_constructor_kwargs={"ocr_kwargs": ocr_kwargs, "worker_factory": worker_factory},
            batch_size=1,
            batch_format="numpy",
            num_cpus=cpu_threads,
            compute=actors,
            # Ray Data restarts dead actors and retries their tasks forever by default: an
            # input that kills its actor every time would hang the job. (Ray 2.60 deprecates
            # passing remote args this way, for removal in 2.64, with no named parameter for
            # retries yet; the [ray] extra is pinned below 2.64 until there is one.)
            max_task_retries=MAX_TASK_RETRIES,
        )
    for row in dataset.iter_rows():
        yield InputOutcome(**json.loads(row["outcome"]))
