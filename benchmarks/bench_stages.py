#!/usr/bin/env python3
"""Stage benchmark: the C++ core's pre/post-processing against plain Python/numpy.

For each stage, the same real inputs go through ``ppocr_native._core.ops`` (C++) and through
``benchmarks/reference_python`` (numpy + OpenCV's Python bindings + pyclipper, the way the
official PaddleOCR does it). The script checks that both give the same output, then times
them call by call, alternating C++ and Python so machine drift hits both alike.

Inputs are real: the PP-OCRv5 mobile detector (from ppocr-native's model cache, run through
OpenVINO's Python API) makes the probability maps of images from the shared data set; the
boxes found there give the text-line crops; the recogniser's outputs on those crops give
the CTC inputs.

Stages (one "call" = what one pipeline step does for one image or one batch):

* det_preprocess  -- image -> the detector's normalised 1x3xHxW input (resize, ImageNet
                     statistics, planar layout), one call per image;
* db_postprocess  -- probability map -> boxes + scores (findContours, min-area rectangles,
                     box score, unclip with Clipper), one call per image;
* reading_order   -- the boxes' reading order, one call per image;
* crop            -- one text line warped out of the image (min-area rectangle +
                     perspective warp), one call per line;
* rec_preprocess  -- a batch of up to 6 lines resized, normalised, padded (NCHW), one call per batch;
* ctc_decode      -- greedy CTC of one line's T x C probabilities, one call per line (the
                     decoder, with its 18,385-entry dictionary, is built once, as the pipeline does).

Where both sides spend time in the same OpenCV primitive (findContours, warpPerspective,
resize), that primitive alone is timed too, through OpenCV's Python bindings on the same
inputs (for the preprocessing stages together with writing a fresh output tensor once, which
any implementation must do; for ctc_decode one numpy max over the probabilities, as any
decoder reads every value once): no implementation of the stage can be faster than it, so
Python time / primitive time is the stage's largest possible speed-up ("max speed-up").

    .venv/bin/python benchmarks/bench_stages.py            # prints the table, writes JSON
    .venv/bin/python benchmarks/bench_stages.py --smoke    # 2 images, few repeats (seconds)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

from bench_common import (RESULTS, Measured, default_data_dir, fmt, format_table,
                          native_model_files, native_versions, noise_report, result_header,
                          self_cpu_seconds, summary, write_json)
import reference_python as ref

DEFAULT_JSON = RESULTS / "bench_stages.json"
TARGET_SPEEDUP = 10.0

# Diverse pages: scene text, receipts, a document page, a table, Chinese text.
FULL_IMAGES = (
    "icdar2015_subset/imgs/img_1.jpg", "icdar2015_subset/imgs/img_7.jpg",
    "icdar2015_subset/imgs/img_10.jpg", "wildreceipt_toy/1.jpeg", "wildreceipt_toy/2.jpeg",
    "rapidocr_tests/ch_en_num.jpg", "rapidocr_tests/ch_doc_server.png", "rapidocr_tests/japan.jpg",
    "paddleocr_tests/book.jpg", "paddleocr_tests/table.jpg", "paddleocr_tests/medal_table.png",
    "paddleocr_tests/doc_with_formula.png",
)
SMOKE_IMAGES = ("rapidocr_tests/ch_en_num.jpg", "paddleocr_tests/table.jpg")
REC_BATCH = 6


# ------------------------------------------------------------------------------------------
# Real inputs
# ------------------------------------------------------------------------------------------


def make_inputs(data: Path, rels: Sequence[str], threads: int) -> Dict[str, Any]:
    """Probability maps, images, boxes, crops, rec batches and rec outputs of real images."""
    import cv2
    import openvino as ov
    from ppocr_native._core import TextDetOptions, ops

    det_path, rec_path, _, characters = native_model_files()
    core = ov.Core()
    props = {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32"}
    det = core.compile_model(str(det_path), "CPU", props).create_infer_request()
    rec = core.compile_model(str(rec_path), "CPU", props).create_infer_request()

    pages = []
    for rel in rels:
        bgr = cv2.imread(str(data / rel), cv2.IMREAD_COLOR)
        det.infer([ref.det_preprocess(bgr)])
        prob = np.array(det.get_output_tensor(0).data[0, 0], np.float32)  # a copy: the request reuses its buffer
        quads, _ = ops.db_postprocess(prob, bgr.shape[1], bgr.shape[0], TextDetOptions())
        pages.append({"rel": rel, "image": bgr, "prob": prob, "quads": np.asarray(quads, np.int32)})

    lines = []
    for p in pages:
        for q in p["quads"]:
            line = ops.crop_text_line(p["image"], q)
            if line.size:
                lines.append({"image": p["image"], "quad": q, "line": np.ascontiguousarray(line)})
    # Recognition batches as the pipeline forms them: lines in aspect-ratio order, 6 at a time.
    order = sorted(range(len(lines)), key=lambda i: lines[i]["line"].shape[1] / lines[i]["line"].shape[0])
    batches = [[lines[i]["line"] for i in order[s:s + REC_BATCH]] for s in range(0, len(order), REC_BATCH)]
    probs = []
    for b in batches:
        rec.infer([ops.rec_batch_tensor(b, _rec_options())])
        out = np.array(rec.get_output_tensor(0).data, np.float32)  # a copy, as above
        probs.extend(np.ascontiguousarray(out[i]) for i in range(out.shape[0]))
    return {"pages": pages, "lines": lines, "batches": batches, "probs": probs,
            "characters": characters}


def _rec_options():
    from ppocr_native._core import TextRecOptions
    return TextRecOptions()


# ------------------------------------------------------------------------------------------
# Agreement checks (same output from both implementations)
# ------------------------------------------------------------------------------------------


def check_db(pages, ops, opts) -> Dict[str, Any]:
    same = 0
    worst_score = 0.0
    for p in pages:
        h, w = p["image"].shape[:2]
        cq, cs = ops.db_postprocess(p["prob"], w, h, opts)
        pq, ps = ref.db_postprocess(p["prob"], w, h)
        cq = np.asarray(cq).reshape(-1, 4, 2)
        if cq.shape == pq.shape and np.array_equal(cq, pq):
            same += 1
            if len(cs):
                worst_score = max(worst_score, float(np.max(np.abs(np.asarray(cs) - np.asarray(ps)))))
    return {"identical": same == len(pages), "calls_identical": same, "calls": len(pages),
            "detail": f"boxes identical on {same}/{len(pages)} maps; max score diff {worst_score:.1e}"}


def check_order(pages, ops) -> Dict[str, Any]:
    same = sum(1 for p in pages if list(ops.reading_order(p["quads"])) == ref.sorted_boxes(p["quads"]))
    return {"identical": same == len(pages), "calls_identical": same, "calls": len(pages),
            "detail": f"order identical on {same}/{len(pages)} pages"}


def check_crop(lines, ops) -> Dict[str, Any]:
    same = 0
    worst = 0
    for l in lines:
        c = l["line"]
        p = ref.get_minarea_rect_crop(l["image"], l["quad"])
        if c.shape == p.shape:
            diff = int(np.max(np.abs(c.astype(np.int16) - p.astype(np.int16)))) if c.size else 0
            same += diff == 0
            worst = max(worst, diff)
        else:
            worst = 255
    return {"identical": same == len(lines), "calls_identical": same, "calls": len(lines),
            "detail": f"pixel-identical {same}/{len(lines)} crops; max |diff| {worst}"}


def check_tensors(pairs: Sequence[tuple], what: str) -> Dict[str, Any]:
    """pairs: (C++ tensor, Python tensor) per call; identical = bit for bit."""
    same = 0
    worst = 0.0
    for c, p in pairs:
        if c.shape == p.shape:
            worst = max(worst, float(np.max(np.abs(c - p))) if c.size else 0.0)
            same += bool(np.array_equal(c, p))
        else:
            worst = float("inf")
    return {"identical": same == len(pairs), "calls_identical": same, "calls": len(pairs),
            "detail": f"bit-identical on {same}/{len(pairs)} {what}; max |diff| {worst:.1e}"}


def check_rec_pre(batches, ops) -> Dict[str, Any]:
    return check_tensors([(ops.rec_batch_tensor(b, _rec_options()), ref.rec_batch_tensor(b))
                          for b in batches], "batches")


def check_det_pre(pages, ops, opts) -> Dict[str, Any]:
    return check_tensors([(ops.det_input_tensor(p["image"], opts), ref.det_preprocess(p["image"]))
                          for p in pages], "images")


def check_ctc(probs, characters, decoder) -> Dict[str, Any]:
    same = 0
    worst = 0.0
    for p in probs:
        text, score = decoder.decode(p)
        ptext, pscore = ref.ctc_decode(p[None], characters)[0]
        if text == ptext:
            same += 1
            worst = max(worst, abs(score - pscore))
    return {"identical": same == len(probs), "calls_identical": same, "calls": len(probs),
            "detail": f"texts identical on {same}/{len(probs)} lines; max score diff {worst:.1e}"}


# ------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------


def time_calls(calls: Sequence[tuple], repeats: int) -> Dict[str, Any]:
    """calls: (cpp_fn, py_fn, primitive_fn or None) per input. Each is run `repeats` times,
    interleaved, the order rotating so machine drift hits all alike; per-call medians in
    microseconds."""
    cpp_med: List[float] = []
    py_med: List[float] = []
    prim_med: List[float] = []
    for fns in calls:
        fns = [f for f in fns if f is not None]
        times: List[List[float]] = [[] for _ in fns]
        for r in range(repeats):
            for k in range(len(fns)):
                i = (k + r) % len(fns)
                t = time.perf_counter_ns()
                fns[i]()
                times[i].append((time.perf_counter_ns() - t) / 1000.0)
        cpp_med.append(statistics.median(times[0]))
        py_med.append(statistics.median(times[1]))
        if len(fns) > 2:
            prim_med.append(statistics.median(times[2]))
    out = {"cpp_us": summary(cpp_med), "python_us": summary(py_med),
           "cpp_total_us": sum(cpp_med), "python_total_us": sum(py_med),
           "speedup_total": sum(py_med) / sum(cpp_med) if sum(cpp_med) > 0 else None,
           "speedup_median": (statistics.median(py_med) / statistics.median(cpp_med))
           if cpp_med and statistics.median(cpp_med) > 0 else None}
    if prim_med:
        # The shared primitive's share of the Python time bounds any implementation's speed-up.
        out["primitive_us"] = summary(prim_med)
        out["primitive_total_us"] = sum(prim_med)
        out["primitive_share_of_python"] = sum(prim_med) / sum(py_med)
        out["max_speedup_total"] = sum(py_med) / sum(prim_med)
    return out


# The OpenCV primitives both implementations call, alone, through cv2 (see the docstring).


def contours_only(prob: np.ndarray, thresh: float) -> Callable[[], Any]:
    import cv2
    bitmap = (prob > thresh).astype(np.uint8) * 255
    return lambda: cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)


def warp_only(image: np.ndarray, quad: np.ndarray) -> Optional[Callable[[], Any]]:
    import cv2
    c, _ = ref.mini_box(np.asarray(quad, np.int32))
    width = int(max(np.linalg.norm(c[0] - c[1]), np.linalg.norm(c[2] - c[3])))
    height = int(max(np.linalg.norm(c[0] - c[3]), np.linalg.norm(c[1] - c[2])))
    if width <= 0 or height <= 0:
        return None
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    m = cv2.getPerspectiveTransform(c, target)
    return lambda: cv2.warpPerspective(image, m, (width, height), borderMode=cv2.BORDER_REPLICATE,
                                       flags=cv2.INTER_CUBIC)


def fresh_output(shape: Sequence[int]) -> np.ndarray:
    """A new float32 array of the tensor's shape, written once: the part of a preprocessing
    stage no implementation avoids (a fresh buffer's pages are faulted in when first written,
    which on this VM costs about as much as the resize)."""
    out = np.empty(shape, np.float32)
    out.fill(0.0)
    return out


def rec_resizes_only(batch: Sequence[np.ndarray]) -> Callable[[], Any]:
    import cv2
    widths = [ref.rec_widths(line.shape[0], line.shape[1]) for line in batch]
    shape = (len(batch), 3, ref.REC_HEIGHT, max(slot for _, slot in widths))
    return lambda: ([cv2.resize(line, (rw, ref.REC_HEIGHT)) for line, (rw, _) in zip(batch, widths)],
                    fresh_output(shape))


def det_resize_only(image: np.ndarray) -> Callable[[], Any]:
    import cv2
    h, w = ref.det_input_size(image.shape[0], image.shape[1])
    resize = (lambda: None) if (h, w) == image.shape[:2] else (lambda: cv2.resize(image, (w, h)))
    return lambda: (resize(), fresh_output((1, 3, h, w)))


def run_stages(inp: Dict[str, Any], repeats: int,
               only: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, Any]]:
    from ppocr_native._core import TextDetOptions, ops
    opts = TextDetOptions()
    rec_opts = _rec_options()
    pages, lines, batches, probs, chars = (inp["pages"], inp["lines"], inp["batches"],
                                           inp["probs"], inp["characters"])

    decoder = ops.CtcDecoder(chars)  # once, as the pipeline's recogniser holds one

    def db_calls():
        for p in pages:
            h, w = p["image"].shape[:2]
            yield (lambda p=p, w=w, h=h: ops.db_postprocess(p["prob"], w, h, opts),
                   lambda p=p, w=w, h=h: ref.db_postprocess(p["prob"], w, h),
                   contours_only(p["prob"], opts.thresh))

    stages: Dict[str, Callable[[], Any]] = {
        "det_preprocess": lambda: (check_det_pre(pages, ops, opts), [
            (lambda i=p["image"]: ops.det_input_tensor(i, opts),
             lambda i=p["image"]: ref.det_preprocess(i), det_resize_only(p["image"])) for p in pages]),
        "db_postprocess": lambda: (check_db(pages, ops, opts), list(db_calls())),
        "reading_order": lambda: (check_order(pages, ops), [
            (lambda q=p["quads"]: ops.reading_order(q), lambda q=p["quads"]: ref.sorted_boxes(q), None)
            for p in pages]),
        "crop": lambda: (check_crop(lines, ops), [
            (lambda l=l: ops.crop_text_line(l["image"], l["quad"]),
             lambda l=l: ref.get_minarea_rect_crop(l["image"], l["quad"]),
             warp_only(l["image"], l["quad"])) for l in lines]),
        "rec_preprocess": lambda: (check_rec_pre(batches, ops), [
            (lambda b=b: ops.rec_batch_tensor(b, rec_opts), lambda b=b: ref.rec_batch_tensor(b),
             rec_resizes_only(b)) for b in batches]),
        "ctc_decode": lambda: (check_ctc(probs, chars, decoder), [
            (lambda p=p: decoder.decode(p), lambda p=p: ref.ctc_decode(p[None], chars),
             lambda p=p: p.max()) for p in probs]),
    }
    out = {}
    for name, make in stages.items():
        if only and name not in only:
            continue
        agreement, calls = make()
        timing = time_calls(calls, repeats)
        out[name] = {"agreement": agreement, **timing, "n_calls": len(calls)}
        print(f"[stages] {name}: {len(calls)} calls, C++ median {timing['cpp_us']['median']:.0f} us, "
              f"Python {timing['python_us']['median']:.0f} us, {agreement['detail']}", flush=True)
    return out


def decoder_build_us(characters: Sequence[str], repeats: int) -> float:
    """Median microseconds to build a CtcDecoder from the character list: what
    ops.ctc_decode(probs, characters) pays on every call, and CtcDecoder.decode never."""
    from ppocr_native._core import ops
    times = []
    for _ in range(max(repeats, 5)):
        t = time.perf_counter_ns()
        ops.CtcDecoder(characters)
        times.append((time.perf_counter_ns() - t) / 1000.0)
    return statistics.median(times)


def table(stages: Dict[str, Dict[str, Any]]) -> str:
    rows = []
    for name, s in stages.items():
        sp = s["speedup_total"]
        share = s.get("primitive_share_of_python")
        rows.append((name, s["n_calls"], fmt(s["cpp_us"]["median"], 1), fmt(s["python_us"]["median"], 1),
                     fmt(s["speedup_median"], 1, "x"), fmt(sp, 1, "x"),
                     "yes" if sp and sp >= TARGET_SPEEDUP else "no",
                     None if share is None else f"{100 * share:.0f}%",
                     fmt(s.get("max_speedup_total"), 1, "x"),
                     "yes" if s["agreement"]["identical"] else "NO: " + s["agreement"]["detail"]))
    return format_table(("stage", "calls", "C++ median [us]", "Python median [us]",
                         "speed-up (medians)", "speed-up (totals)", f">= {TARGET_SPEEDUP:.0f}x",
                         "shared primitive share", "max speed-up", "same output"), rows)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--threads", type=int, default=2, help="threads of the detector/recogniser runs")
    ap.add_argument("--repeats", type=int, default=None, help="timed calls per input (default 15, smoke 3)")
    ap.add_argument("--smoke", action="store_true", help="2 images, 3 repeats: checks it runs")
    ap.add_argument("--json", type=Path, default=None, help="output (default results/bench_stages.json)")
    ap.add_argument("--stages", default=None,
                    help="comma-separated subset of the stages (default all; then no JSON unless --json)")
    args = ap.parse_args(argv)
    data = (args.data or default_data_dir()).resolve()
    rels = SMOKE_IMAGES if args.smoke else FULL_IMAGES
    repeats = args.repeats or (3 if args.smoke else 15)
    out_json = args.json or (DEFAULT_JSON.with_name("bench_stages_smoke.json") if args.smoke else DEFAULT_JSON)

    t = time.perf_counter()
    inp = make_inputs(data, rels, args.threads)
    print(f"[stages] inputs: {len(inp['pages'])} probability maps, {len(inp['lines'])} crops, "
          f"{len(inp['batches'])} rec batches ({time.perf_counter() - t:.1f} s)", flush=True)
    m = Measured(own_cpu=self_cpu_seconds)
    only = args.stages.split(",") if args.stages else None
    stages = run_stages(inp, repeats, only)
    build_us = decoder_build_us(inp["characters"], repeats)
    noise = noise_report(m)
    if "ctc_decode" in stages:
        stages["ctc_decode"]["decoder_build_us"] = build_us
    result = {**result_header(sys.argv), "smoke": args.smoke, "versions": native_versions(),
              "config": {"images": list(rels), "repeats": repeats, "target_speedup": TARGET_SPEEDUP},
              "noise": noise, "stages": stages}
    save = only is None or args.json is not None  # a subset never overwrites the full results
    if save:
        write_json(out_json, result)
    print()
    print(table(stages))
    print("speed-up (totals) = sum of per-call Python medians / sum of per-call C++ medians.")
    print("shared primitive share = time of the OpenCV call both sides make (det_preprocess and "
          "rec_preprocess: resize + writing the fresh output tensor once; db_postprocess: "
          "findContours; crop: warpPerspective; ctc_decode: one numpy max over the T x C values), "
          "as a share of the Python time; "
          "max speed-up = Python time / that time, the bound for any implementation that keeps "
          "the primitive.")
    print(f"ctc_decode: building the decoder from the {len(inp['characters'])}-entry dictionary takes "
          f"{build_us:.0f} us; it is built once (ops.CtcDecoder), as in the pipeline.")
    if save:
        print(f"wrote {out_json}")
    different = [n for n, s in stages.items() if not s["agreement"]["identical"]]
    if different:  # reported, not fatal: the rest of `make bench` still runs
        print(f"** DIFFERENT OUTPUT in {', '.join(different)}: see the table **")
    return 0


if __name__ == "__main__":
    sys.exit(main())
