"""ppocr batch with the local engine: discovery, records, re-runs, the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ppocr_native import PaddleOCR
from ppocr_native.batch import BatchOptions, read_records, run_batch, without_volatile
from ppocr_native.batch.discovery import discover, unique_output_names
from ppocr_native.errors import InvalidArgumentError

from test_batch_support import LIGHT_KWARGS, SAMPLE, make_mixed_dir, page_key


# -- discovery (no OCR) ----------------------------------------------------------------------

def test_discovery_expands_dirs_globs_manifests_and_urls(tmp_path):
    (tmp_path / "a" / "deep").mkdir(parents=True)
    for name in ("a/1.png", "a/deep/2.JPG", "a/deep/3.pdf", "a/readme.md", "b.png", "c.tif"):
        (tmp_path / name).write_bytes(b"x")
    listing = tmp_path / "list.txt"
    listing.write_text("# comment\n\nb.png\n/nowhere/missing.png\nhttps://host/x/scan.pdf?v=1\n"
                       "a/1.png\n")
    found = discover([str(tmp_path / "a"), str(tmp_path / "*.tif"), str(listing),
                      str(tmp_path / "b.png"), str(tmp_path / "none*.jpg")])
    keys = [item.key for item in found.items]
    assert keys == [str(tmp_path / "a/1.png"), str(tmp_path / "a/deep/2.JPG"),
                    str(tmp_path / "a/deep/3.pdf"), str(tmp_path / "c.tif"),
                    str(tmp_path / "b.png"), "/nowhere/missing.png",
                    "https://host/x/scan.pdf?v=1"]  # each once, in the order named
    assert [i.relative_name for i in found.items][:3] == ["1.png", "deep/2.JPG", "deep/3.pdf"]
    url = found.items[-1]
    assert url.is_url and url.is_pdf and url.relative_name == "scan.pdf"
    assert found.skipped == [str(tmp_path / "a/readme.md")]
    assert found.unmatched == [str(tmp_path / "none*.jpg")]


def test_manifest_cannot_nest_and_names_stay_unique(tmp_path):
    inner = tmp_path / "inner.txt"
    inner.write_text("x.png\n")
    outer = tmp_path / "outer.lst"
    outer.write_text("@inner.txt\n")
    with pytest.raises(InvalidArgumentError, match="manifest"):
        discover([str(outer)])
    items = discover([str(tmp_path / "p" / "a.png"), str(tmp_path / "q" / "a.jpg"),
                      str(tmp_path / "b.png")]).items
    names = unique_output_names(items, ".pdf")
    assert names[str(tmp_path / "b.png")] == "b.pdf"
    clashing = {names[items[0].key], names[items[1].key]}
    assert len(clashing) == 2 and all(n.startswith("a.") and n.endswith(".pdf") for n in clashing)


def test_bad_pipeline_options_fail_before_any_work(tmp_path):
    with pytest.raises(InvalidArgumentError):
        run_batch([str(SAMPLE)], tmp_path / "out", text_det_thresh=-1)
    with pytest.raises(InvalidArgumentError):
        BatchOptions(engine="spark")
    assert not (tmp_path / "out" / "records").exists()


def test_one_job_per_output_folder(tmp_path):
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".lock", "a+b") as held:  # as a running job holds it
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(InvalidArgumentError, match="another ppocr batch job"):
            run_batch([str(SAMPLE)], out, BatchOptions(progress=False), **LIGHT_KWARGS)
    assert not (out / "records").exists()


# -- the local engine, end to end --------------------------------------------------------------

@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory, data_dir):
    root = make_mixed_dir(tmp_path_factory.mktemp("mixed") / "in", data_dir)
    out = tmp_path_factory.mktemp("mixed_out") / "out"
    options = BatchOptions(workers=2, shard_pages=2, progress=False)
    summary = run_batch([str(root)], out, options, **LIGHT_KWARGS)
    return root, out, options, summary


def test_local_run_gives_one_record_per_page(mixed_run):
    root, out, _, summary = mixed_run
    records = read_records(out)
    pages = sorted(page_key(r) for r in records)
    assert pages == sorted([(str(root / "broken.png"), -1), (str(root / "doc.pdf"), 0),
                            (str(root / "doc.pdf"), 1), (str(root / "sample.png"), -1),
                            (str(root / "sub" / "en_rec.jpg"), -1)])
    assert (summary.inputs, summary.run, summary.pages, summary.failed) == (4, 4, 4, 1)
    assert summary.skipped_files == 1  # notes.txt
    assert len(list((out / "records").glob("part-*.jsonl"))) >= 2  # shard_pages=2


def test_records_match_the_pipeline(mixed_run):
    root, out, _, _ = mixed_run
    ocr = PaddleOCR(**LIGHT_KWARGS)
    by_page = {page_key(r): r for r in read_records(out)}
    for source in (root / "sample.png", root / "doc.pdf"):
        for res in ocr.predict(str(source)):
            key = (str(source), -1 if res["page_index"] is None else res["page_index"])
            record = by_page[key]
            assert record["error"] is None
            assert record["texts"] == list(res["rec_texts"])
            assert record["scores"] == pytest.approx(list(res["rec_scores"]), abs=1e-6)
            assert record["polys"] == res["rec_polys_on_input"].tolist()
            for poly, box in zip(record["polys"], record["boxes"]):
                xs, ys = [p[0] for p in poly], [p[1] for p in poly]
                assert box == [min(xs), min(ys), max(xs), max(ys)]
            assert record["timings"]["ocr_ms"] > 0
    assert "Invoice No. 2026-1127" in by_page[(str(root / "sample.png"), -1)]["texts"]


def test_a_bad_file_fails_only_its_record(mixed_run):
    root, out, _, _ = mixed_run
    records = read_records(out)
    failed = [r for r in records if r["error"]]
    assert [r["source"] for r in failed] == [str(root / "broken.png")]
    assert failed[0]["error"].startswith("InvalidArgumentError:")
    assert failed[0]["content_hash"].startswith("sha256:")


def test_worker_memory_stays_flat_over_many_pages(tmp_path, data_dir):
    from ppocr_native.batch.work import InputWorker, Task
    from test_batch_support import make_pdf

    pdf = make_pdf([data_dir / "rapidocr_tests" / "en_rec.jpg"] * 12, tmp_path / "long.pdf")
    records = InputWorker(dict(LIGHT_KWARGS))(Task(str(pdf), False)).records
    assert [r["page_index"] for r in records] == list(range(12))
    assert all(r["texts"] == records[0]["texts"] for r in records)
    rss = [r["worker_rss_mb"] for r in records]
    # After a few warm-up pages (allocator pools, OpenVINO's caches) the RSS no longer grows.
    assert max(rss[3:]) - rss[2] < 15, rss


def test_an_input_queued_when_the_pool_breaks_is_not_lost():
    """A worker dies while the driver is handing another outcome on: the next submit finds
    the pool broken. That input must stay queued (it once vanished, unanswered)."""
    import time

    from ppocr_native.batch.local_engine import run_local
    from ppocr_native.batch.work import Task
    from test_batch_support import fake_init, fake_work

    keys = ["/a", "/late-crash", "/b", "/c"]
    outcomes = []

    def slow_consumer(outcome):  # the worker running /late-crash dies meanwhile
        outcomes.append(outcome)
        time.sleep(1.0)

    run_local([Task(k, False) for k in keys], {}, workers=2, queue_size=2,
              on_outcome=slow_consumer, init=fake_init, work=fake_work)
    assert sorted(o.key for o in outcomes) == sorted(keys)
    errors = {o.key: o.records[0]["error"] for o in outcomes}
    assert errors.pop("/late-crash").startswith("WorkerCrashed:")
    assert set(errors.values()) == {None}


def test_a_crashing_worker_fails_only_the_input_that_kills_it():
    from ppocr_native.batch.local_engine import run_local
    from ppocr_native.batch.work import Task
    from test_batch_support import fake_init, fake_work

    keys = ["/a", "/b", "/crash", "/c", "/d", "/e"]
    outcomes = []
    run_local([Task(k, False) for k in keys], {}, workers=2, queue_size=4,
              on_outcome=outcomes.append, init=fake_init, work=fake_work)
    assert sorted(o.key for o in outcomes) == sorted(keys)  # each input answered once
    errors = {o.key: o.records[0]["error"] for o in outcomes}
    assert errors.pop("/crash").startswith("WorkerCrashed:")
    assert set(errors.values()) == {None}


def test_rerun_skips_done_work_and_redoes_changed_inputs(mixed_run, tmp_path, data_dir):
    root, _, options, _ = mixed_run
    work = tmp_path / "in"
    shutil.copytree(root, work)
    out2 = tmp_path / "out"
    summary = run_batch([str(work)], out2, options, **LIGHT_KWARGS)
    assert summary.run == 4
    summary = run_batch([str(work)], out2, options, **LIGHT_KWARGS)
    assert (summary.run, summary.already_done) == (0, 4)
    before = {page_key(r): without_volatile(r) for r in read_records(out2)}

    # A changed input runs again, and its new records replace the old ones (exactly once);
    # failed inputs are kept until --retry-failed runs them again.
    shutil.copy(data_dir / "rapidocr_tests" / "en_rec.jpg", work / "sample.png")
    retry = BatchOptions(workers=2, shard_pages=2, progress=False, retry_failed=True)
    summary = run_batch([str(work)], out2, retry, **LIGHT_KWARGS)
    assert (summary.run, summary.already_done, summary.failed) == (2, 2, 1)
    after = read_records(out2)
    assert len(after) == len(before)
    assert sum(r["source"] == str(work / "broken.png") for r in after) == 1
    sample = [r for r in after if r["source"] == str(work / "sample.png")]
    assert len(sample) == 1
    assert sample[0]["texts"] == before[(str(work / "sub" / "en_rec.jpg"), -1)]["texts"]
    assert sample[0]["content_hash"] != before[(str(work / "sample.png"), -1)]["content_hash"]
    untouched = {k: v for k, v in before.items() if "sample" not in k[0] and "broken" not in k[0]}
    assert untouched == {page_key(r): without_volatile(r) for r in after
                         if page_key(r) in untouched}


def test_cli_prints_a_summary_and_reports_failures(tmp_path, capsys):
    from ppocr_native.cli import main

    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLE, tmp_path / "in" / "a.png")
    (tmp_path / "in" / "bad.png").write_bytes(b"\x89PNG broken")
    flags = [f"--{k}={v}" for k, v in LIGHT_KWARGS.items()]
    code = main(["batch", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                 "--workers", "1", "--format", "parquet", "--no-progress", *flags])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1  # finished, with an error record
    assert (summary["pages"], summary["failed"], summary["engine"]) == (1, 1, "local")
    records = sorted(read_records(tmp_path / "out"), key=page_key)
    assert [Path(r["source"]).name for r in records] == ["a.png", "bad.png"]
    assert records[0]["texts"][0] == "ppocr-native quick start" and records[1]["error"]
    assert list((tmp_path / "out" / "records").glob("part-*.parquet"))
    code = main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--format",
                 "jsonl", "--no-progress"])
    assert code == 2 and "another format" in capsys.readouterr().err
