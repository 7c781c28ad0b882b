"""Several images in flight (predict on a list / folder / PDF) and one image's batches on two
streams (issue #5): results must be bit-identical to one-at-a-time runs, come back in input
order, surface errors in their turn, and report where the time went.

The one-at-a-time results these are compared with are the ones test_parity checks against
the official PaddleOCR, so identity here carries parity over to the overlapped path.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, List

import numpy as np
import pytest

from ppocr_native import _core
from ppocr_native.errors import InvalidArgumentError
from ppocr_native.image_io import load_image
from ppocr_native.scheduling import run_overlapped
from test_threads import _assert_same, _key

# Scene photos, a receipt with many lines (several recognition batches), word crops, Chinese.
IMAGES = ["icdar2015_subset/imgs/img_1.jpg", "wildreceipt_toy/2.jpeg",
          "mmocr_rec_toy/imgs/1036169.jpg", "rapidocr_tests/ch_en_num.jpg",
          "icdar2015_subset/imgs/img_7.jpg", "rapidocr_tests/text_rec.jpg"]


def test_list_gives_exactly_the_one_at_a_time_results(data_dir, ocr_reference_config):
    paths = [str(data_dir / rel) for rel in IMAGES]
    one_by_one = [ocr_reference_config.predict(p)[0] for p in paths]
    together = ocr_reference_config.predict(paths)
    assert [r["input_path"] for r in together] == paths
    for rel, got, want in zip(IMAGES, together, one_by_one):
        _assert_same(_key(got), _key(want), rel)


def test_default_pipeline_list_matches_too(data_dir, ocr_default):
    # Orientation classifiers batch through the same scheduler.
    paths = [str(data_dir / rel) for rel in ("rapidocr_tests/ch_en_num.jpg",
                                             "paddleocr_tests/book_rot180.jpg",
                                             "rapidocr_tests/text_cls.jpg")]
    one_by_one = [ocr_default.predict(p)[0] for p in paths]
    for rel, got, want in zip(paths, ocr_default.predict(paths), one_by_one):
        _assert_same(_key(got), _key(want), rel)


def test_core_schedules_and_run_batch_agree(data_dir, ocr_reference_config):
    core = ocr_reference_config._pipeline
    images = [load_image(data_dir / rel) for rel in IMAGES[:4]]
    latency = [core.run(img, _core.RunOptions(), _core.Schedule.latency) for img in images]
    throughput = [core.run(img, _core.RunOptions(), _core.Schedule.throughput) for img in images]
    auto = [core.run(img) for img in images]
    batch = core.run_batch(images)
    assert core.throughput_streams == 2
    for i, want in enumerate(latency):
        _assert_same(_key(throughput[i]), _key(want), f"throughput {i}")
        _assert_same(_key(batch[i]), _key(want), f"run_batch {i}")
        _assert_same(_key(auto[i]), _key(want), f"auto {i}")


# One-line pages: their single recognition batch ran on the every-thread compilation alone and
# on a one-thread stream beside other calls, and the two rounded a score's last bits apart
# (both of these, and the first multi-batch page before the streams were compiled).
SINGLE_BATCH = ["rapidocr_tests/ch_doc_server.png", "rapidocr_tests/issue_170.png"]


def test_a_call_alone_and_a_call_beside_others_score_alike(data_dir, ocr_reference_config):
    core = ocr_reference_config._pipeline
    images = [load_image(data_dir / rel) for rel in SINGLE_BATCH + IMAGES[:1]]
    core.run_batch(images)  # concurrent calls: any stream compilation there is gets made
    time.sleep(3)  # and is ready (compiled in the background, ~1 s from the disk cache)
    alone = [core.run(img, _core.RunOptions(), _core.Schedule.latency) for img in images]
    beside = core.run_batch(images)
    for rel, got, want in zip(SINGLE_BATCH + IMAGES[:1], beside, alone):
        assert len(want["rec_texts"]) >= 1, rel
        _assert_same(_key(got), _key(want), rel)


def test_error_in_a_list_comes_in_its_turn(data_dir, ocr_reference_config, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)
    good = [str(data_dir / rel) for rel in IMAGES[:3]]
    stream = ocr_reference_config.predict_iter([good[0], good[1], str(bad), good[2]])
    first, second = next(stream), next(stream)
    assert (first["input_path"], second["input_path"]) == (good[0], good[1])
    with pytest.raises(InvalidArgumentError, match="not a readable image"):
        next(stream)
    with pytest.raises(InvalidArgumentError, match="not a readable image"):
        ocr_reference_config.predict([good[0], str(bad)])


def test_timings_say_where_the_time_went(data_dir, ocr_default):
    res = ocr_default.predict(str(data_dir / "wildreceipt_toy/2.jpeg"))[0]
    t = res["timings"]
    assert set(t) == {"doc_preprocessor", "text_det", "textline_orientation", "text_rec",
                      "inference", "total"}
    stages = t["doc_preprocessor"] + t["text_det"] + t["textline_orientation"] + t["text_rec"]
    assert all(v > 0 for v in t.values()), t
    assert stages <= t["total"] + 1e-6
    # Model time is wall time with a model running: never more than the call itself.
    assert t["inference"] <= t["total"] + 1e-6
    assert "timings" not in res.json["res"]  # PaddleOCR's JSON schema stays key for key


# --- the scheduler itself, with a stand-in for the pipeline --------------------------------

def _numbered(n: int, pulled: List[int]):
    for i in range(n):
        pulled.append(i)
        yield i


def test_overlapped_keeps_order_and_reads_at_most_one_ahead():
    pulled: List[int] = []
    started = threading.Event()
    in_flight_max = [0]
    in_flight = [0]
    lock = threading.Lock()

    def run(i: int, schedule: Any) -> int:
        assert schedule == _core.Schedule.throughput
        with lock:
            in_flight[0] += 1
            in_flight_max[0] = max(in_flight_max[0], in_flight[0])
        started.set()
        threading.Event().wait(0.01 * (i % 3))  # finish out of order
        with lock:
            in_flight[0] -= 1
        return i * 10

    out = []
    for value in run_overlapped(_numbered(20, pulled), run, streams=2):
        # Bounded read-ahead: never more than streams + 1 items beyond what was yielded.
        assert len(pulled) <= len(out) + 1 + 2 + 1
        out.append(value)
    assert out == [i * 10 for i in range(20)]
    assert in_flight_max[0] <= 2


def test_one_in_flight_uses_the_latency_schedule_and_reads_one_ahead():
    pulled: List[int] = []
    seen = []
    out = []
    for value in run_overlapped(_numbered(6, pulled), lambda i, s: seen.append(s) or i):
        assert len(pulled) <= len(out) + 2  # the one in the core + the one decoded next
        out.append(value)
    assert out == list(range(6)) and set(seen) == {_core.Schedule.latency}


def test_overlapped_single_item_uses_the_auto_schedule():
    seen = []
    assert list(run_overlapped(iter([7]), lambda i, s: seen.append(s) or i, 2)) == [7]
    assert seen == [_core.Schedule.auto]
    assert list(run_overlapped(iter([]), lambda i, s: i, 2)) == []


def test_overlapped_read_error_comes_after_earlier_results():
    def source():
        yield 1
        yield 2
        raise ValueError("unreadable input 3")

    got = []
    with pytest.raises(ValueError, match="unreadable input 3"):
        for value in run_overlapped(source(), lambda i, s: i, streams=2):
            got.append(value)
    assert got == [1, 2]

    def second_bad():
        yield 1
        raise ValueError("bad second")

    got = []
    with pytest.raises(ValueError, match="bad second"):
        for value in run_overlapped(second_bad(), lambda i, s: i, streams=2):
            got.append(value)
    assert got == [1]
