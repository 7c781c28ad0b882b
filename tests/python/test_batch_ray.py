"""ppocr batch --engine ray: Ray Data on a small local Ray instance (2 CPUs)."""

from __future__ import annotations

import json

import pytest

from ppocr_native.batch import BatchOptions, read_records, run_batch, without_volatile
from ppocr_native.batch.discovery import discover
from ppocr_native.batch.work import InputWorker, Task

from test_batch_support import LIGHT_KWARGS, make_mixed_dir, page_key

import ray  # the [ray] extra is part of the test set-up: without it this file fails

# Ray Data's own modules warn about their deprecated settings when its context is read.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray")

RAY_INIT = dict(num_cpus=2, include_dashboard=False, log_to_driver=False)


def _canonical(records):
    return sorted(json.dumps(without_volatile(r), sort_keys=True) for r in records)


def test_ray_engine_gives_the_records_of_the_local_worker(tmp_path, data_dir):
    root = make_mixed_dir(tmp_path / "in", data_dir)
    out = tmp_path / "out"
    options = BatchOptions(engine="ray", workers=2, format="parquet", shard_pages=2,
                           pdf_text_layer="pdfs", progress=False)
    summary = run_batch([str(root)], out, options, ray_init=RAY_INIT, **LIGHT_KWARGS)
    assert not ray.is_initialized()  # the instance it started is shut down
    assert (summary.engine, summary.run, summary.pages, summary.failed) == ("ray", 4, 4, 1)
    assert list((out / "records").glob("part-*.parquet"))
    records = read_records(out)

    # The same inputs through the worker code in this process: identical records.
    worker = InputWorker(dict(LIGHT_KWARGS))
    expected = [r for item in discover([str(root)]).items
                for r in worker(Task(item.key, item.is_url)).records]
    assert _canonical(records) == _canonical(expected)
    assert sorted(page_key(r)[1] for r in records if r["source"].endswith("doc.pdf")) == [0, 1]
    # The actors wrote the searchable PDF of the one PDF input, and nothing for the images.
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == ["pdf/doc.pdf"]

    # Re-running on Ray resumes like the local engine: nothing left to do.
    again = run_batch([str(root)], out, options, ray_init=RAY_INIT, **LIGHT_KWARGS)
    assert (again.run, again.already_done) == (0, 4)


def test_an_input_that_kills_its_actor_fails_alone_and_its_block_mates_still_run(monkeypatch):
    """As the local engine: the job goes on, the killer gets a WorkerCrashed record."""
    from ray import cloudpickle

    import test_batch_support
    from ppocr_native.batch import ray_engine

    # Two inputs per block, so the killer's block-mate is lost with it in the first pass.
    monkeypatch.setattr(ray_engine, "MAX_BLOCKS", 2)
    keys = ["/a", "/b", "/crash", "/c"]
    outcomes = []
    # The actors must import the stand-in worker: ship its module by value.
    cloudpickle.register_pickle_by_value(test_batch_support)
    try:
        ray_engine.run_ray([Task(k, False) for k in keys], {}, workers=2, cpu_threads=1,
                           on_outcome=outcomes.append, init_kwargs=RAY_INIT,
                           worker_factory=test_batch_support.FakeWorker)
    finally:
        cloudpickle.unregister_pickle_by_value(test_batch_support)
    assert not ray.is_initialized()
    assert sorted(o.key for o in outcomes) == sorted(keys)  # each input answered once
    errors = {o.key: o.records[0]["error"] for o in outcomes}
    assert errors.pop("/crash").startswith("WorkerCrashed:")
    assert set(errors.values()) == {None}
