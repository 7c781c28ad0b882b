#!/usr/bin/env python3
"""OpenVINO's per-shape kernel cache (``cpu_kernel_cache``): memory and speed over pages of
distinct sizes, the way a real stream of documents arrives.

The shared images repeat their sizes when a benchmark runs them several times, which
flatters a large cache. Here every page is one of the shared images rescaled by a seeded
random factor in [0.75, 1.25] (INTER_AREA), each image twice: 86 pages, no two of the same
size, so every detector input and most recognition batches are a new shape.

* **speed**: one process holds a pipeline per capacity; they take turns page by page
  (A B, B A, ...) so the machine's drift hits all of them alike; texts must agree.
* **memory**: a fresh process per capacity predicts the pages in order; peak RSS
  (``VmHWM``), RSS right after the last page, and RSS once the pipeline has been idle
  longer than ``idle_release_ms`` (its buffers handed back: what is left is mostly the
  kernel caches).

    .venv/bin/python benchmarks/bench_kernel_cache.py                       # 5000 vs 300
    .venv/bin/python benchmarks/bench_kernel_cache.py --capacities 5000,300,100
    .venv/bin/python benchmarks/bench_kernel_cache.py --smoke               # 6 pages
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench_common import (REFERENCE_KWARGS, RESULTS, default_data_dir, format_table, image_list,
                          result_header, write_json)

DEFAULT_JSON = RESULTS / "bench_kernel_cache.json"
KWARGS = dict(REFERENCE_KWARGS, cpu_threads=2)
IDLE_WAIT_S = 2.5  # > the default idle_release_ms (1 s), with margin


def distinct_pages(data: Path, copies: int, limit: Optional[int]):
    """The shared images, each rescaled `copies` times by a seeded factor: sizes all differ.
    Yielded one at a time, so the pages never weigh on the RSS being measured."""
    import cv2
    import numpy as np
    rng = np.random.default_rng(7)
    images = image_list(data)[:limit]
    for _ in range(copies):
        for path in images:
            image = cv2.imread(str(path))
            factor = rng.uniform(0.75, 1.25)
            size = (max(16, int(image.shape[1] * factor)), max(16, int(image.shape[0] * factor)))
            yield cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def speed(data: Path, capacities: List[int], copies: int, limit: Optional[int]) -> Dict[str, Any]:
    from ppocr_native import PaddleOCR
    pipelines = {c: PaddleOCR(**KWARGS, cpu_kernel_cache=c) for c in capacities}
    wall = {c: 0.0 for c in capacities}
    agree = count = 0
    for i, page in enumerate(distinct_pages(data, copies, limit)):
        count += 1
        texts = {}
        for c in (capacities if i % 2 == 0 else capacities[::-1]):
            t = time.perf_counter()
            texts[c] = list(pipelines[c].predict(page)[0]["rec_texts"])
            wall[c] += time.perf_counter() - t
        agree += all(texts[c] == texts[capacities[0]] for c in capacities)
    return {"pages": count, "wall_s": {str(c): w for c, w in wall.items()},
            "pages_with_identical_texts": agree}


MEMORY_PROBE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bench_kernel_cache import KWARGS, IDLE_WAIT_S, distinct_pages
from pathlib import Path
from ppocr_native import PaddleOCR

def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20

def hwm_mb():  # not ru_maxrss: Linux carries the parent's over fork + exec
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) / 1024 for l in f if l.startswith('VmHWM'))

capacity, copies = int(sys.argv[3]), int(sys.argv[4])
limit = None if sys.argv[5] == 'all' else int(sys.argv[5])
ocr = PaddleOCR(**KWARGS, cpu_kernel_cache=capacity)
start = rss_mb()
t = time.perf_counter()
for page in distinct_pages(Path(sys.argv[2]), copies, limit):
    ocr.predict(page)
wall = time.perf_counter() - t
end = rss_mb()
time.sleep(IDLE_WAIT_S)
print(json.dumps({'rss_after_init_mb': start, 'rss_end_mb': end, 'rss_idle_mb': rss_mb(),
                  'peak_rss_mb': hwm_mb(), 'wall_s': wall}))
"""


def memory(data: Path, capacity: int, copies: int, limit: Optional[int]) -> Dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(Path(__file__).parent), str(data),
                           str(capacity), str(copies), "all" if limit is None else str(limit)],
                          capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--capacities", default="5000,300", help="cpu_kernel_cache values to compare")
    ap.add_argument("--copies", type=int, default=2, help="rescaled copies of each image")
    ap.add_argument("--smoke", action="store_true", help="3 images x 2 copies")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = ap.parse_args(argv)
    data = args.data or default_data_dir()
    capacities = [int(c) for c in args.capacities.split(",")]
    limit = 3 if args.smoke else None

    result = result_header(sys.argv[1:])
    result.update({"smoke": args.smoke, "capacities": capacities, "config": KWARGS})
    result["speed"] = speed(data, capacities, args.copies, limit)
    result["memory"] = {str(c): memory(data, c, args.copies, limit) for c in capacities}
    write_json(args.json, result)

    s = result["speed"]
    rows = [(c, f"{s['wall_s'][str(c)]:.1f}", f"{result['memory'][str(c)]['peak_rss_mb']:.0f}",
             f"{result['memory'][str(c)]['rss_end_mb']:.0f}", f"{result['memory'][str(c)]['rss_idle_mb']:.0f}")
            for c in capacities]
    print(f"\n{s['pages']} pages of distinct sizes; texts identical on {s['pages_with_identical_texts']}")
    print(format_table(("cpu_kernel_cache", "wall, taking turns [s]", "peak RSS [MB]", "RSS at end [MB]",
                        f"RSS idle {IDLE_WAIT_S:.1f} s [MB]"), rows))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
