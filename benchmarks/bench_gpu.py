"""GPU check: ppocr-native on an NVIDIA GPU (ONNX Runtime's CUDA provider) against the CPU
(the core's OpenVINO engines) on the same machine, with the reference configuration.

What it measures, each part on its own so one failure does not hide the others:

- environment: GPU, driver, onnxruntime and its providers;
- whether a bare ONNX Runtime CUDA session starts without / with ``preload_dlls()`` (what
  ``pip install onnxruntime-gpu`` users meet), and what ``device=None`` picks;
- parity: texts and boxes on the benchmark images, GPU against the saved PaddleOCR reference
  and against the CPU run;
- speed: single-image latency (first pass: every image's shapes new; second pass: the same
  images again), predict on the whole list, cold start (fresh process to first result), for
  the GPU with the engine's CUDA options, with TF32 allowed, optionally with ONNX Runtime's
  own defaults (``--ort-defaults``: exhaustive cuDNN search, TF32), and for the CPU;
- bare sessions: the first run on a shape against repeats (what a shape change costs);
- several threads sharing one GPU pipeline give the single-thread results;
- ``use_tensorrt=True``: works, or fails with a clear error;
- GPU memory held per process (``--memory-options``: also with other CUDA arena/workspace
  options, each in a fresh process).

Prints tables, writes ``results/bench_gpu.json`` (or ``--json``). Without a usable GPU it
says so and exits 2 (``--smoke`` then runs the CPU half on two images, for CI).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_common as bc  # noqa: E402

GPU_KWARGS = dict(bc.REFERENCE_KWARGS, device="gpu:0")
# ONNX Runtime's own CUDA defaults, which the engine overrides (onnxruntime_engine.cuda_options).
ORT_DEFAULTS = {"cudnn_conv_algo_search": "EXHAUSTIVE", "use_tf32": 1}


def _nvidia_smi(query: str, kind: str = "gpu") -> List[List[str]]:
    try:
        out = subprocess.run(["nvidia-smi", f"--query-{kind}={query}", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [[c.strip() for c in line.split(",")] for line in out.strip().splitlines() if line.strip()]


def _python(code: str, timeout: float = 300) -> Dict[str, Any]:
    """Runs `code` in a fresh interpreter; its last stdout line is JSON."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t0
    lines = r.stdout.strip().splitlines()
    try:
        out = json.loads(lines[-1]) if lines else {}
    except ValueError:
        out = {"stdout_tail": r.stdout[-800:]}
    out.update(returncode=r.returncode, process_wall_s=round(wall, 3))
    if r.returncode:
        out["stderr_tail"] = r.stderr[-1500:]
    return out


def environment() -> Dict[str, Any]:
    env: Dict[str, Any] = {"gpus": _nvidia_smi("name,driver_version,memory.total,compute_cap")}
    try:
        import onnxruntime as ort
        env["onnxruntime"] = ort.__version__
        env["providers"] = ort.get_available_providers()
    except ImportError as exc:
        env["onnxruntime"] = repr(exc)
    env["versions"] = bc.native_versions()
    env["machine"] = bc.machine_info()
    return env


def bare_cuda_session(model: str) -> Dict[str, Any]:
    """Does a plain ONNX Runtime CUDA session start, without and with preload_dlls()?"""
    code = ("import json, sys, onnxruntime as ort\n"
            "if sys.argv[-1] == 'preload': ort.preload_dlls()\n"
            "if sys.argv[-1] == 'torch_first': import torch\n"
            f"s = ort.InferenceSession({model!r}, providers=['CUDAExecutionProvider', 'CPUExecutionProvider'])\n"
            "print(json.dumps({'providers': s.get_providers()}))\n")
    out = {}
    for mode in ("plain", "preload", "torch_first"):
        r = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, timeout=300)
        lines = r.stdout.strip().splitlines()
        out[mode] = {"returncode": r.returncode,
                     "providers": json.loads(lines[-1])["providers"] if r.returncode == 0 and lines else None,
                     "stderr_tail": r.stderr[-600:]}
    return out


SHAPES = {"det": [(1, 3, 1216, 1600), (1, 3, 736, 736), (1, 3, 1216, 1600)],
          "rec": [(6, 3, 48, 320), (6, 3, 48, 1280), (6, 3, 48, 320)]}


def shape_changes(det_model: str, rec_model: str) -> Dict[str, Any]:
    """Bare sessions: the first run on a shape (again after another shape) vs repeats."""
    import onnxruntime as ort
    from ppocr_native.engines.onnxruntime_engine import cuda_options
    from ppocr_native.engines.selection import EnginePlan
    ours = cuda_options(EnginePlan("onnxruntime", "gpu", 0))
    rng = np.random.default_rng(0)
    out: Dict[str, Any] = {}
    for name, options in (("engine", ours), ("tf32", dict(ours, use_tf32=1)),
                          ("no_search", dict(ours, cudnn_conv_algo_search="DEFAULT"))):
        for model, path in (("det", det_model), ("rec", rec_model)):
            so = ort.SessionOptions()
            so.log_severity_level = 3
            session = ort.InferenceSession(path, so, providers=[("CUDAExecutionProvider", options)])
            feed = session.get_inputs()[0].name
            rows = []
            for shape in SHAPES[model]:
                x = rng.random(shape, dtype=np.float32)
                t0 = time.perf_counter()
                session.run(None, {feed: x})
                first = time.perf_counter() - t0
                repeats = []
                for _ in range(8):
                    t0 = time.perf_counter()
                    session.run(None, {feed: x})
                    repeats.append(time.perf_counter() - t0)
                rows.append({"shape": shape, "first_ms": 1e3 * first,
                             "repeat_median_ms": 1e3 * bc.percentile(repeats, 50),
                             "gpu_mb": _own_gpu_mb()})
            out.setdefault(name, {})[model] = rows
    out["rec_distinct_widths"] = distinct_widths(rec_model, ours)
    return out


def _own_gpu_mb() -> Optional[int]:
    """GPU memory this process holds, by nvidia-smi (None when it cannot say)."""
    for pid, used in _nvidia_smi("pid,used_memory", "compute-apps"):
        if pid == str(os.getpid()):
            return int(used)
    return None


def distinct_widths(rec_model: str, options: Dict[str, Any], count: int = 24) -> List[Dict[str, Any]]:
    """One recogniser session fed batches of ever new widths, as OCR does: does the first run
    on each new shape cost set-up, and does the GPU memory held grow with each new shape?"""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.log_severity_level = 3
    session = ort.InferenceSession(rec_model, so, providers=[("CUDAExecutionProvider", options)])
    feed = session.get_inputs()[0].name
    rng = np.random.default_rng(1)
    rows = []
    for width in range(320, 320 + 40 * count, 40):
        x = rng.random((6, 3, 48, width), dtype=np.float32)
        t0 = time.perf_counter()
        session.run(None, {feed: x})
        rows.append({"width": width, "first_ms": 1e3 * (time.perf_counter() - t0), "gpu_mb": _own_gpu_mb()})
    return rows


def auto_device() -> Dict[str, Any]:
    kwargs = {k: v for k, v in bc.REFERENCE_KWARGS.items() if k != "device"}
    return _python("import json\nfrom ppocr_native import PaddleOCR\n"
                   f"o = PaddleOCR(**{kwargs!r})\nprint(json.dumps({{'engine': o.engine}}))")


def cold_start(kwargs: Dict[str, Any], image: str) -> Dict[str, Any]:
    """Fresh process: import, construct, first result (the process's own clock)."""
    code = ("import time; t0 = time.perf_counter()\nimport json\nfrom ppocr_native import PaddleOCR\n"
            f"o = PaddleOCR(**{kwargs!r}); t1 = time.perf_counter()\n"
            f"r = o.predict({image!r})[0]; t2 = time.perf_counter()\n"
            "print(json.dumps({'construct_s': t1 - t0, 'first_result_s': t2 - t0, "
            "'lines': len(r['rec_texts'])}))")
    return _python(code)


# CUDA option sets tried against the GPU memory one pipeline holds (--memory-options).
MEMORY_OPTIONS = [{}, {"arena_extend_strategy": "kSameAsRequested"},
                  {"cudnn_conv_use_max_workspace": 0},
                  {"arena_extend_strategy": "kSameAsRequested", "cudnn_conv_use_max_workspace": 0}]


def memory_options(data: Path) -> List[Dict[str, Any]]:
    """Per option set, a fresh process: every image twice, then the GPU memory it holds."""
    rows = []
    for extra in MEMORY_OPTIONS:
        code = (f"import json, sys, time\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                "import bench_common as bc, bench_gpu as bg\n"
                f"data = bc.Path({str(data)!r}); undo = bg._with_cuda_options({extra!r})\n"
                "from ppocr_native import PaddleOCR\n"
                "ocr = PaddleOCR(**bg.GPU_KWARGS); undo(); out = {}; texts = {}\n"
                "for p in (1, 2):\n"
                "    t0 = time.perf_counter()\n"
                "    for path in bc.image_list(data):\n"
                "        texts[str(path.relative_to(data))] = list(ocr.predict(str(path))[0]['rec_texts'])\n"
                "    out[f'pass{p}_s'] = time.perf_counter() - t0\n"
                "out['gpu_mb'] = bg._own_gpu_mb()\n"
                "out['vs_reference'] = bc.text_agreement(texts, bc.reference_texts(data) or {})\n"
                "print(json.dumps(out))")
        rows.append(dict(_python(code, timeout=240), cuda_options=extra))
    return rows


def _with_cuda_options(extra: Dict[str, Any]) -> Callable[[], None]:
    """Benchmark-only: adds options to the CUDA provider the engine asks for; returns undo."""
    from ppocr_native.engines import onnxruntime_engine as ore
    original = ore.provider_settings

    def patched(*args: Any, **kwargs: Any):
        return [(name, dict(opts, **extra) if name == "CUDAExecutionProvider" else opts)
                for name, opts in original(*args, **kwargs)]

    ore.provider_settings = patched

    def undo() -> None:
        ore.provider_settings = original
    return undo


def _texts_and_boxes(results) -> Dict[str, Any]:
    r = results[0]
    return {"texts": list(r["rec_texts"]), "boxes": np.asarray(r["rec_polys"]).reshape(-1, 8).tolist()}


def compare_runs(a: Dict[str, Dict[str, Any]], b: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Per image: same texts? largest box-corner difference where the box counts agree."""
    same_texts, same_count, worst = 0, 0, 0.0
    differing = []
    for key in a:
        if key not in b:
            continue
        same_texts += a[key]["texts"] == b[key]["texts"]
        if len(a[key]["boxes"]) == len(b[key]["boxes"]):
            same_count += 1
            if a[key]["boxes"]:
                worst = max(worst, float(np.abs(np.asarray(a[key]["boxes"]) - np.asarray(b[key]["boxes"])).max()))
        if a[key]["texts"] != b[key]["texts"]:
            differing.append(key)
    return {"images": len(a), "identical_texts": same_texts, "same_box_count": same_count,
            "max_box_diff_px": worst, "differing": differing[:10]}


class Variant:
    def __init__(self, name: str, kwargs: Dict[str, Any], cuda_options: Optional[Dict[str, Any]] = None):
        from ppocr_native import PaddleOCR
        undo = _with_cuda_options(cuda_options) if cuda_options else None
        t0 = time.perf_counter()
        try:
            self.ocr = PaddleOCR(**kwargs)
        finally:
            if undo:
                undo()
        self.construct_s = time.perf_counter() - t0
        self.name = name
        self.seconds: Dict[int, Dict[str, float]] = {}   # pass -> image -> seconds
        self.outputs: Dict[str, Dict[str, Any]] = {}

    def run(self, key: str, image: str, pass_no: int) -> None:
        t0 = time.perf_counter()
        res = self.ocr.predict(image)
        self.seconds.setdefault(pass_no, {})[key] = time.perf_counter() - t0
        self.outputs[key] = _texts_and_boxes(res)


def threads_agree(variant: Variant, images: Dict[str, str], n_threads: int) -> Dict[str, Any]:
    """n threads, each over every image, on one pipeline: all equal to the single-thread run."""
    mismatches: List[str] = []
    errors: List[str] = []

    def work() -> None:
        for key, path in images.items():
            try:
                if _texts_and_boxes(variant.ocr.predict(path))["texts"] != variant.outputs[key]["texts"]:
                    mismatches.append(key)
            except Exception as exc:  # reported, not raised: the other threads go on
                errors.append(repr(exc))
    t0 = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - t0
    return {"threads": n_threads, "calls": n_threads * len(images), "mismatches": len(mismatches),
            "errors": errors[:3], "wall_s": wall, "images_per_s": n_threads * len(images) / wall}


def list_throughput(variant: Variant, paths: List[str], rounds: int) -> Dict[str, Any]:
    walls = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        variant.ocr.predict(paths)
        walls.append(time.perf_counter() - t0)
    best = min(walls)
    return {"walls_s": walls, "images_per_s": len(paths) / best}


def tensorrt_attempt(image: str) -> Dict[str, Any]:
    kwargs = dict(GPU_KWARGS, use_tensorrt=True)
    return _python("import json\nfrom ppocr_native import PaddleOCR\n"
                   f"try:\n    o = PaddleOCR(**{kwargs!r}); r = o.predict({image!r})[0]\n"
                   "    print(json.dumps({'ok': True, 'engine': o.engine, 'lines': len(r['rec_texts'])}))\n"
                   "except Exception as e:\n"
                   "    print(json.dumps({'ok': False, 'error': type(e).__name__ + ': ' + str(e)[:600]}))",
                   timeout=150)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--cpu-threads", type=int, default=min(8, os.cpu_count() or 1),
                    help="cpu_threads of the CPU (OpenVINO) side (PaddleOCR's default is 8)")
    ap.add_argument("--rounds", type=int, default=2, help="predict(list) rounds")
    ap.add_argument("--threads", type=int, default=4, help="threads sharing one GPU pipeline")
    ap.add_argument("--smoke", action="store_true", help="2 images; CPU only when no GPU")
    ap.add_argument("--no-tf32", action="store_true",
                    help="skip the variant that allows TF32 (saves a third of a GPU run)")
    ap.add_argument("--ort-defaults", action="store_true",
                    help="also run with ONNX Runtime's CUDA defaults (exhaustive search, TF32)")
    ap.add_argument("--memory-options", action="store_true",
                    help="also try CUDA options against the GPU memory a pipeline holds (~4 min)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    data = args.data or bc.default_data_dir()
    paths = bc.image_list(data)
    if args.smoke:
        paths = paths[:2]
    images = {str(p.relative_to(data)): str(p) for p in paths}
    out_path = args.json or bc.RESULTS / ("bench_gpu_smoke.json" if args.smoke else "bench_gpu.json")
    result: Dict[str, Any] = bc.result_header(sys.argv)
    result["environment"] = environment()

    def section(name: str, fn: Callable[[], Any]) -> Any:
        print(f"[bench_gpu] {name} ...", flush=True)
        t0 = time.perf_counter()
        try:
            value = fn()
        except Exception:
            value = {"error": traceback.format_exc()[-2000:]}
        result[name] = value
        result.setdefault("section_s", {})[name] = round(time.perf_counter() - t0, 2)
        bc.write_json(out_path, result)
        return value

    from ppocr_native.engines.cuda_devices import visible_cuda_devices
    gpu_count, gpu_detail = visible_cuda_devices()
    has_gpu = gpu_count > 0 and "CUDAExecutionProvider" in result["environment"].get("providers", [])
    result["gpu_usable"] = {"count": gpu_count, "detail": gpu_detail, "usable": has_gpu}
    if not has_gpu and not args.smoke:
        print(f"[bench_gpu] no usable GPU ({gpu_detail}; providers "
              f"{result['environment'].get('providers')}): nothing to measure", flush=True)
        bc.write_json(out_path, result)
        return 2

    det_model = bc.native_model_files()[0]
    if has_gpu:
        bare = section("bare_cuda_session", lambda: bare_cuda_session(str(det_model)))

        def started(mode: str) -> bool:
            return "CUDAExecutionProvider" in ((bare.get(mode) or {}).get("providers") or [])
        if not started("preload") and started("torch_first"):
            # Benchmark-side workaround, recorded: PyTorch's import loads its CUDA / cuDNN.
            import torch  # noqa: F401
            result["workaround"] = "imported torch before the GPU pipelines"

        section("auto_device", auto_device)
        rec_model = bc.native_model_files()[1]
        section("shape_changes", lambda: shape_changes(str(det_model), str(rec_model)))

    cpu_kwargs = dict(bc.REFERENCE_KWARGS, cpu_threads=args.cpu_threads)
    variants: List[Variant] = []
    wanted = []
    if has_gpu:
        wanted.append(("gpu", GPU_KWARGS, None))                      # the engine's own options
        if not args.no_tf32:
            wanted.append(("gpu_tf32", GPU_KWARGS, {"use_tf32": 1}))
        if args.ort_defaults:   # slow: seconds per new input shape
            wanted.append(("gpu_ort_defaults", GPU_KWARGS, ORT_DEFAULTS))
    wanted.append(("cpu", cpu_kwargs, None))   # last: the others are compared with it

    def construct() -> Dict[str, Any]:
        made: Dict[str, Any] = {}
        for name, kwargs, cuda_options in wanted:
            try:
                variants.append(Variant(name, kwargs, cuda_options))
                made[name] = {"construct_s": variants[-1].construct_s, "engine": variants[-1].ocr.engine}
            except Exception:
                made[name] = {"error": traceback.format_exc()[-1500:]}
        return made
    section("construct", construct)
    if not variants or variants[-1].name != "cpu":
        print(json.dumps(result.get("construct"), indent=1))
        return 1

    def passes() -> Dict[str, Any]:
        for pass_no in (1, 2):
            for key, path in images.items():
                for v in variants:
                    v.run(key, path, pass_no)
        return {v.name: {f"pass{p}": dict(bc.summary(list(by_image.values())), slowest=sorted(
                    by_image.items(), key=lambda item: -item[1])[:5])
                         for p, by_image in v.seconds.items()} for v in variants}
    section("latency", passes)

    ref = bc.reference_texts(data) or {}
    section("parity", lambda: {
        v.name: {"vs_reference": bc.text_agreement({k: o["texts"] for k, o in v.outputs.items()}, ref),
                 "vs_cpu": compare_runs(v.outputs, variants[-1].outputs)} for v in variants})
    section("predict_list", lambda: {v.name: list_throughput(v, list(images.values()), args.rounds)
                                     for v in variants})
    if has_gpu:
        first = next(iter(images.values()))
        if variants[0].name == "gpu":
            section("threads", lambda: threads_agree(variants[0], images, args.threads))
        section("cold_start", lambda: {"gpu": cold_start(GPU_KWARGS, first), "cpu": cold_start(cpu_kwargs, first)})
        section("gpu_memory_mb", lambda: _nvidia_smi("pid,used_memory", "compute-apps"))
        if args.memory_options:
            section("memory_options", lambda: memory_options(data))
        section("tensorrt", lambda: tensorrt_attempt(first))

    print_tables(result)
    print(f"[bench_gpu] wrote {out_path}", flush=True)
    return 0


def print_tables(result: Dict[str, Any]) -> None:
    lat, par, lst = result.get("latency", {}), result.get("parity", {}), result.get("predict_list", {})
    if "error" in lat:
        print(lat["error"])
        return
    rows = []
    for name, passes in lat.items():
        p1, p2 = passes.get("pass1", {}), passes.get("pass2", {})
        vs_ref = par.get(name, {}).get("vs_reference", {})
        vs_cpu = par.get(name, {}).get("vs_cpu", {})
        rows.append([name, bc.fmt(1000 * (p1.get("median") or 0), 1), bc.fmt(1000 * (p2.get("median") or 0), 1),
                     bc.fmt(1000 * (p2.get("p90") or 0), 1), bc.fmt(lst.get(name, {}).get("images_per_s"), 2),
                     f"{vs_ref.get('images_identical_texts')}/{vs_ref.get('n_images')}",
                     bc.fmt(100 * (vs_ref.get("line_recall") or 0), 1, " %"),
                     f"{vs_cpu.get('identical_texts')}/{vs_cpu.get('images')}", vs_cpu.get("max_box_diff_px")])
    print(bc.format_table(["engine", "pass 1 median ms", "pass 2 median ms", "pass 2 p90 ms",
                           "list images/s", "identical to ref", "ref lines", "texts = cpu", "max box diff px"], rows))


if __name__ == "__main__":
    sys.exit(main())
