"""--engine local: a pool of worker processes on this machine, each with one pipeline.

The driver keeps at most `queue_size` inputs submitted ahead of the workers (memory stays
bounded whatever the job's size) and hands each finished input to `on_outcome` as soon as
it is done. Workers are started with 'spawn' (a fresh interpreter: no OpenVINO threads
inherited through fork). If a worker process dies (a crash inside a native library, the
OOM killer), the inputs that were in flight are re-run one at a time in a fresh worker: the
innocent ones succeed, and the one that kills its worker again, alone, gets an error record
instead of sinking the job.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Dict, List

from .manifest import InputOutcome
from .work import (Task, WorkerCrashed, WorkerStartError, crashed_outcome, init_process,
                   run_in_process)


def run_local(tasks: List[Task], ocr_kwargs: Dict[str, Any], workers: int, queue_size: int,
              on_outcome: Callable[[InputOutcome], None], *,
              init: Callable[[Dict[str, Any]], None] = init_process,
              work: Callable[[Task], InputOutcome] = run_in_process) -> None:
    """Runs `tasks` on `workers` processes (`init(ocr_kwargs)` once each, then `work(task)`)."""
    pending = deque(tasks)
    suspects: deque = deque()  # in flight when a worker died: each is re-run on its own
    context = multiprocessing.get_context("spawn")
    while pending or suspects:
        isolating = bool(suspects)
        source = suspects if isolating else pending
        limit = 1 if isolating else queue_size
        pool = ProcessPoolExecutor(max_workers=1 if isolating else min(workers, len(pending)),
                                   mp_context=context, initializer=init, initargs=(ocr_kwargs,))
        in_flight: Dict[Any, Task] = {}
        try:
            while source or in_flight:
                while source and len(in_flight) < limit:
                    # Taken off the queue only once submitted: a pool that broke since the
                    # last wait refuses it (BrokenProcessPool), and it must stay queued.
                    future = pool.submit(work, source[0])
                    in_flight[future] = source.popleft()
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()  # BrokenProcessPool / WorkerStartError: below
                    del in_flight[future]
                    on_outcome(outcome)
        except BrokenProcessPool:
            if isolating:  # it died running this input alone: this input is the cause
                for task in in_flight.values():
                    on_outcome(crashed_outcome(task, "the worker process died while running "
                                                     "this input (twice: with others, then alone)"))
            else:
                suspects.extend(in_flight.values())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["run_local", "WorkerStartError", "WorkerCrashed"]
