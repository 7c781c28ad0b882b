"""Memory policy: one large page's working memory, and recognition batches split by width.

The bounds come from measurements on the dev machine (README, "Memory"), with margin: the
WildReceipt page 1.jpeg (1,200 x 1,600, 52 lines) raised a fresh process's peak RSS by
598 MB before the detector's buffers were freed ahead of recognition and wide recognition
batches were split, by about 355 MB after. Nothing here is timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import numpy as np
import pytest

from conftest import REFERENCE_KWARGS
from ppocr_native import _core
from ppocr_native.config import OcrConfig, to_core_config
from ppocr_native.image_io import load_image
from ppocr_native.models import resolve_model

LARGE_PAGE = "wildreceipt_toy/1.jpeg"
# One recognition compilation (2026-11-28): rise 327 MB per call, 384-388 MB by default
# (before: ~325 and ~520 with the recogniser's throughput streams).
PEAK_RISE_BOUND_MB = 355
MAX_COLUMNS_PER_CALL = 6 * 320  # TextRecognizer::kMaxColumnsPerCall
REC_BATCH = 6

PEAK_PROBE = r"""
import json, sys
from ppocr_native import PaddleOCR

def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20

def hwm_mb():
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) / 1024 for l in f if l.startswith('VmHWM'))

ocr = PaddleOCR(**json.loads(sys.argv[1]))
with open('/proc/self/clear_refs', 'w') as f:
    f.write('5')  # the peak from here on: the call's own working memory
before = rss_mb()
texts = ocr.predict(sys.argv[2])[0]['rec_texts']
print(json.dumps({'rise_mb': hwm_mb() - before, 'lines': len(texts)}))
"""


def _clear_refs_supported() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


needs_clear_refs = pytest.mark.skipif(not _clear_refs_supported(),
                                      reason="needs Linux /proc/self/clear_refs")


def _run_probe(probe: str, kwargs: dict, *args: str):
    """Runs `probe` in a fresh Python with PaddleOCR kwargs (over the reference ones) and
    `args`; returns the JSON it printed last."""
    done = subprocess.run([sys.executable, "-c", probe, json.dumps(dict(REFERENCE_KWARGS, **kwargs)), *args],
                          capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_rise(page: Path, **kwargs) -> dict:
    return _run_probe(PEAK_PROBE, kwargs, str(page))


def _reference_models() -> dict:
    return {"text_det": resolve_model("text_det", "PP-OCRv5_mobile_det"),
            "text_rec": resolve_model("text_rec", "PP-OCRv5_mobile_rec")}


@needs_clear_refs
def test_a_large_page_peaks_at_its_larger_stage_not_their_sum(data_dir):
    """Fresh process, one 1,200 x 1,600 page, buffers released per call (idle_release_ms=0):
    the call's peak RSS rise stays under the bound."""
    report = _peak_rise(data_dir / LARGE_PAGE, idle_release_ms=0)
    assert report["lines"] > 40  # the page really went through both stages
    assert report["rise_mb"] < PEAK_RISE_BOUND_MB, report


@needs_clear_refs
def test_back_to_back_calls_keep_the_buffers_until_the_pipeline_is_idle(data_dir):
    """Default (idle_release_ms=1000): the detector's buffers stay through recognition, so the
    peak is both stages' sum, and a second call right after finds every buffer ready: it
    faults in a fraction of the pages a per-call release makes it fault in again."""
    page = str(data_dir / LARGE_PAGE)
    probe = r"""
import json, resource, sys
from ppocr_native import PaddleOCR
ocr = PaddleOCR(**json.loads(sys.argv[1]))
ocr.predict(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
ocr.predict(sys.argv[2])
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
    faults = {ms: _run_probe(probe, {"idle_release_ms": ms}, page) for ms in (0, 1000)}
    assert faults[1000] < 0.5 * faults[0], faults
    assert _peak_rise(data_dir / LARGE_PAGE)["rise_mb"] > PEAK_RISE_BOUND_MB  # the price


RELEASE_PROBE = r"""
import json, sys, time
from ppocr_native import PaddleOCR

def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20

ocr = PaddleOCR(**json.loads(sys.argv[1]))
before = rss_mb()
ocr.predict(sys.argv[2])
deadline = time.monotonic() + 20
while rss_mb() - before > float(sys.argv[3]) and time.monotonic() < deadline:
    time.sleep(0.05)
print(json.dumps({'rise_mb': rss_mb() - before}))
"""
# What one large page leaves behind once its buffers are handed back (after idle_release_ms): OpenVINO's per-shape
# kernel caches and the weights' reorders (~145 MB measured); holding the buffers leaves ~260.
RELEASED_RISE_BOUND_MB = 210


def test_an_idle_pipeline_hands_the_call_s_buffers_back(data_dir):
    """The release runs off the caller's thread (MemoryReclaimer), a second after the last
    call by default, but must happen: with no further call, RSS falls back to what the
    kernel caches keep."""
    report = _run_probe(RELEASE_PROBE, {}, str(data_dir / LARGE_PAGE), str(RELEASED_RISE_BOUND_MB))
    assert report["rise_mb"] < RELEASED_RISE_BOUND_MB, report


TRIM_PROBE = r"""
import ctypes, json, sys, time
from ppocr_native import PaddleOCR

def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20

ocr = PaddleOCR(**json.loads(sys.argv[1]))
for page in sys.argv[2:]:
    ocr.predict(page)
time.sleep(1.5)
before = rss_mb()
ctypes.CDLL('libc.so.6').malloc_trim(0)
print(json.dumps({'trimmed_mb': before - rss_mb()}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc malloc_trim")
def test_an_idle_pipeline_returns_its_free_heap_pages(data_dir):
    """Once idle, the pipeline also hands glibc's free heap pages back (malloc_trim): a
    trim of our own then finds nothing left. Control: before the idle release has run
    (idle_release_ms = 60 s) the same trim still returns some MB (2.6 measured for these
    seven pages since recognition has no one-thread streams, whose threads left more)."""
    pages = [str(data_dir / p) for p in (LARGE_PAGE, "wildreceipt_toy/2.jpeg",
                                          "icdar2015_subset/imgs/img_1.jpg", "paddleocr_tests/book.jpg",
                                          "paddleocr_tests/doc_with_formula.png",
                                          "rapidocr_tests/ch_en_num.jpg", "paddleocr_tests/seal.png")]
    trimmed = {ms: _run_probe(TRIM_PROBE, {"idle_release_ms": ms}, *pages)["trimmed_mb"]
               for ms in (200, 60000)}
    assert trimmed[200] < 1.0, trimmed
    assert trimmed[60000] > 1.5, trimmed


OUTGROWN_PROBE = r"""
import json, sys, time
import cv2
from ppocr_native import PaddleOCR

def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20

kwargs, big_path, big_every = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
big = cv2.imread(big_path)
big = cv2.resize(big, None, fx=1.6, fy=1.6)  # 1,920 x 2,560: an outsized page
small = [cv2.imread(p) for p in sys.argv[4:]]
ocr = PaddleOCR(**kwargs)
ocr.predict(big)
after_big = rss_mb()
for i in range(1, 21):  # back to back: the pipeline never goes idle
    ocr.predict(big if i % big_every == 0 else small[i % len(small)])
deadline = time.monotonic() + 10  # the release runs on the reclaimer's thread
while rss_mb() > after_big - 300 and time.monotonic() < deadline:
    time.sleep(0.1)
print(json.dumps({'after_big_mb': after_big, 'end_mb': rss_mb()}))
"""


def test_a_busy_pipeline_hands_back_buffers_an_outsized_page_left(data_dir):
    """Under continuous load the idle release never fires (here it could not: 10 minutes).
    Buffers sized for one outsized page go back once 16 calls in a row needed at most half
    of them (OversizedBuffers): 1,090 -> 556 MB measured. Control: the same page coming back
    every 8 calls keeps them (1,091 -> 1,131 MB) — nothing is released while pages of that
    size keep coming."""
    small = [str(data_dir / p) for p in ("icdar2015_subset/imgs/img_1.jpg", "paddleocr_tests/textline.png",
                                         "rapidocr_tests/ch_en_num.jpg")]
    runs = {every: _run_probe(OUTGROWN_PROBE, {"idle_release_ms": 600_000},
                              str(data_dir / LARGE_PAGE), str(every), *small)
            for every in (1000, 8)}
    once, recurring = runs[1000], runs[8]
    assert once["after_big_mb"] - once["end_mb"] > 300, runs
    assert recurring["end_mb"] > recurring["after_big_mb"] - 100, runs


class RecordingEngine:
    """The real model through OpenVINO's Python API, noting the shape of every input."""

    def __init__(self, path: str, shapes: List[Tuple[int, ...]]):
        import openvino as ov

        self.model = ov.Core().compile_model(path, "CPU", {"INFERENCE_NUM_THREADS": 2})
        self.shapes = shapes

    def infer(self, batch: np.ndarray) -> np.ndarray:
        self.shapes.append(tuple(batch.shape))
        return self.model(batch)[0]


def test_wide_recognition_batches_run_in_parts_of_the_batch_width(data_dir):
    """Every line still goes through the model once, padded to its batch's width; wide
    batches arrive in parts of at most MAX_COLUMNS_PER_CALL columns (one row at least)."""
    cfg = OcrConfig(**REFERENCE_KWARGS)
    models = _reference_models()
    core_config = to_core_config(cfg, models, _core)
    shapes = {"text_det": [], "text_rec": []}
    pipeline = _core.OcrPipeline(
        core_config, lambda stage, path, options: RecordingEngine(path, shapes[stage]))
    result = pipeline.run(load_image(data_dir / "paddleocr_tests/book.jpg"), _core.RunOptions())

    rec = shapes["text_rec"]
    lines = len(result["dt_polys"])
    assert sum(shape[0] for shape in rec) == lines
    for rows, _, _, width in rec:
        assert rows == 1 or rows * width <= MAX_COLUMNS_PER_CALL
    # Regroup the calls into the batches PaddleOCR forms (6 lines each, the last one
    # shorter): the parts of one batch share its width.
    batches, rows_in_batch = [], 0
    for rows, _, _, width in rec:
        if rows_in_batch == 0:
            batches.append(set())
        batches[-1].add(width)
        rows_in_batch += rows
        assert rows_in_batch <= REC_BATCH
        if rows_in_batch == REC_BATCH:
            rows_in_batch = 0
    assert len(batches) == -(-lines // REC_BATCH)
    assert all(len(widths) == 1 for widths in batches)
    assert any(width > MAX_COLUMNS_PER_CALL // REC_BATCH for widths in batches for width in widths)
    assert len(rec) > len(batches)  # some batch was split


def test_a_smaller_kernel_cache_gives_the_same_results(data_dir, ocr_reference_config):
    """EngineOptions.runtime_cache_capacity trades speed on repeated shapes for memory;
    what the models compute stays the same (0: no cache at all)."""
    models = _reference_models()
    default_config = to_core_config(OcrConfig(**REFERENCE_KWARGS), models, _core)
    assert default_config.engine.runtime_cache_capacity == 300  # ours, not OpenVINO's 5,000
    # the config field (API, CLI --cpu_kernel_cache, service) reaches the engine options
    core_config = to_core_config(OcrConfig(cpu_kernel_cache=0, **REFERENCE_KWARGS), models, _core)
    assert core_config.engine.runtime_cache_capacity == 0
    pipeline = _core.OcrPipeline(core_config)
    for name in ("paddleocr_tests/table.jpg", "icdar2015_subset/imgs/img_7.jpg"):
        image = load_image(data_dir / name)
        ours = pipeline.run(image, _core.RunOptions())
        default = ocr_reference_config.predict(image)[0]
        assert ours["rec_texts"] == default["rec_texts"], name
        assert len(ours["rec_texts"]) > 5, name


@pytest.mark.parametrize("value", [-1, 1.5, "big", True])
def test_kernel_cache_values_are_checked(value):
    from ppocr_native.errors import InvalidArgumentError
    with pytest.raises(InvalidArgumentError, match="cpu_kernel_cache"):
        OcrConfig(cpu_kernel_cache=value)


@pytest.mark.parametrize("value", [-1, 0.5, "1s", True])
def test_idle_release_values_are_checked(value):
    from ppocr_native.errors import InvalidArgumentError
    with pytest.raises(InvalidArgumentError, match="idle_release_ms"):
        OcrConfig(idle_release_ms=value)


def test_the_core_refuses_a_negative_idle_release():
    from ppocr_native.errors import InvalidArgumentError
    models = _reference_models()
    config = to_core_config(OcrConfig(**REFERENCE_KWARGS), models, _core)
    config.idle_release_ms = -5
    with pytest.raises(InvalidArgumentError, match="idle_release_ms must be >= 0"):
        _core.OcrPipeline(config)
