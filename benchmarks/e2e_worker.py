#!/usr/bin/env python3
"""One OCR system in a process of its own, driven by bench_e2e.py / bench_memory.py.

Runs under the system's own interpreter (the project's venv, the PaddleOCR venv, the
RapidOCR venv), so it imports nothing but the standard library at the top. Protocol: one
JSON object per line on stdin, one JSON reply per line on the private reply pipe (the
original stdout; the libraries' own prints are sent to stderr):

    start-up                        -> {"ready": true, "import_s", "init_s"}
    {"cmd": "predict", "path": P}   -> {"texts": [...], "wall_s", "model_s"}
    {"cmd": "predict_list", "paths": [...]} -> {"texts": [[...], ...], "wall_s"}
    {"cmd": "stats"}                -> {"rss_mb", "peak_rss_mb", "cpu_s"}
    {"cmd": "quit"}                 -> exits

``model_s`` is the time spent inside model calls when the system can tell (None otherwise).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

BENCH_DIR = Path(__file__).resolve().parent


class NativeSystem:
    """ppocr-native's PaddleOCR-compatible API."""

    @staticmethod
    def preload() -> None:
        import ppocr_native  # noqa: F401

    def __init__(self, cfg: Dict[str, Any]):
        from ppocr_native import PaddleOCR
        self.ocr = PaddleOCR(**cfg["kwargs"])

    def predict(self, path: str):
        res = self.ocr.predict(path)[0]
        return list(res["rec_texts"]), _native_model_s(res)

    def predict_list(self, paths: List[str]) -> List[List[str]]:
        return [list(r["rec_texts"]) for r in self.ocr.predict(paths)]


def _native_model_s(res: Any) -> Optional[float]:
    """Wall time with a model running, as the core reports it (res["timings"]["inference"])."""
    timings = res.get("timings") if hasattr(res, "get") else None
    if isinstance(timings, dict) and "inference" in timings:
        return float(timings["inference"])
    return None


class PaddleSystem:
    """The official PaddleOCR 3.x, configured as run_ref.py does (model dirs from $DET/$REC)."""

    @staticmethod
    def preload() -> None:
        import paddleocr  # noqa: F401

    def __init__(self, cfg: Dict[str, Any]):
        from paddleocr import PaddleOCR
        kw = dict(cfg["kwargs"], text_detection_model_dir=os.environ["DET"],
                  text_recognition_model_dir=os.environ["REC"], enable_mkldnn=True)
        self.ocr = PaddleOCR(**kw)

    # The result is a dict: read the texts directly (``.json`` would serialise everything).
    def predict(self, path: str):
        return list(self.ocr.predict(path)[0]["rec_texts"]), None

    def predict_list(self, paths: List[str]) -> List[List[str]]:
        return [list(r["rec_texts"]) for r in self.ocr.predict(paths)]


class RapidSystem:
    """RapidOCR 3.x on onnxruntime, pointed at ppocr-native's cached ONNX files."""

    @staticmethod
    def preload() -> None:
        import rapidocr  # noqa: F401

    def __init__(self, cfg: Dict[str, Any]):
        import rapidocr
        from rapidocr import RapidOCR
        # Its parameter parser wants these as its enums, not their string values.
        enums = {"engine_type": rapidocr.EngineType, "ocr_version": rapidocr.OCRVersion,
                 "model_type": rapidocr.ModelType}
        params = {k: enums[k.rsplit(".", 1)[1]](v) if k.rsplit(".", 1)[1] in enums else v
                  for k, v in cfg["params"].items()}
        self.ocr = RapidOCR(params=params)

    def predict(self, path: str):
        out = self.ocr(path)
        return list(out.txts or ()), None

    def predict_list(self, paths: List[str]) -> List[List[str]]:
        return [self.predict(p)[0] for p in paths]


class PurePythonSystem:
    """benchmarks/reference_python's pipeline on OpenVINO (or onnxruntime)."""

    @staticmethod
    def preload() -> None:
        sys.path.insert(0, str(BENCH_DIR))
        import reference_python.pipeline  # noqa: F401
        import openvino  # noqa: F401

    def __init__(self, cfg: Dict[str, Any]):
        from reference_python.pipeline import PurePythonOCR
        self.ocr = PurePythonOCR(cfg["det"], cfg["rec"], cfg["characters"], engine=cfg["engine"],
                                 threads=cfg["threads"])

    def predict(self, path: str):
        before = self.ocr.model_s
        res = self.ocr.predict(path)
        return res["rec_texts"], self.ocr.model_s - before

    def predict_list(self, paths: List[str]) -> List[List[str]]:
        return [self.predict(p)[0] for p in paths]


SYSTEMS = {"native": NativeSystem, "paddle": PaddleSystem, "rapidocr": RapidSystem,
           "pure_python": PurePythonSystem}


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    cfg = json.loads(sys.argv[1])
    reply_fd = os.dup(1)
    os.dup2(2, 1)  # library prints go to stderr; replies have their own pipe
    sys.stdout = sys.stderr
    out = os.fdopen(reply_fd, "w", buffering=1)

    def reply(obj: Dict[str, Any]) -> None:
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()

    t = time.perf_counter()
    kind = SYSTEMS[cfg["system"]]
    kind.preload()
    import_done = time.perf_counter()
    system = kind(cfg)
    reply({"ready": True, "import_s": import_done - t, "init_s": time.perf_counter() - import_done})
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        if cmd == "predict":
            t = time.perf_counter()
            texts, model_s = system.predict(msg["path"])
            reply({"texts": texts, "wall_s": time.perf_counter() - t, "model_s": model_s})
        elif cmd == "predict_list":
            t = time.perf_counter()
            texts = system.predict_list(msg["paths"])
            reply({"texts": texts, "wall_s": time.perf_counter() - t})
        elif cmd == "stats":
            ru = resource.getrusage(resource.RUSAGE_SELF)
            reply({"rss_mb": rss_mb(), "peak_rss_mb": ru.ru_maxrss / 1024,
                   "cpu_s": ru.ru_utime + ru.ru_stime})
        elif cmd == "quit":
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
