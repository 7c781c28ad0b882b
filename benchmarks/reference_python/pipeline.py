"""The whole OCR pipeline (detection + recognition) in plain Python around two model runners.

Same configuration as the PaddleOCR reference outputs: PP-OCRv5 mobile det/rec, no document
or text-line orientation, detection limit ``min`` 64, thresholds 0.3 / 0.6, unclip 1.5,
recognition batches of 6 lines in aspect-ratio order. Time spent inside the model calls is
counted separately (``model_s``) so the share outside the models can be reported.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List, Sequence

import cv2
import numpy as np

from .crop import get_minarea_rect_crop, sorted_boxes
from .det import db_postprocess, det_preprocess
from .rec import ctc_decode, rec_batch_tensor

REC_BATCH = 6


class _OpenVinoModel:
    def __init__(self, path: Path, threads: int):
        import openvino as ov
        core = ov.Core()
        props = {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32",
                 "PERFORMANCE_HINT": "LATENCY"}
        self._request = core.compile_model(str(path), "CPU", props).create_infer_request()

    def __call__(self, tensor: np.ndarray) -> np.ndarray:
        self._request.infer([tensor])
        return self._request.get_output_tensor(0).data.copy()


class _OnnxRuntimeModel:
    def __init__(self, path: Path, threads: int):
        import onnxruntime as ort
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def __call__(self, tensor: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: tensor})[0]


ENGINES = {"openvino": _OpenVinoModel, "onnxruntime": _OnnxRuntimeModel}


class PurePythonOCR:
    """predict(path or BGR array) -> {"rec_texts", "rec_scores", "dt_polys"}."""

    def __init__(self, det_model: Path, rec_model: Path, characters: Sequence[str],
                 engine: str = "openvino", threads: int = 2, limit_side_len: int = 64,
                 limit_type: str = "min"):
        runner = ENGINES[engine]
        self._det = runner(Path(det_model), threads)
        self._rec = runner(Path(rec_model), threads)
        self._characters = list(characters)
        self._limit = (limit_side_len, limit_type)
        self.model_s = 0.0  # accumulated time inside model calls

    def _infer(self, model: Any, tensor: np.ndarray) -> np.ndarray:
        t = time.perf_counter()
        out = model(tensor)
        self.model_s += time.perf_counter() - t
        return out

    def predict(self, image: Any) -> Dict[str, Any]:
        bgr = cv2.imread(str(image), cv2.IMREAD_COLOR) if not isinstance(image, np.ndarray) else image
        if bgr is None:
            raise ValueError(f"cannot read {image}")
        prob = self._infer(self._det, det_preprocess(bgr, *self._limit))[0, 0]
        quads, scores = db_postprocess(prob, bgr.shape[1], bgr.shape[0])
        lines: List[np.ndarray] = []
        polys = []
        for i in sorted_boxes(quads):
            line = get_minarea_rect_crop(bgr, quads[i])
            if line.size == 0:
                continue
            lines.append(line)
            polys.append(quads[i])
        texts = self._recognize(lines)
        return {"rec_texts": [t for t, _ in texts], "rec_scores": [s for _, s in texts],
                "dt_polys": polys}

    def _recognize(self, lines: List[np.ndarray]) -> List[tuple]:
        order = sorted(range(len(lines)), key=lambda i: lines[i].shape[1] / lines[i].shape[0])
        results: List[Any] = [None] * len(lines)
        for start in range(0, len(order), REC_BATCH):
            group = order[start:start + REC_BATCH]
            probs = self._infer(self._rec, rec_batch_tensor([lines[i] for i in group]))
            for i, decoded in zip(group, ctc_decode(probs, self._characters)):
                results[i] = decoded
        return results

