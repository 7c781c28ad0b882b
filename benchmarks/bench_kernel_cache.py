#!/usr/bin/env python3
"""OpenVINO's per-shape kernel cache (``cpu_kernel_cache``): memory and speed over pages of
distinct sizes, the way a real stream of documents arrives, and over repeated sizes.

* **distinct sizes**: every page is one of the shared images rescaled by a seeded random
  factor in [0.75, 1.25] (INTER_AREA), each image twice: 86 pages, no two of the same size,
  so every detector input and most recognition batches are a new shape;
* **repeated sizes**: the 43 shared images as files, a warm-up pass then a timed pass (what
  ``bench_e2e.py`` does; a large cache keeps all their kernels, a small one does not).

Every run is a fresh process per capacity, in turn (A B for distinct sizes, B A for
repeated ones). Two pipelines in one process would share oneDNN's process-wide primitive
cache, so a small runtime cache would be refilled from the other pipeline's primitives and
look as fast as a large one (an earlier version of this script measured so). Reported: wall
time, peak RSS (``VmHWM``), RSS right after the last page and once the pipeline has been idle
longer than ``idle_release_ms`` (its buffers handed back: what is left is mostly the kernel
caches), and whether the texts agree.

    .venv/bin/python benchmarks/bench_kernel_cache.py                       # 5000 vs 300
    .venv/bin/python benchmarks/bench_kernel_cache.py --capacities 5000,300,100
    .venv/bin/python benchmarks/bench_kernel_cache.py --smoke               # 6 pages
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
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


PROBE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bench_kernel_cache import KWARGS, IDLE_WAIT_S, distinct_pages, image_list
from pathlib import Path
from ppocr_native import PaddleOCR

def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20

def hwm_mb():  # not ru_maxrss: Linux carries the parent's over fork + exec
    with open('/proc/self/status') as f:
        return next(int(l.split()[1]) / 1024 for l in f if l.startswith('VmHWM'))

capacity, copies, mode = int(sys.argv[3]), int(sys.argv[4]), sys.argv[6]
limit = None if sys.argv[5] == 'all' else int(sys.argv[5])
ocr = PaddleOCR(**KWARGS, cpu_kernel_cache=capacity)
start = rss_mb()
if mode == 'repeated':
    pages = [str(p) for p in image_list(Path(sys.argv[2]))[:limit]]
    for page in pages:  # the warm-up pass: every size seen once
        ocr.predict(page)
else:
    pages = distinct_pages(Path(sys.argv[2]), copies, limit)
texts = []
t = time.perf_counter()
for page in pages:
    texts.append(list(ocr.predict(page)[0]['rec_texts']))
wall = time.perf_counter() - t
end = rss_mb()
time.sleep(IDLE_WAIT_S)
print(json.dumps({'rss_after_init_mb': start, 'rss_end_mb': end, 'rss_idle_mb': rss_mb(),
                  'peak_rss_mb': hwm_mb(), 'wall_s': wall, 'texts': texts}))
"""


def fresh_run(data: Path, capacity: int, copies: int, limit: Optional[int], mode: str) -> Dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(Path(__file__).parent), str(data),
                           str(capacity), str(copies), "all" if limit is None else str(limit), mode],
                          capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(data: Path, capacities: List[int], copies: int, limit: Optional[int], mode: str,
            order: List[int]) -> Dict[str, Any]:
    runs = {c: fresh_run(data, c, copies, limit, mode) for c in order}
    texts = [runs[c].pop("texts") for c in capacities]
    return {"pages": len(texts[0]),
            "pages_with_identical_texts": sum(all(t[i] == texts[0][i] for t in texts) for i in range(len(texts[0]))),
            "runs": {str(c): runs[c] for c in capacities}}


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
    result["distinct"] = compare(data, capacities, args.copies, limit, "distinct", capacities)
    result["repeated"] = compare(data, capacities, args.copies, limit, "repeated", capacities[::-1])
    write_json(args.json, result)

    for mode, what in (("distinct", "pages of distinct sizes"), ("repeated", "shared images, timed after a warm-up pass")):
        m = result[mode]
        rows = [(c, f"{r['wall_s']:.1f}", f"{r['peak_rss_mb']:.0f}", f"{r['rss_end_mb']:.0f}", f"{r['rss_idle_mb']:.0f}")
                for c, r in ((c, m["runs"][str(c)]) for c in capacities)]
        print(f"\n{m['pages']} {what}, a fresh process per capacity; texts identical on "
              f"{m['pages_with_identical_texts']}")
        print(format_table(("cpu_kernel_cache", "wall [s]", "peak RSS [MB]", "RSS at end [MB]",
                            f"RSS idle {IDLE_WAIT_S:.1f} s [MB]"), rows))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
