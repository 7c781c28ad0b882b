"""8 threads sharing one PaddleOCR instance give exactly the results of sequential runs
(issue #4, item 4).

Every thread starts at a barrier (so they really run together) and processes the image list
in its own rotation, so at any moment different threads work on different images. Results
are compared exactly: texts, polygons (int arrays) and scores (float32) bit for bit. That
holds because a call's numbers depend only on its own image and options: the core keeps no
state between calls, and OpenVINO's CPU kernels are deterministic for a given input shape
whatever runs beside them (a failure here would mean shared mutable state, not rounding).

Bounded: ~45 s on the 2-core CI machine; every join has a timeout.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

from ppocr_native.image_io import load_image

N_THREADS = 8
PER_THREAD = 8  # images each thread runs: its rotation's first 8 (every image runs 4 times)
JOIN_TIMEOUT_S = 120.0  # per pool; a deadlock fails the test instead of hanging CI


def _images(data_dir: Path, names: Sequence[str]) -> List[Tuple[str, np.ndarray]]:
    return [(name, load_image(data_dir / name)) for name in names]


# 16 images of all sizes: scene photos, word crops, a document, a long line.
LIGHT_SET = (
    [f"icdar2015_subset/imgs/img_{i}.jpg" for i in (1, 2, 4, 6)]
    + [f"mmocr_rec_toy/imgs/{n}.jpg" for n in (
        "1036169", "1058891", "1058892", "1190237", "1210236", "1223729", "1223731", "1223732")]
    + [f"rapidocr_tests/{n}" for n in ("ch_en_num.jpg", "en_rec.jpg", "text_rec.jpg",
                                       "test_without_det.jpg")]
)
# The default pipeline's set: includes a page turned upside down, so the document
# orientation module really rotates, and a text line the line classifier sees.
DEFAULT_SET = ("rapidocr_tests/ch_en_num.jpg", "icdar2015_subset/imgs/img_6.jpg",
               "rapidocr_tests/text_rec.jpg", "rapidocr_tests/en_rec.jpg",
               "mmocr_rec_toy/imgs/1058891.jpg")


def _key(res: Any) -> Dict[str, Any]:
    """What must match between runs: texts, scores (float32), polygons, and more."""
    out = {
        "rec_texts": list(res["rec_texts"]),
        "rec_scores": np.asarray(res["rec_scores"], dtype=np.float32),
        "rec_polys": [np.asarray(p) for p in res["rec_polys"]],
        "rec_boxes": np.asarray(res["rec_boxes"]),
        "dt_polys": [np.asarray(p) for p in res["dt_polys"]],
        "dt_scores": np.asarray(res["dt_scores"], dtype=np.float64),
        "textline_orientation_angles": np.asarray(res["textline_orientation_angles"]),
        "text_rec_score_thresh": res["text_rec_score_thresh"],
    }
    if "doc_preprocessor_res" in res:
        out["angle"] = res["doc_preprocessor_res"]["angle"]
    return out


def _assert_same(got: Dict[str, Any], want: Dict[str, Any], what: str) -> None:
    assert got["rec_texts"] == want["rec_texts"], what
    # Bit-exact: same dtype, same shape, same bits (array_equal on float32 is exact
    # equality; no NaNs occur in scores).
    assert got["rec_scores"].dtype == want["rec_scores"].dtype == np.float32, what
    assert got["rec_scores"].tobytes() == want["rec_scores"].tobytes(), (
        what, got["rec_scores"], want["rec_scores"])
    for name in ("rec_polys", "dt_polys"):
        assert len(got[name]) == len(want[name]), (what, name)
        for a, b in zip(got[name], want[name]):
            assert a.dtype == b.dtype and np.array_equal(a, b), (what, name, a, b)
    for name in ("rec_boxes", "dt_scores", "textline_orientation_angles"):
        assert got[name].tobytes() == want[name].tobytes(), (what, name)
    for name in ("text_rec_score_thresh", "angle"):
        assert got.get(name) == want.get(name), (what, name)


def _run_threads(worker: Callable[[int], Any], n: int = N_THREADS) -> List[Any]:
    """Runs worker(0..n-1) in n threads released together by a barrier; returns results."""
    barrier = threading.Barrier(n)

    def start(i: int) -> Any:
        barrier.wait(timeout=JOIN_TIMEOUT_S)
        return worker(i)

    pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="ocr")
    try:
        futures = [pool.submit(start, i) for i in range(n)]
        return [f.result(timeout=JOIN_TIMEOUT_S) for f in futures]  # re-raises worker errors
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _rotations_match_sequential(ocr: Any, images: List[Tuple[str, np.ndarray]],
                                per_thread: int) -> Dict[str, Dict[str, Any]]:
    expected = {name: _key(ocr.predict(image)[0]) for name, image in images}
    assert sum(len(e["rec_texts"]) for e in expected.values()) > 10  # real text, not blanks

    def worker(i: int) -> List[Tuple[str, Dict[str, Any]]]:
        k = i * len(images) // N_THREADS
        order = (images[k:] + images[:k])[:per_thread]  # a different rotation per thread
        return [(name, _key(ocr.predict(image)[0])) for name, image in order]

    results = _run_threads(worker)
    assert len(results) == N_THREADS
    for i, done in enumerate(results):
        assert len(done) == min(per_thread, len(images))
        for name, got in done:
            _assert_same(got, expected[name], f"thread {i}, {name}")
    return expected


def test_eight_threads_match_sequential_runs(data_dir, ocr_reference_config):
    _rotations_match_sequential(ocr_reference_config, _images(data_dir, LIGHT_SET), PER_THREAD)


def test_eight_threads_match_sequential_runs_default_pipeline(data_dir, ocr_default):
    images = _images(data_dir, DEFAULT_SET)
    name, page = images[0]
    images[0] = (name + " (upside down)", np.ascontiguousarray(page[::-1, ::-1]))
    expected = _rotations_match_sequential(ocr_default, images, per_thread=3)
    # The upside-down page was really turned (the document orientation module ran).
    assert expected[images[0][0]]["angle"] != 0


# Each thread's own overrides: a distinct text_rec_score_thresh, and every other thread a
# different detection box threshold and limit type too.
THREAD_OVERRIDES = [
    dict(text_rec_score_thresh=t, **({} if i % 2 else
                                    dict(text_det_box_thresh=0.8, text_det_limit_type="max",
                                         text_det_limit_side_len=960)))
    for i, t in enumerate((0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99))
]


def test_per_call_overrides_never_cross_threads(data_dir, ocr_reference_config):
    ocr = ocr_reference_config
    images = _images(data_dir, [LIGHT_SET[i] for i in (1, 3, 12, 13)])
    det_variants = {i % 2: {k: v for k, v in o.items() if k != "text_rec_score_thresh"}
                    for i, o in enumerate(THREAD_OVERRIDES)}
    # Sequential, unfiltered (score threshold 0), once per detection variant.
    unfiltered = {(v, name): _key(ocr.predict(image, text_rec_score_thresh=0.0, **det)[0])
                  for v, det in det_variants.items() for name, image in images}
    assert any(unfiltered[(0, name)]["rec_texts"] != unfiltered[(1, name)]["rec_texts"]
               for name, _ in images), "the two detection variants must give different results"

    def worker(i: int) -> List[Tuple[str, Dict[str, Any]]]:
        k = i % len(images)
        order = (images[k:] + images[:k])[:3]
        return [(name, _key(ocr.predict(image, **THREAD_OVERRIDES[i])[0]))
                for name, image in order]

    results = _run_threads(worker)
    kept_fewer = 0
    for i, per_thread in enumerate(results):
        thresh = THREAD_OVERRIDES[i]["text_rec_score_thresh"]
        for name, got in per_thread:
            what = f"thread {i} (thresh {thresh}), {name}"
            assert got["text_rec_score_thresh"] == thresh, what  # its own value reported
            assert all(s >= np.float32(thresh) for s in got["rec_scores"]), what
            # Exactly the unfiltered sequential result of its own detection variant,
            # filtered by its own threshold (the core keeps score >= float32(thresh)).
            base = unfiltered[(i % 2, name)]
            keep = base["rec_scores"] >= np.float32(thresh)
            want = dict(base, text_rec_score_thresh=thresh,
                        rec_texts=[t for t, k in zip(base["rec_texts"], keep) if k],
                        rec_scores=base["rec_scores"][keep],
                        rec_polys=[p for p, k in zip(base["rec_polys"], keep) if k],
                        rec_boxes=base["rec_boxes"][keep] if len(base["rec_boxes"]) else
                        base["rec_boxes"])
            _assert_same(got, want, what)
            kept_fewer += int(len(got["rec_texts"]) < len(base["rec_texts"]))
    assert kept_fewer > 0  # the thresholds really filtered something
