"""--engine local: a pool of worker processes on this machine, each with one pipeline.

The driver keeps at most `queue_size` inputs submitted ahead of the workers (memory stays
bounded whatever the job's size) and hands each finished input to `on_outcome` as soon as
it is done. Workers are started with 'spawn' (a fresh interpreter: no OpenVINO threads
inherited through fork). If a worker process dies (a crash inside a native library, the
OOM killer), the pool is restarted and the inputs it held are tried once more; an input
that was in flight during two crashes gets an error record instead of sinking the job.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Dict, List

from ..errors import PpocrError
from .manifest import InputOutcome
from .records import error_record
from .work import Task, WorkerStartError, init_process, run_in_process

MAX_CRASHES_PER_INPUT = 2


class WorkerCrashed(PpocrError):
    """The worker process running an input died."""


def run_local(tasks: List[Task], ocr_kwargs: Dict[str, Any], workers: int, queue_size: int,
              on_outcome: Callable[[InputOutcome], None]) -> None:
    pending = deque(tasks)
    crashes: Counter = Counter()
    context = multiprocessing.get_context("spawn")
    while pending:
        pool = ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=context,
                                   initializer=init_process, initargs=(ocr_kwargs,))
        in_flight: Dict[Any, Task] = {}
        try:
            while pending or in_flight:
                while pending and len(in_flight) < queue_size:
                    task = pending.popleft()
                    in_flight[pool.submit(run_in_process, task)] = task
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()  # BrokenProcessPool / WorkerStartError: below
                    del in_flight[future]
                    on_outcome(outcome)
        except BrokenProcessPool:
            for task in in_flight.values():
                crashes[task.key] += 1
                if crashes[task.key] >= MAX_CRASHES_PER_INPUT:
                    on_outcome(_crashed(task))
                else:
                    pending.appendleft(task)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _crashed(task: Task) -> InputOutcome:
    error = WorkerCrashed("the worker process died while running this input "
                          f"({MAX_CRASHES_PER_INPUT} times)")
    return InputOutcome(task.key, None, None, None,
                        [error_record(task.key, None, None, error, 0.0, 0.0)])


__all__ = ["run_local", "WorkerStartError", "WorkerCrashed"]
