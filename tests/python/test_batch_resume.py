"""Resuming: the manifest survives every crash point, and a killed job ends up exactly once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from ppocr_native.batch import BatchOptions, read_records, run_batch, without_volatile
from ppocr_native.batch.manifest import InputOutcome, Manifest
from ppocr_native.batch.records import error_record
from ppocr_native.batch.shards import ShardStore, shard_format

from test_batch_support import LIGHT_KWARGS, REPO, SAMPLE


# -- the manifest, without OCR ------------------------------------------------------------

def _outcome(key: str, pages: int, tag: str = "") -> InputOutcome:
    records = []
    for index in range(pages):
        record = error_record(key, "sha256:" + tag, index, ValueError(f"page {index}{tag}"),
                              0.0, 0.0)
        record["error"] = None
        record["texts"] = [f"{key}#{index}{tag}"]
        records.append(record)
    return InputOutcome(key, "sha256:" + tag, None, None, records)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_manifest_rebuilds_lost_entries_and_drops_superseded_records(tmp_path, fmt):
    store = ShardStore(tmp_path, shard_format(fmt))
    manifest = Manifest(store).load()
    first = manifest.commit([_outcome("/a", 2), _outcome("/b", 1)])
    manifest.commit([_outcome("/c", 1)])
    # Killed between a shard's rename and its manifest file; and a half-written shard.
    (tmp_path / "manifest" / "part-000002.json").unlink()
    (tmp_path / "records" / f".part-000003{store.fmt.suffix}.tmp-123").write_bytes(b"partial")
    manifest = Manifest(store).load()
    assert sorted(manifest.entries) == ["/a", "/b", "/c"]
    assert manifest.entries["/a"].pages == 2
    assert (tmp_path / "manifest" / "part-000002.json").is_file()
    assert not list((tmp_path / "records").glob(".*"))
    # /a run again (changed): its new records replace the old ones, in a later shard.
    manifest.commit([_outcome("/a", 3, tag="new")])
    Manifest(store).load()
    records = read_records(tmp_path)
    texts = Counter(t for r in records for t in r["texts"])
    assert texts == Counter({"/a#0new": 1, "/a#1new": 1, "/a#2new": 1, "/b#0": 1, "/c#0": 1})
    # A shard left with nothing is removed with its manifest file.
    manifest = Manifest(store).load()
    manifest.commit([_outcome("/c", 1, tag="2")])
    Manifest(store).load()
    assert not (tmp_path / "records" / f"part-000002{store.fmt.suffix}").exists()
    assert not (tmp_path / "manifest" / "part-000002.json").exists()
    assert first.exists()


# -- kill -9 in the middle of a local run, then re-run ------------------------------------

def _inputs(root: Path, data_dir: Path) -> Path:
    root.mkdir()
    sources = [SAMPLE, data_dir / "rapidocr_tests" / "en_rec.jpg",
               data_dir / "paddleocr_tests" / "textline.png",
               data_dir / "rapidocr_tests" / "ch_en_num.jpg",
               data_dir / "rapidocr_tests" / "text_rec.jpg",
               data_dir / "rapidocr_tests" / "japan.jpg"]
    for index, source in enumerate(sources):
        shutil.copy(source, root / f"{index:02d}{source.suffix}")
    return root


def _command(inputs: Path, out: Path):
    flags = [f"--{k}={v}" for k, v in LIGHT_KWARGS.items()]
    return [sys.executable, "-m", "ppocr_native.cli", "batch", str(inputs), "-o", str(out),
            "--workers", "1", "--shard-pages", "1", "--no-progress", *flags]


def test_killed_run_resumes_to_the_same_records(tmp_path, data_dir):
    inputs = _inputs(tmp_path / "in", data_dir)
    clean = tmp_path / "clean"
    run_batch([str(inputs)], clean, BatchOptions(workers=1, shard_pages=1, progress=False),
              **LIGHT_KWARGS)
    expected = sorted(json.dumps(without_volatile(r), sort_keys=True)
                      for r in read_records(clean))
    assert len(expected) == 6

    resumed = tmp_path / "resumed"
    job = subprocess.Popen(_command(inputs, resumed), cwd=REPO, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and job.poll() is None:
            if len(list((resumed / "records").glob("part-*.jsonl"))) >= 2:
                break
            time.sleep(0.05)
    finally:
        try:
            os.killpg(job.pid, signal.SIGKILL)  # the driver and its worker, mid-way
        except ProcessLookupError:
            pass  # it had already finished: the assertion below says so
        job.wait()
    done_at_kill = len(read_records(resumed))
    assert 2 <= done_at_kill < 6, "the kill must land mid-way for this test to mean anything"

    rerun = subprocess.run(_command(inputs, resumed), cwd=REPO, capture_output=True,
                           text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["already_done"] >= done_at_kill and summary["run"] == 6 - summary["already_done"]
    got = sorted(json.dumps(without_volatile(r), sort_keys=True) for r in read_records(resumed))
    assert got == expected
