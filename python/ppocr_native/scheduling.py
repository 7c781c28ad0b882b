"""Keeping the cores busy when there is more than one image to read.

One image: the core's latency schedule gives every model call all threads (its auto
schedule, so concurrent callers of one pipeline still share the cores on streams). Several
images (a list, a folder, a PDF): ``images_in_flight`` images are in the core at once while
this thread reads and decodes the next input. PaddleOCR.predict uses 1: measured on the
shared set (bench_e2e.py), one image at a time on the latency schedule with decoding
overlapped beat two images on one-thread streams (1.95 vs 1.70 images/s; 2.31 vs 2.15
after the graph rewrites), and holds half the buffers. Results come back in input order
and are identical whatever the setting; at most ``images_in_flight + 1`` decoded images are
held at any moment, so a 10,000-page PDF streams in constant memory.
"""

from __future__ import annotations

import collections
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Deque, Iterable, Iterator, TypeVar

from . import _core

Item = TypeVar("Item")
Result = TypeVar("Result")


def _failed(error: BaseException) -> Future:
    """A finished future holding a read error, so it surfaces in its turn, not early."""
    future: Future = Future()
    future.set_exception(error)
    return future


def run_overlapped(items: Iterable[Item], run: Callable[[Item, Any], Result],
                   streams: int = 1) -> Iterator[Result]:
    """Yields ``run(item, schedule)`` for each item, in order, several in flight at once.

    An error (reading an item or running it) is raised when its turn comes, after the
    results of every earlier item; items after it are abandoned (their calls finish, their
    results are dropped) — the same outcome as a plain loop.
    """
    iterator = iter(items)
    try:
        first = next(iterator)
    except StopIteration:
        return
    # Only one image: no second one to overlap with, so it gets every thread — unless other
    # threads are running this pipeline too (a service's requests): the core's auto schedule
    # then puts it on a stream of its own.
    try:
        second = next(iterator)
    except StopIteration:
        yield run(first, _core.Schedule.auto)
        return
    except Exception as error:  # a bad second input must not hide the first result
        yield run(first, _core.Schedule.auto)
        raise error

    yield from _run_pool(_chain(first, second, iterator), run, max(1, streams))


def _chain(first: Item, second: Item, rest: Iterator[Item]) -> Iterator[Item]:
    yield first
    yield second
    yield from rest


def _run_pool(items: Iterator[Item], run: Callable[[Item, Any], Result],
              streams: int) -> Iterator[Result]:
    # One image in the core at a time gets the latency schedule (every thread on each model
    # call); several at once share the cores on streams.
    schedule = _core.Schedule.latency if streams == 1 else _core.Schedule.throughput
    pending: Deque[Future] = collections.deque()
    with ThreadPoolExecutor(max_workers=streams, thread_name_prefix="ppocr") as pool:
        try:
            exhausted = False
            while True:
                # Keep every stream busy plus one image decoded and waiting.
                while not exhausted and len(pending) <= streams:
                    try:
                        item = next(items)
                    except StopIteration:
                        exhausted = True
                        break
                    except Exception as error:
                        pending.append(_failed(error))
                        exhausted = True  # a broken input source yields nothing more
                        break
                    pending.append(pool.submit(run, item, schedule))
                if not pending:
                    return
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
