#!/usr/bin/env python3
"""Model benchmark: what the engine's graph rewrites buy, model time only.

The engine rewrites each model graph before compiling it (cpp/src/engine/graph_rewrites.cc:
hard-swish as one HSwish node, HardSigmoid as HSigmoid/Clamp, k x k / stride-k transposed
convolutions as a 1x1 convolution + DepthToSpace). This script compiles the original ONNX
graph and the rewritten one (``ppocr_native._core.ops.graph_rewrites(path, save_to)``, the
graph the engine compiles) with the engine's CPU settings (latency hint, f32, N threads), and
runs both on the real input tensors of the shared images: the detector on every image's
page tensor, the recogniser on every batch the pipeline forms (lines in aspect-ratio order,
6 per batch, padded as PaddleOCR pads them; for the int8 preset's column as that preset pads
them, widths rounded up to 128 columns, and also at the exact widths). Rounds alternate original / rewritten so machine
drift hits both alike; the table gives the median round time and the largest output
difference.

    .venv/bin/python benchmarks/bench_models.py            # prints the table, writes JSON
    .venv/bin/python benchmarks/bench_models.py --smoke    # 2 images, 1 round (seconds)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from bench_common import (RESULTS, Measured, default_data_dir, fmt, format_table, image_list,
                          native_model_files, native_versions, nncf_available, noise_report,
                          result_header, self_cpu_seconds, write_json)
import reference_python as ref

DEFAULT_JSON = RESULTS / "bench_models.json"
SMOKE_IMAGES = ("rapidocr_tests/ch_en_num.jpg", "paddleocr_tests/table.jpg")
REC_BATCH = 6


def model_inputs(data: Path, images: Sequence[Path], det_path: Path, threads: int) -> Dict[str, list]:
    """The detector's input tensor of each image and the recogniser's batches of its lines:
    padded as PaddleOCR pads them ("rec") and as the int8 preset pads them ("rec_int8": widths
    rounded up to INT8_REC_WIDTH_STEP columns, the same lines in the same batches)."""
    import cv2
    import openvino as ov
    from ppocr_native._core import TextDetOptions, TextRecOptions, ops
    from ppocr_native.config import INT8_REC_WIDTH_STEP

    int8_rec = TextRecOptions()
    int8_rec.width_step = INT8_REC_WIDTH_STEP

    # f32 pinned: on AMX/AVX512-BF16 CPUs the plugin would otherwise run bf16 and find
    # other lines than the pipeline does.
    det = ov.Core().compile_model(str(det_path), "CPU", {"INFERENCE_NUM_THREADS": threads,
                                                         "INFERENCE_PRECISION_HINT": "f32"})
    request = det.create_infer_request()
    det_tensors, rec_tensors, int8_rec_tensors = [], [], []
    for path in images:
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        tensor = ref.det_preprocess(bgr)
        det_tensors.append(tensor)
        request.infer([tensor])
        prob = np.array(request.get_output_tensor(0).data[0, 0], np.float32)
        quads, _ = ops.db_postprocess(prob, bgr.shape[1], bgr.shape[0], TextDetOptions())
        lines = [line for line in (ops.crop_text_line(bgr, q) for q in np.asarray(quads, np.int32))
                 if line.size]
        lines.sort(key=lambda line: line.shape[1] / line.shape[0])
        for start in range(0, len(lines), REC_BATCH):
            batch = lines[start:start + REC_BATCH]
            rec_tensors.append(ops.rec_batch_tensor(batch, TextRecOptions()))
            int8_rec_tensors.append(ops.rec_batch_tensor(batch, int8_rec))
    return {"det": det_tensors, "rec": rec_tensors, "rec_int8": int8_rec_tensors}


def compile_request(path: str, threads: int):
    import openvino as ov
    props = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
             "INFERENCE_PRECISION_HINT": "f32"}
    return ov.Core().compile_model(path, "CPU", props).create_infer_request()


def run_all(request, tensors: Sequence[np.ndarray]) -> tuple[float, List[np.ndarray]]:
    outputs = []
    start = time.perf_counter()
    for tensor in tensors:
        request.infer([tensor])
        outputs.append(request.get_output_tensor(0).data.copy())
    return time.perf_counter() - start, outputs


def compare_model(name: str, original: str, tensors: Sequence[np.ndarray], rounds: int,
                  threads: int, workdir: Path, int8: Optional[str] = None,
                  int8_tensors: Optional[Sequence[np.ndarray]] = None) -> Dict[str, Any]:
    """Original vs rewritten graph (and the int8 preset's IR when given), rounds taking turns.
    `int8_tensors`: the inputs as the int8 preset shapes them, where that differs; the int8 IR
    then also runs on `tensors` ("int8_same_inputs")."""
    from ppocr_native._core import ops

    rewritten = str(workdir / f"{name}.xml")
    counts = ops.graph_rewrites(original, rewritten)
    paths = {"original": original, "rewritten": rewritten}
    inputs = {"original": tensors, "rewritten": tensors}
    if int8:
        paths["int8"], inputs["int8"] = int8, int8_tensors or tensors
        if int8_tensors is not None:
            paths["int8_same_inputs"], inputs["int8_same_inputs"] = int8, tensors
    # One compilation per variant, so each keeps its own kernel cache.
    requests = {k: compile_request(p, threads) for k, p in paths.items()}
    for k, request in requests.items():  # warm-up: first-shape allocations out of the timing
        run_all(request, inputs[k])
    times: Dict[str, List[float]] = {k: [] for k in requests}
    outputs: Dict[str, List[np.ndarray]] = {}
    for r in range(rounds):
        for variant in (list(requests) if r % 2 == 0 else list(reversed(list(requests)))):
            seconds, outputs[variant] = run_all(requests[variant], inputs[variant])
            times[variant].append(seconds)

    def largest_diff(variant: str) -> float:
        return max(float(np.abs(a - b).max()) for a, b in zip(outputs["original"], outputs[variant]))

    median = {k: statistics.median(v) for k, v in times.items()}
    out = {"rewrites": counts, "calls": len(tensors), "rounds": rounds, "seconds": times,
           "median_s": median, "speedup": median["original"] / median["rewritten"],
           "max_abs_output_diff": largest_diff("rewritten")}
    if int8:
        same = "int8_same_inputs" if int8_tensors is not None else "int8"
        out.update(int8_speedup_vs_rewritten=median["rewritten"] / median["int8"],
                   int8_max_abs_output_diff=largest_diff(same))
        if int8_tensors is not None:
            out["int8_same_inputs_speedup_vs_rewritten"] = \
                median["rewritten"] / median["int8_same_inputs"]
    return out


def table(models: Dict[str, Dict[str, Any]]) -> str:
    rows = []
    for name, m in models.items():
        rewrites = ", ".join(f"{k} {v}" for k, v in m["rewrites"].items() if v)
        rows.append((name, m["calls"], fmt(m["median_s"]["original"], 2), fmt(m["median_s"]["rewritten"], 2),
                     fmt(m["speedup"], 2, "x"), f"{m['max_abs_output_diff']:.1e}", rewrites or "none",
                     fmt(m["median_s"].get("int8"), 2),
                     fmt(m.get("int8_speedup_vs_rewritten"), 2, "x")))
    return format_table(("model", "calls", "original graph [s]", "rewritten [s]", "speed-up",
                         "max |output diff|", "rewritten nodes", "int8 preset [s]",
                         "int8 vs rewritten"), rows)


def int8_paths(det: str, rec: str) -> Dict[str, Optional[str]]:
    """The int8 preset's IRs (quantised now if not cached), or None without NNCF."""
    if not nncf_available():
        print("[models] NNCF not installed: no int8 column", flush=True)
        return {"det": None, "rec": None}
    from ppocr_native.models import resolve_model
    from ppocr_native.models.quantize import int8_model
    return {short: int8_model(resolve_model(kind, name, None), kind).model_path
            for short, kind, name in (("det", "text_det", det), ("rec", "text_rec", rec))}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--threads", type=int, default=2, help="inference threads (the engine's cpu_threads)")
    ap.add_argument("--rounds", type=int, default=None, help="timed rounds per variant (default 3, smoke 1)")
    ap.add_argument("--det", default="PP-OCRv5_mobile_det", help="detection model name")
    ap.add_argument("--rec", default="PP-OCRv5_mobile_rec", help="recognition model name")
    ap.add_argument("--smoke", action="store_true", help="2 images, 1 round: checks it runs")
    ap.add_argument("--json", type=Path, default=None, help="output (default results/bench_models.json)")
    args = ap.parse_args(argv)
    data = (args.data or default_data_dir()).resolve()
    images = [data / rel for rel in SMOKE_IMAGES] if args.smoke else image_list(data)
    rounds = args.rounds or (1 if args.smoke else 3)
    out_json = args.json or (DEFAULT_JSON.with_name("bench_models_smoke.json") if args.smoke else DEFAULT_JSON)

    det_path, rec_path, _, _ = native_model_files(args.det, args.rec)
    inputs = model_inputs(data, images, det_path, args.threads)
    print(f"[models] {len(inputs['det'])} page tensors, {len(inputs['rec'])} recognition batches",
          flush=True)
    int8 = int8_paths(args.det, args.rec)
    m = Measured(own_cpu=self_cpu_seconds)
    with tempfile.TemporaryDirectory() as tmp:
        models = {args.det: compare_model("det", str(det_path), inputs["det"], rounds, args.threads,
                                          Path(tmp), int8["det"]),
                  args.rec: compare_model("rec", str(rec_path), inputs["rec"], rounds, args.threads,
                                          Path(tmp), int8["rec"], inputs["rec_int8"])}
    result = {**result_header(sys.argv), "smoke": args.smoke, "versions": native_versions(),
              "config": {"images": len(images), "rounds": rounds, "threads": args.threads},
              "noise": noise_report(m), "models": models}
    write_json(out_json, result)
    print()
    print(table(models))
    print("time = one pass over all inputs, median of the rounds; same inputs, same CPU settings;\n"
          "int8 preset: the recogniser's batches padded as that preset pads them (widths rounded up\n"
          "to 128 columns); on fp32's exact widths instead: " + ", ".join(
              f"{name} {fmt(m['median_s']['int8_same_inputs'], 2)} s "
              f"({fmt(m['int8_same_inputs_speedup_vs_rewritten'], 2, 'x')})"
              for name, m in models.items() if "int8_same_inputs" in m["median_s"]))
    print(f"wrote {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
