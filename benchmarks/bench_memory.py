#!/usr/bin/env python3
"""Memory over a long run: RSS of one ppocr-native process over 2,000 consecutive images.

A fresh ppocr-native process (``e2e_worker.py``, reference configuration) predicts the
images one after another, cycling through the set, and its resident set size
(``/proc/self/statm``) is read after every image. Reported:

* RSS after construction, after warm-up (one full cycle through the set: every image
  shape seen once), at the end, and the peak (``ru_maxrss``);
* flatness = (max RSS over the last 10 % of the images - RSS after warm-up) / RSS after
  warm-up; the target is within +-5 %;
* a PNG plot of RSS against the image count (``results/bench_memory.png``).

To fit ``make bench``'s time budget, the default image set is the parity set's images of at
most 40,000 pixels (17 images: word crops, text lines, a small page; one to a few lines
each, about 70 ms of CPU per image); ``--max-pixels 0`` uses all 43 (about 0.5 s per image). ``--systems ppocr_native,paddleocr`` adds the official
PaddleOCR (its venv as in bench_e2e.py), run after ppocr-native.

    .venv/bin/python benchmarks/bench_memory.py            # 2,000 images, table + PNG + JSON
    .venv/bin/python benchmarks/bench_memory.py --smoke    # 20 small images
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import bench_e2e
from bench_common import (RESULTS, Measured, default_data_dir, fmt, format_table, image_list,
                          noise_report, process_cpu_seconds, result_header, write_json)

DEFAULT_JSON = RESULTS / "bench_memory.json"
FLATNESS_TARGET = 0.05


def pick_images(data: Path, max_pixels: int) -> List[Path]:
    import cv2
    imgs = image_list(data)
    if max_pixels <= 0:
        return imgs
    small = []
    for p in imgs:
        im = cv2.imread(str(p), cv2.IMREAD_UNCHANGED)
        if im is not None and im.shape[0] * im.shape[1] <= max_pixels:
            small.append(p)
    return small


def run_one(worker: bench_e2e.Worker, images: List[Path], n: int) -> Dict[str, Any]:
    rss: List[float] = []
    lat: List[float] = []
    t = time.perf_counter()
    start_rss = worker.call(cmd="stats")["rss_mb"]
    for i in range(n):
        rep = worker.call(cmd="predict", path=str(images[i % len(images)]))
        lat.append(rep["wall_s"])
        rss.append(worker.call(cmd="stats")["rss_mb"])
        if (i + 1) % 500 == 0:
            print(f"[memory] {worker.name}: {i + 1} images, RSS {rss[-1]:.0f} MB", flush=True)
    stats = worker.call(cmd="stats")
    warm_idx = min(len(images), n) - 1
    warm = rss[warm_idx]
    tail = rss[int(n * 0.9):] or rss[-1:]
    return {"rss_after_init_mb": start_rss, "rss_after_warmup_mb": warm, "warmup_images": warm_idx + 1,
            "rss_end_mb": rss[-1], "rss_max_last10pct_mb": max(tail), "peak_rss_mb": stats["peak_rss_mb"],
            "flatness": (max(tail) - warm) / warm, "images": n, "wall_s": time.perf_counter() - t,
            "median_latency_ms": statistics.median(lat) * 1000, "rss_mb": rss}


def plot(runs: Dict[str, Dict[str, Any]], path: Path) -> Optional[str]:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (make bench installs it): no plot"
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, r in runs.items():
        ax.plot(range(1, len(r["rss_mb"]) + 1), r["rss_mb"], label=name, linewidth=1)
        ax.axvline(r["warmup_images"], color="grey", linestyle=":", linewidth=0.8)
    ax.set_xlabel("images predicted")
    ax.set_ylabel("RSS [MiB]")
    ax.set_title("RSS over consecutive images (dotted: end of warm-up)")
    ax.set_ylim(bottom=0)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=None, help="images to predict (default 2000, smoke 40)")
    ap.add_argument("--max-pixels", type=int, default=None,
                    help="use the set's images up to this many pixels (default 40000; 0: all)")
    ap.add_argument("--systems", default="ppocr_native", help="ppocr_native[,paddleocr]")
    ap.add_argument("--paddle-venv", type=Path, default=None)
    ap.add_argument("--paddle-models", type=Path, default=None)
    ap.add_argument("--smoke", action="store_true", help="20 predictions of small images")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    data = (args.data or default_data_dir()).resolve()
    n = args.images or (20 if args.smoke else 2000)
    if args.max_pixels is None:
        args.max_pixels = 40_000
    out_json = args.json or (RESULTS / "bench_memory_smoke.json" if args.smoke else DEFAULT_JSON)
    png = out_json.with_suffix(".png")
    images = pick_images(data, args.max_pixels)

    e2e_argv = ["--systems", args.systems, "--threads", str(args.threads), "--data", str(data)]
    for flag, val in (("--paddle-venv", args.paddle_venv), ("--paddle-models", args.paddle_models)):
        if val:
            e2e_argv += [flag, str(val)]
    e2e_args = bench_e2e.parse_args(e2e_argv + (["--smoke"] if args.smoke else []))
    runs: Dict[str, Dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench_memory_") as td:
        launcher = bench_e2e.Launcher(e2e_args, Path(td))
        for name in e2e_args.systems:
            if name not in launcher.specs:
                continue
            worker = launcher.start(name)
            try:
                m = Measured(own_cpu=lambda: process_cpu_seconds([worker.proc.pid]))
                runs[name] = run_one(worker, images, n)
                runs[name]["noise"] = noise_report(m)
            finally:
                worker.close()
    note = plot(runs, png)
    rows = [(name, r["images"], fmt(r["rss_after_init_mb"], 0), fmt(r["rss_after_warmup_mb"], 0),
             fmt(r["rss_max_last10pct_mb"], 0), fmt(r["rss_end_mb"], 0), fmt(r["peak_rss_mb"], 0),
             fmt(100 * r["flatness"], 2, " %"), "yes" if abs(r["flatness"]) <= FLATNESS_TARGET else "no")
            for name, r in runs.items()]
    result = {**result_header(sys.argv), "smoke": args.smoke,
              "config": {"images": [str(p.relative_to(data)) for p in images], "predictions": n,
                         "max_pixels": args.max_pixels, "threads": args.threads},
              "runs": runs, "not_run": launcher.not_run, "plot": None if note else str(png)}
    write_json(out_json, result)
    print()
    print(f"{n} images cycling through {len(images)} (max {args.max_pixels or 'any'} pixels), "
          f"threads={args.threads}")
    print(format_table(("system", "images", "RSS init [MB]", "RSS warm [MB]", "max last 10% [MB]",
                        "RSS end [MB]", "peak [MB]", "flatness", "within 5%"), rows))
    for name, why in launcher.not_run.items():
        print(f"NOT RUN: {name}: {why}")
    print(note or f"plot: {png}")
    print(f"wrote {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
