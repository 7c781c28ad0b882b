#!/usr/bin/env python3
"""Where one process's memory goes, stage by stage, over the shared images.

A fresh process per interpreter (``--python``, default this one; give a second venv's
python to compare builds) builds the reference pipeline (PP-OCRv5 mobile, optional modules
off, 2 threads) and predicts every image once, in order. A thread samples the resident set
(``/proc/self/statm``) every 2 ms; the result's own timings split each call into detection
and recognition. Per image: RSS before the call, the highest RSS seen while detecting and
while recognising (sampled: a peak shorter than 2 ms can be missed), the call's exact peak
(``VmHWM``, reset before each call through ``/proc/self/clear_refs``) and RSS afterwards.
Reported per interpreter: RSS after construction, peak over the run, RSS at the end, and
the images with the highest peaks.

    .venv/bin/python benchmarks/bench_memory_stages.py
    .venv/bin/python benchmarks/bench_memory_stages.py --python /other/venv/bin/python,.venv/bin/python
    .venv/bin/python benchmarks/bench_memory_stages.py --smoke   # 3 images
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

from bench_common import (RESULTS, default_data_dir, format_table, image_list, result_header,
                          write_json)

DEFAULT_JSON = RESULTS / "bench_memory_stages.json"
KWARGS = dict(text_detection_model_name="PP-OCRv5_mobile_det",
              text_recognition_model_name="PP-OCRv5_mobile_rec",
              use_doc_orientation_classify=False, use_doc_unwarping=False,
              use_textline_orientation=False, cpu_threads=2)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def hwm_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM"))


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def worker(images: List[str]) -> None:
    """Runs in the measured process; one JSON line per image on stdout."""
    from ppocr_native import PaddleOCR

    ocr = PaddleOCR(**KWARGS)
    print(json.dumps({"construct_rss_mb": rss_mb(), "construct_peak_mb": hwm_mb()}), flush=True)
    samples: List[tuple] = []
    for path in images:
        samples.clear()
        running = True

        def sample() -> None:
            while running:
                samples.append((time.perf_counter(), rss_mb()))
                time.sleep(0.002)

        before = rss_mb()
        reset_peak()
        thread = threading.Thread(target=sample)
        thread.start()
        start = time.perf_counter()
        result = ocr.predict(path)[0]
        running = False
        thread.join()
        timings = result["timings"]
        det_end = start + timings["doc_preprocessor"] + timings["text_det"]
        det = [rss for t, rss in samples if t < det_end]
        rec = [rss for t, rss in samples if t >= det_end]
        print(json.dumps({"image": Path(path).name, "lines": len(result["rec_texts"]),
                          "rss_before_mb": before, "det_peak_mb": max(det, default=before),
                          "rec_peak_mb": max(rec, default=before), "call_peak_mb": hwm_mb(),
                          "rss_after_mb": rss_mb(), "total_s": timings["total"]}), flush=True)


def measure(python: str, images: List[str]) -> Dict[str, Any]:
    done = subprocess.run([python, __file__, "--worker", *images], capture_output=True,
                          text=True, check=True, timeout=3600)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    head, per_image = lines[0], lines[1:]
    return {"python": python, **head,
            "peak_mb": max([head["construct_peak_mb"]] + [r["call_peak_mb"] for r in per_image]),
            "final_rss_mb": per_image[-1]["rss_after_mb"],
            "total_s": sum(r["total_s"] for r in per_image), "images": per_image}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable,
                        help="comma-separated interpreters to measure, one process each")
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--images", type=int, default=0, help="only the first N images")
    parser.add_argument("--top", type=int, default=6, help="images shown per interpreter")
    parser.add_argument("--smoke", action="store_true", help="3 images; JSON to results/*_smoke.json")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker)
        return
    images = [str(p) for p in image_list(args.data)]
    if args.smoke:
        args.images = args.images or 3
    if args.images > 0:
        images = images[:args.images]
    if args.json is None:
        args.json = DEFAULT_JSON.with_name(DEFAULT_JSON.stem + "_smoke.json") if args.smoke else DEFAULT_JSON
    runs = [measure(python, images) for python in args.python.split(",")]
    print(format_table(["interpreter", "after construction", "peak", "at the end", "sum of call times"],
                       [[r["python"], f"{r['construct_rss_mb']:.0f} MB", f"{r['peak_mb']:.0f} MB",
                         f"{r['final_rss_mb']:.0f} MB", f"{r['total_s']:.1f} s"] for r in runs]))
    for r in runs:
        print(f"\n{r['python']}: images with the highest call peaks (MB)")
        top = sorted(r["images"], key=lambda x: -x["call_peak_mb"])[:args.top]
        print(format_table(["image", "lines", "before", "detection", "recognition", "call peak", "after"],
                           [[x["image"], x["lines"], f"{x['rss_before_mb']:.0f}",
                             f"{x['det_peak_mb']:.0f}", f"{x['rec_peak_mb']:.0f}",
                             f"{x['call_peak_mb']:.0f}", f"{x['rss_after_mb']:.0f}"] for x in top]))
    write_json(args.json, {**result_header(sys.argv), "config": KWARGS, "runs": runs})
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
