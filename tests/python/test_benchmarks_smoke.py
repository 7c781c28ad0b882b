"""The benchmark scripts' --smoke modes: each runs end to end on a few real images and
writes its JSON. Not timed tests: only that the instruments work and agree with the reference.

The peers that need their own venvs (PaddleOCR, RapidOCR) are pointed at an empty bench home,
so they must come out as NOT RUN (listed in the JSON's not_run and printed), never as passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH = REPO / "benchmarks"


def run_smoke(script: str, tmp_path: Path, data_dir: Path, *extra: str) -> tuple[dict, str]:
    out = tmp_path / f"{Path(script).stem}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPOCR_BENCH_")}
    env["PPOCR_BENCH_HOME"] = str(tmp_path / "bench_home")  # no peer venvs here
    env["PPOCR_TEST_DATA"] = str(data_dir)
    proc = subprocess.run([sys.executable, str(BENCH / script), "--smoke", "--json", str(out), *extra],
                          capture_output=True, text=True, timeout=300, env=env, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), proc.stdout


def test_stages_smoke_same_output_and_timed(tmp_path, data_dir):
    result, stdout = run_smoke("bench_stages.py", tmp_path, data_dir)
    stages = result["stages"]
    assert set(stages) == {"det_preprocess", "db_postprocess", "reading_order", "crop",
                           "rec_preprocess", "ctc_decode"}
    for name, s in stages.items():
        assert s["n_calls"] > 0, name
        assert s["agreement"]["identical"], (name, s["agreement"]["detail"])
        assert s["cpp_us"]["median"] > 0 and s["python_us"]["median"] > 0, name
    assert "| stage" in stdout


def test_models_smoke_compares_the_rewritten_graphs(tmp_path, data_dir):
    result, stdout = run_smoke("bench_models.py", tmp_path, data_dir)
    det, rec = result["models"]["PP-OCRv5_mobile_det"], result["models"]["PP-OCRv5_mobile_rec"]
    assert det["rewrites"]["block_deconvolution"] == 2 and rec["rewrites"]["hswish"] > 0
    for m in (det, rec):
        assert m["calls"] > 0 and min(m["median_s"].values()) > 0
        assert m["max_abs_output_diff"] < 1e-3  # same function, float rounding apart
    assert "| model" in stdout


def test_e2e_smoke_reports_missing_peers_as_not_run(tmp_path, data_dir):
    result, stdout = run_smoke("bench_e2e.py", tmp_path, data_dir,
                               "--systems", "ppocr_native,pure_python,rapidocr,paddleocr")
    assert set(result["not_run"]) == {"rapidocr", "paddleocr"}
    assert "NOT RUN: rapidocr" in stdout and "NOT RUN: paddleocr" in stdout
    for name in ("ppocr_native", "pure_python"):
        r = result["systems"][name]
        agreement = r["agreement"]
        assert agreement["images_identical_texts"] == agreement["n_images"] == 2, (name, agreement)
        assert r["cold_start_s"] > 0 and r["latency_ms"]["median"] > 0 and r["peak_rss_mb"] > 0
    # Measured model time for the Python pipeline; for ppocr-native measured or estimated.
    assert 0 <= result["systems"]["pure_python"]["outside_model_share"] < 1
    assert result["systems"]["ppocr_native"]["outside_model_share"] is not None


def test_memory_smoke_samples_every_image(tmp_path, data_dir):
    result, _ = run_smoke("bench_memory.py", tmp_path, data_dir)
    run = result["runs"]["ppocr_native"]
    assert run["images"] == 20 and len(run["rss_mb"]) == 20
    assert run["peak_rss_mb"] >= max(run["rss_mb"]) * 0.99
    assert Path(result["plot"]).is_file()


def test_memory_stages_smoke_reports_every_stage(tmp_path, data_dir):
    result, stdout = run_smoke("bench_memory_stages.py", tmp_path, data_dir)
    (run,) = result["runs"]
    assert len(run["images"]) == 3
    for image in run["images"]:
        assert image["call_peak_mb"] >= max(image["rss_before_mb"], image["rss_after_mb"]) - 1
        assert image["det_peak_mb"] > 0 and image["rec_peak_mb"] > 0
    assert run["peak_mb"] >= run["construct_rss_mb"]
    assert "highest call peaks" in stdout


def test_detsize_smoke_default_matches_reference(tmp_path, data_dir):
    result, _ = run_smoke("bench_detsize.py", tmp_path, data_dir)
    default = result["settings"]["min 64 (default)"]["agreement"]
    assert default["images_identical_texts"] == default["n_images"] == 2
    assert result["settings"]["max 640"]["images_per_s"] > 0
    fp32 = result["precisions"]["fp32"]["agreement"]
    assert fp32["images_identical_texts"] == fp32["n_images"] == 2
    # bf16 is either measured or left out with the reason (a CPU without bf16 kernels)
    assert ("bf16" in result["precisions"]) != ("bf16" in result["precisions_absent"])
    lines = result["precisions"]["fp32"]["rec_labelled_lines"]  # the recogniser alone
    assert lines["lines"] == 6 and lines["exact"] > 0.3 and lines["cer"] < 0.5
    # the drawn lines with their known text: fp32 reads the Latin ones (words, prices)
    synthetic = result["precisions"]["fp32"]["rec_synthetic_lines"]
    assert synthetic["latin"]["lines"] + synthetic["cjk"]["lines"] == synthetic["all"]["lines"]
    assert synthetic["latin"]["lines"] >= 5 and synthetic["latin"]["exact"] >= 0.8


def test_labelled_detection_scores_match_at_iou_half_and_ignore_dont_care():
    """labelled.det_scores, the detection half of the precision table's accuracy: a box
    matches one label at IoU >= 0.5; detections over a don't-care label count neither way."""
    import numpy as np
    sys.path.insert(0, str(BENCH))
    from labelled import LabelledBox, det_scores

    def quad(x0, y0, x1, y1):
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)

    labels = {"page": [LabelledBox(quad(0, 0, 100, 20), "HELLO", True),
                       LabelledBox(quad(0, 40, 100, 60), "WORLD", True),
                       LabelledBox(quad(0, 80, 100, 100), "###", False)]}
    detected = {"page": [quad(5, 0, 100, 20),      # IoU 0.95 with HELLO: a match
                         quad(2, 2, 98, 18),       # HELLO again: already taken, a false one
                         quad(0, 40, 40, 60),      # IoU 0.4 with WORLD: no match
                         quad(10, 82, 90, 98)]}    # inside the don't-care box: ignored
    scores = det_scores(detected, labels)
    assert (scores["labelled"], scores["matched"], scores["unmatched_detections"]) == (2, 1, 2)
    assert scores["recall"] == 0.5 and abs(scores["precision"] - 1 / 3) < 1e-9
    assert abs(scores["hmean"] - 0.4) < 1e-9


def test_pipeline_smoke_matches_reference(tmp_path, data_dir):
    result, _ = run_smoke("bench_pipeline.py", tmp_path, data_dir)
    agreement = result["text_agreement_with_saved_reference"]
    assert agreement["images_identical_texts"] == agreement["n_images"] == 2
    assert result["runs"]["ppocr_native"][0]["pass2_total_s"] > 0


@pytest.fixture(autouse=True)
def _no_results_overwritten():
    """The smokes write to tmp_path only, never over the committed results."""
    before = {p: p.stat().st_mtime for p in (BENCH / "results").glob("*.json")}
    yield
    after = {p: p.stat().st_mtime for p in (BENCH / "results").glob("*.json") if p in before}
    assert after == before


def test_kernel_cache_smoke_compares_capacities_on_distinct_sizes(tmp_path, data_dir):
    result, stdout = run_smoke("bench_kernel_cache.py", tmp_path, data_dir)
    assert result["capacities"] == [5000, 300]
    for mode, pages in (("distinct", 6), ("repeated", 3)):
        assert result[mode]["pages"] == pages
        assert result[mode]["pages_with_identical_texts"] == pages  # the cache never changes texts
        for capacity in ("5000", "300"):
            run = result[mode]["runs"][capacity]
            assert run["peak_rss_mb"] >= run["rss_end_mb"] * 0.99 and run["rss_idle_mb"] > 0
            assert run["wall_s"] > 0
    assert "cpu_kernel_cache" in stdout


def test_parity_unseen_smoke_makes_new_images_and_reads_them(tmp_path, data_dir):
    result, stdout = run_smoke("parity_unseen.py", tmp_path, data_dir)
    assert result["images"] == 6 and not result["official_run"]  # no official venv here
    assert "nothing compared" in stdout
    lines = result["native_lines"]
    assert sorted(lines) == ["s00.jpg", "s01.png", "t00_0_empty_black.jpg", "t01_1_img_8.jpg",
                             "x0_tiny.png", "x1_vertical.png"]
    assert lines["s00.jpg"] > 0 and lines["s01.png"] > 0  # the synthetic pages hold text
    assert lines["x0_tiny.png"] == 1 and lines["x1_vertical.png"] == 2  # a word; two columns


def test_gpu_smoke_runs_the_cpu_half_and_says_when_there_is_no_gpu(tmp_path, data_dir):
    """No GPU here: --smoke measures the CPU side on two images and records why the GPU
    was not measured; a full run without a GPU exits 2 instead of reporting nothing as a pass."""
    from ppocr_native.engines.cuda_devices import visible_cuda_devices
    if visible_cuda_devices()[0]:
        pytest.skip("a GPU is visible: run benchmarks/bench_gpu.py itself")
    result, stdout = run_smoke("bench_gpu.py", tmp_path, data_dir)
    assert result["gpu_usable"]["usable"] is False and result["gpu_usable"]["detail"]
    assert list(result["construct"]) == ["cpu"]
    cpu = result["parity"]["cpu"]["vs_reference"]
    assert cpu["images_identical_texts"] == cpu["n_images"] == 2
    assert result["latency"]["cpu"]["pass2"]["n"] == 2 and "| cpu" in stdout
    full = subprocess.run([sys.executable, str(BENCH / "bench_gpu.py"), "--json", str(tmp_path / "full.json")],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PPOCR_TEST_DATA=str(data_dir)), cwd=REPO)
    assert full.returncode == 2 and "no usable GPU" in full.stdout
