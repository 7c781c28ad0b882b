#!/usr/bin/env python3
"""Detection-size presets: speed against accuracy for ``text_det_limit_type`` /
``text_det_limit_side_len``.

One ppocr-native process (reference configuration: PP-OCRv5 mobile, optional modules off)
predicts every image of the parity set under each setting, passed per call as
``predict(path, text_det_limit_type=..., text_det_limit_side_len=...)``. Image by image the
settings take turns (order alternating), after one warm-up pass, so drift is shared.

Settings: the default (``min`` 64: pages are never scaled down) and ``max`` with 1280, 960,
736 and 640 (the longer side is scaled down to at most that).

Precision presets (second table): ``precision`` fp32 against bf16 and fp16 wherever the CPU
runs them (OpenVINO's OPTIMIZATION_CAPABILITIES; AMX / AVX512-FP16 Xeons) and the int8 preset
(NNCF-quantised detector and recogniser, quantised before timing starts), one pipeline each,
image by image taking turns the same way; rows for the others say why they are absent.

Speed: images/s and its ratio to the table's first row over the measured passes (median);
"in models": wall time with a model running (``res["timings"]["inference"]``) per pass, and
its ratio ("model speed": what a preset gains inside the models, pre- and post-processing
excluded); "warm-up pass": the first pass, where every image size is new to the pipeline (the
int8 kernels cost more to prepare per input shape than fp32 ones).

Accuracy metrics (the same definitions as bench_e2e.py, see README):

* ref lines: reference lines (the saved PaddleOCR outputs of the default setting) found
  verbatim, as a multiset per image, over all reference lines;
* identical images: images whose texts equal the reference's exactly;
* gt words: labelled transcriptions of icdar2015_subset (``###`` excluded) and
  wildreceipt_toy (empty ones excluded) found as a substring of some recognised line of
  their image;
* det hmean: the detected boxes against the labelled ones (IoU >= 0.5; labelled.py);
* rec lines / rec CER (precision table): the recogniser alone on every labelled box, cropped
  as the pipeline crops, and on the word crops: exact matches and character error rate,
  whitespace removed (labelled.py) — recognition accuracy with detection held fixed;
* synthetic lines (third table): the recogniser alone on ~1,000 lines drawn with known
  text (``calibration.text_lines``, see labelled.py), Latin and CJK apart: exact matches
  and CER;
* crop exact / crop CER: mmocr_rec_toy word crops, the recognised lines joined by a space
  against the label: exact matches, and character error rate (edit distance / label length).

    .venv/bin/python benchmarks/bench_detsize.py           # table + JSON
    .venv/bin/python benchmarks/bench_detsize.py --smoke   # 2 images, 2 settings
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bench_common import (REFERENCE_KWARGS, RESULTS, Measured, default_data_dir, fmt,
                          format_table, ground_truth, gt_accuracy, image_list, native_versions,
                          nncf_available, noise_report, reference_texts, result_header,
                          self_cpu_seconds, summary, text_agreement, write_json)
from labelled import (accuracy_by_script, det_scores, labelled_boxes, labelled_lines,
                      line_accuracy, read_lines)

DEFAULT_JSON = RESULTS / "bench_detsize.json"
SETTINGS: Tuple[Tuple[str, int], ...] = (("min", 64), ("max", 1280), ("max", 960), ("max", 736),
                                         ("max", 640))
SMOKE_SETTINGS = (("min", 64), ("max", 640))
PRECISIONS = ("fp32", "bf16", "fp16", "int8")
SMOKE_LINES = 6
SYNTHETIC_PAGES = 60  # about 970 lines, 40 % of them CJK
SMOKE_SYNTHETIC_PAGES = 1
SMOKE_IMAGES = ("mmocr_rec_toy/imgs/1223731.jpg", "paddleocr_tests/textline.png")


def label(setting: Tuple[str, int]) -> str:
    kind, side = setting
    return f"{kind} {side}" + (" (default)" if setting == ("min", 64) else "")


def run(images: List[Path], data: Path, systems, rounds: int, tag: str) -> Dict[str, Any]:
    """systems: (label, pipeline, predict kwargs); image by image they take turns, the order
    alternating, after one warm-up pass."""
    res = {name: {"lat_s": {}, "pass_s": [], "model_s": [], "texts": {}, "polys": {}}
           for name, _, _ in systems}
    for r in range(rounds + 1):
        totals = {name: 0.0 for name, _, _ in systems}
        in_models = {name: 0.0 for name, _, _ in systems}
        for i, img in enumerate(images):
            rel = str(img.relative_to(data))
            for name, ocr, kwargs in (systems if (i + r) % 2 == 0 else tuple(reversed(systems))):
                t = time.perf_counter()
                out = ocr.predict(str(img), **kwargs)[0]
                dt = time.perf_counter() - t
                totals[name] += dt
                in_models[name] += out["timings"]["inference"]
                if r:
                    res[name]["lat_s"].setdefault(rel, []).append(dt)
                    res[name]["texts"][rel] = list(out["rec_texts"])
                    res[name]["polys"][rel] = list(out["dt_polys"])
        for k, v in totals.items():
            if r:
                res[k]["pass_s"].append(v)
                res[k]["model_s"].append(in_models[k])
            else:
                res[k]["warmup_s"] = v
        print(f"[{tag}] {'warm-up' if r == 0 else f'round {r}'}: " +
              ", ".join(f"{k} {v:.1f} s" for k, v in totals.items()), flush=True)
    return res


def precision_systems(threads: int, precisions: Sequence[str]):
    """(systems to run, {precision: why it is left out}) for the precision presets."""
    import openvino as ov
    from ppocr_native import PaddleOCR
    caps = ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    systems, absent = [], {}
    for precision in precisions:
        if precision == "int8":
            if not nncf_available():
                absent[precision] = "NNCF is not installed (pip install 'ppocr-native[int8]')"
                continue
        elif precision != "fp32" and precision.upper() not in caps:
            absent[precision] = f"this CPU has no {precision} kernels ({', '.join(caps)})"
            continue
        systems.append((precision, PaddleOCR(**REFERENCE_KWARGS, cpu_threads=threads,
                                             precision=precision), {}))
    return systems, absent


def recognise_alone(ocr, precision: str, threads: int, lines) -> List[str]:
    """`ocr`'s recogniser on each labelled line alone, padded as its preset pads."""
    from ppocr_native.config import INT8_REC_WIDTH_STEP
    rec = ocr.models["text_rec"]
    return read_lines(rec.model_path, rec.character_dict, precision, threads, lines,
                      INT8_REC_WIDTH_STEP if precision == "int8" else 0)


def report_rows(res, names, base: str, images, ref, gt, boxes, lines=None):
    """(JSON report, table rows) of each name against `base`; `lines`: {name: recogniser line
    accuracy on the labelled boxes} where measured."""
    base_pass = statistics.median(res[base]["pass_s"])
    base_model = statistics.median(res[base]["model_s"])
    report: Dict[str, Any] = {}
    rows = []
    for name in names:
        r = res[name]
        pass_s = statistics.median(r["pass_s"])
        model_s = statistics.median(r["model_s"])
        lat = [statistics.median(v) * 1000 for v in r["lat_s"].values()]
        agree = text_agreement(r["texts"], ref) if ref else {}
        acc = gt_accuracy(r["texts"], gt)
        det = det_scores(r["polys"], boxes)
        line = (lines or {}).get(name)
        report[name] = {"pass_s": r["pass_s"], "images_per_s": len(images) / pass_s,
                        "model_s": r["model_s"], "warmup_s": r["warmup_s"],
                        "det_labelled": det, "rec_labelled_lines": line,
                        "latency_ms": summary(lat), "agreement": agree, "ground_truth": acc}
        rows.append((name, fmt(len(images) / pass_s, 2), fmt(base_pass / pass_s, 2, "x"),
                     fmt(statistics.median(lat), 0), fmt(model_s, 2),
                     fmt(base_model / model_s, 2, "x"), fmt(r["warmup_s"], 1),
                     f"{agree.get('images_identical_texts')}/{agree.get('n_images')}" if agree else None,
                     fmt(100 * agree["line_recall"], 1) if agree.get("line_recall") is not None else None,
                     fmt(100 * acc["word_recall"], 1) if acc["word_recall"] is not None else None,
                     fmt(100 * det["hmean"], 1) if det["hmean"] is not None else None,
                     fmt(100 * line["exact"], 1) if line else None,
                     fmt(line["cer"], 3) if line else None,
                     fmt(100 * acc["crop_exact"], 0) if acc["crop_exact"] is not None else None,
                     fmt(acc["crop_cer"], 3) if acc["crop_cer"] is not None else None))
    return report, rows


def accuracy_cells(acc: Optional[Dict[str, float]]) -> Tuple[Any, Any, Any]:
    if acc is None:
        return None, None, None
    return acc["lines"], fmt(100 * acc["exact"], 1), fmt(acc["cer"], 3)


TABLE_HEAD = ("images/s", "speed vs first row", "median [ms]", "in models [s/pass]",
              "model speed", "warm-up pass [s]", "identical images",
              "ref lines [%]", "gt words [%]", "det hmean [%]", "rec lines [%]", "rec CER",
              "crop exact [%]", "crop CER")


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1, help="measured passes after the warm-up")
    ap.add_argument("--smoke", action="store_true", help="2 images, 2 settings")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    data = (args.data or default_data_dir()).resolve()
    images = [data / r for r in SMOKE_IMAGES] if args.smoke else image_list(data)
    settings = SMOKE_SETTINGS if args.smoke else SETTINGS
    precisions = ("fp32", "bf16") if args.smoke else PRECISIONS
    out_json = args.json or (RESULTS / "bench_detsize_smoke.json" if args.smoke else DEFAULT_JSON)

    ref = reference_texts(data)
    gt = ground_truth(data)
    m = Measured(own_cpu=self_cpu_seconds)
    from ppocr_native import PaddleOCR
    sizes = PaddleOCR(**REFERENCE_KWARGS, cpu_threads=args.threads)
    res = run(images, data, [(label(s), sizes, {"text_det_limit_type": s[0],
                                                "text_det_limit_side_len": s[1]}) for s in settings],
              args.rounds, "detsize")
    boxes = labelled_boxes(data)
    report, rows = report_rows(res, [label(s) for s in settings], label(("min", 64)), images, ref,
                               gt, boxes)
    for s in settings:
        report[label(s)].update(limit_type=s[0], limit_side_len=s[1])
    del sizes
    systems, absent = precision_systems(args.threads, precisions)
    pres = run(images, data, systems, args.rounds, "precision")
    from ppocr_native.models import calibration
    lines = labelled_lines(data, boxes)[:SMOKE_LINES if args.smoke else None]
    synthetic = list(calibration.text_lines(SMOKE_SYNTHETIC_PAGES if args.smoke else SYNTHETIC_PAGES,
                                            systems[0][1].models["text_rec"].character_dict))
    # One compilation of each recogniser reads both sets.
    read = {name: recognise_alone(ocr, name, args.threads, lines + synthetic)
            for name, ocr, _ in systems}
    line_acc = {name: line_accuracy(texts[:len(lines)], lines) for name, texts in read.items()}
    preport, prows = report_rows(pres, [name for name, _, _ in systems], "fp32", images, ref, gt,
                                 boxes, line_acc)
    srows = []
    for name, texts in read.items():
        preport[name]["rec_synthetic_lines"] = by_script = accuracy_by_script(
            texts[len(lines):], synthetic)
        srows.append((name, *(cell for group in ("latin", "cjk", "all")
                              for cell in accuracy_cells(by_script[group]))))
    noise = noise_report(m)
    result = {**result_header(sys.argv), "smoke": args.smoke, "versions": native_versions(),
              "config": {"images": [str(p.relative_to(data)) for p in images], "rounds": args.rounds,
                         "threads": args.threads, "settings": [list(s) for s in settings],
                         "precisions": list(precisions)},
              "noise": noise, "settings": report, "precisions": preport,
              "precisions_absent": absent}
    write_json(out_json, result)
    print()
    print(f"{len(images)} images, threads={args.threads}, {args.rounds} measured round(s) after a warm-up")
    print(format_table(("text_det_limit",) + TABLE_HEAD, rows))
    print()
    print(format_table(("precision",) + TABLE_HEAD, prows))
    for precision, why in absent.items():
        print(f"  {precision}: not run, {why}")
    print()
    print(f"recogniser alone on {len(synthetic)} synthetic lines (drawn text known)")
    print(format_table(("precision",) + tuple(f"{group} {measure}" for group in ("Latin", "CJK", "all")
                                              for measure in ("lines", "exact [%]", "CER")), srows))
    print(f"wrote {out_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
