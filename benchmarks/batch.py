#!/usr/bin/env python3
"""ppocr batch throughput: pages/s with 1 and 2 local workers and with Ray, plus the
overheads that decide how it scales across nodes.

For each engine configuration a fresh output folder gets the same N page images (copies of
the labelled images of the shared data set, cycled), and the run is timed end to end:

* ``wall``            -- run_batch's seconds: pool / Ray start-up, model loading, OCR, writing;
* ``pages/s``         -- pages / wall;
* ``worker pages/s``  -- one worker's steady rate: pages / (sum of the records' read + OCR
                         time) per worker, i.e. what a worker does when it is never idle;
* ``overhead/input``  -- (wall x workers - busy time) / inputs: start-up, scheduling,
                         transfer and idle time, per input.

Then the engines' pure per-batch overhead is measured with the same plumbing and no OCR:

* local: a ProcessPoolExecutor round trip of one task (the local engine's unit);
* ray: from_items -> map_batches(actor, batch_size=1) -> iter_rows with a no-op actor
  (the Ray engine's exact pipeline shape), per row;
* driver: committing one input's records (JSON decode, shard write + fsync, manifest),
  the one serial step of every engine.

    .venv/bin/python benchmarks/batch.py                 # 48 pages, default pipeline
    .venv/bin/python benchmarks/batch.py --pages 8 --light --skip-ray

Writes ``benchmarks/results/batch.json`` (``--json`` to change) and prints a table. The
machine's load average is recorded: numbers from a busy machine are marked as such.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSON = REPO / "benchmarks" / "results" / "batch.json"
LIGHT_KWARGS = dict(text_detection_model_name="PP-OCRv5_mobile_det",
                    text_recognition_model_name="PP-OCRv5_mobile_rec",
                    use_doc_orientation_classify=False, use_doc_unwarping=False,
                    use_textline_orientation=False)


def _data_dir() -> Path:
    return Path(os.environ.get("PPOCR_TEST_DATA", REPO.parent / "shared" / "data"))


def make_inputs(folder: Path, pages: int) -> Path:
    """`pages` image files: the reference set's images, cycled."""
    index = json.loads((_data_dir() / "reference" / "paddleocr_v5_mobile" / "index.json")
                       .read_text(encoding="utf-8"))
    sources = [_data_dir() / rel for rel in sorted(index)]
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        source = sources[i % len(sources)]
        shutil.copy(source, folder / f"{i:05d}{source.suffix}")
    return folder


def run_engine(name: str, inputs: Path, out: Path, engine: str, workers: int,
               ocr_kwargs: Dict[str, Any]) -> Dict[str, Any]:
    from ppocr_native.batch import BatchOptions, read_records, run_batch

    options = BatchOptions(engine=engine, workers=workers, progress=False, shard_pages=50)
    ray_init = {"num_cpus": os.cpu_count(), "include_dashboard": False,
                "log_to_driver": False} if engine == "ray" else None
    kwargs = dict(ocr_kwargs)
    summary = run_batch([str(inputs)], out, options, ray_init=ray_init, **kwargs)
    records = read_records(out)
    busy_s = sum(r["timings"]["read_ms"] + r["timings"]["ocr_ms"] for r in records) / 1e3
    per_worker_busy = busy_s / workers
    return {
        "name": name, "engine": engine, "workers": workers,
        "cpu_threads": summary.cpu_threads, "pages": summary.pages,
        "failed": summary.failed, "wall_s": summary.seconds,
        "pages_per_s": round(summary.pages / summary.seconds, 3),
        "worker_pages_per_s": round(summary.pages / workers / per_worker_busy, 3),
        "overhead_per_input_s": round((summary.seconds * workers - busy_s) / summary.run, 4),
        "max_worker_rss_mb": max(r["worker_rss_mb"] for r in records),
    }


def _noop(x: int) -> int:
    return x


def local_overhead(tasks: int) -> float:
    """Seconds per ProcessPoolExecutor round trip (2 workers, warm)."""
    import multiprocessing

    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_noop, range(8)))  # start the workers
        start = time.perf_counter()
        for future in [pool.submit(_noop, i) for i in range(tasks)]:
            future.result()
        return (time.perf_counter() - start) / tasks


class _NoopActor:
    def __call__(self, batch):
        return {"outcome": [json.dumps({"key": str(k)}) for k in batch["key"]]}


def ray_overhead(rows: int) -> float:
    """Seconds per row of the Ray engine's pipeline shape with a no-op actor (warm)."""
    import ray

    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    try:
        ray.data.DataContext.get_current().enable_progress_bars = False

        def once(n: int) -> float:
            items = [{"key": f"/x/{i}", "is_url": False, "text_layer_path": None}
                     for i in range(n)]
            start = time.perf_counter()
            ds = ray.data.from_items(items, override_num_blocks=n).map_batches(
                _NoopActor, batch_size=1, batch_format="numpy", num_cpus=1,
                compute=ray.data.ActorPoolStrategy(min_size=1, max_size=2))
            for _ in ds.iter_rows():
                pass
            return time.perf_counter() - start

        small = once(4)            # start-up dominated
        large = once(4 + rows)
        return max(large - small, 0.0) / rows
    finally:
        ray.shutdown()


def driver_overhead(inputs: int) -> float:
    """Seconds per input for the driver's serial part: decode + commit its records."""
    from ppocr_native.batch.manifest import InputOutcome, Manifest
    from ppocr_native.batch.records import error_record
    from ppocr_native.batch.shards import ShardStore, shard_format
    from ppocr_native.batch.writer import ShardWriter

    with tempfile.TemporaryDirectory() as tmp:
        manifest = Manifest(ShardStore(Path(tmp), shard_format("jsonl"))).load()
        writer = ShardWriter(manifest, shard_pages=50, shard_seconds=3600)
        record = error_record("/x", "sha256:0", None, ValueError("x"), 0.0, 0.0)
        record.update(error=None, texts=["some recognised line of text"] * 25,
                      scores=[0.99] * 25, polys=[[[0, 0], [100, 0], [100, 20], [0, 20]]] * 25,
                      boxes=[[0, 0, 100, 20]] * 25)
        payload = json.dumps({"key": "/x", "content_hash": "sha256:0", "size": 1,
                              "mtime_ns": 1, "records": [record]})
        start = time.perf_counter()
        for i in range(inputs):
            data = json.loads(payload)
            data["key"] = data["records"][0]["source"] = f"/x/{i}"
            writer.add(InputOutcome(**data))
        writer.flush()
        return (time.perf_counter() - start) / inputs


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=48, help="page images per run")
    parser.add_argument("--light", action="store_true",
                        help="PP-OCRv5 mobile, no orientation modules (default: the defaults)")
    parser.add_argument("--skip-ray", action="store_true", help="local engine only")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    ocr_kwargs = dict(LIGHT_KWARGS) if args.light else {}
    load_before = os.getloadavg()
    configs = [("local, 1 worker", "local", 1), ("local, 2 workers", "local", 2)]
    if not args.skip_ray:
        configs.append(("ray, 2 actors", "ray", 2))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp) / "in", args.pages)
        for name, engine, workers in configs:
            rows.append(run_engine(name, inputs, Path(tmp) / f"out-{engine}-{workers}",
                                   engine, workers, ocr_kwargs))
            print(f"{name}: {rows[-1]['pages_per_s']} pages/s", file=sys.stderr)
    overheads = {"local_task_s": local_overhead(200), "driver_commit_per_input_s":
                 driver_overhead(2000)}
    if not args.skip_ray:
        overheads["ray_row_s"] = ray_overhead(200)
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(),
                    "loadavg_before": [round(x, 2) for x in load_before],
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()]},
        "pipeline": "light (PP-OCRv5 mobile, no orientation)" if args.light else "defaults",
        "pages": args.pages, "runs": rows,
        "overheads": {k: round(v, 6) for k, v in overheads.items()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    header = (f"{'configuration':<18} {'threads':>7} {'pages':>5} {'wall s':>7} {'pages/s':>8} "
              f"{'worker p/s':>10} {'ovh/input s':>11} {'RSS MB':>7}")
    print(header)
    for r in rows:
        print(f"{r['name']:<18} {r['cpu_threads']:>7} {r['pages']:>5} {r['wall_s']:>7.1f} "
              f"{r['pages_per_s']:>8.2f} {r['worker_pages_per_s']:>10.2f} "
              f"{r['overhead_per_input_s']:>11.3f} {r['max_worker_rss_mb']:>7.0f}")
    print("overheads (s per unit): " + ", ".join(f"{k}={v:.5f}" for k, v in overheads.items()))
    print(f"load average before/after: {result['machine']['loadavg_before']} / "
          f"{result['machine']['loadavg_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
