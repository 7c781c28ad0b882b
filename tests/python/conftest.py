"""Shared fixtures: where the labelled data lives, and pipelines built once per session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
THREADS = 2  # the CI machine has 2 cores

# The reference's exact configuration (data/reference/paddleocr_v5_mobile/README.md).
REFERENCE_KWARGS = dict(
    text_detection_model_name="PP-OCRv5_mobile_det",
    text_recognition_model_name="PP-OCRv5_mobile_rec",
    use_doc_orientation_classify=False,
    use_doc_unwarping=False,
    use_textline_orientation=False,
    text_det_limit_side_len=64,
    text_det_limit_type="min",
    text_det_thresh=0.3,
    text_det_box_thresh=0.6,
    text_det_unclip_ratio=1.5,
    text_rec_score_thresh=0.0,
    text_recognition_batch_size=6,
    cpu_threads=THREADS,
)


def alpha_blend(bgra: np.ndarray, background: float) -> np.ndarray:
    """The documented BGRA flattening, computed here in float32: value * a + background *
    (1 - a), rounded half up (what image_io.to_bgr and ops.flatten_alpha must produce)."""
    alpha = bgra[:, :, 3:4].astype(np.float32) / 255.0
    out = bgra[:, :, :3].astype(np.float32) * alpha + background * (1.0 - alpha)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The labelled images and reference outputs (env PPOCR_TEST_DATA, default ../shared/data).

    Missing data is a failure, never a skip: these tests are the proof the pipeline works.
    """
    path = Path(os.environ.get("PPOCR_TEST_DATA", REPO.parent / "shared" / "data"))
    if not (path / "reference" / "paddleocr_v5_mobile" / "index.json").is_file():
        pytest.fail(f"test data not found at {path}: set PPOCR_TEST_DATA to the shared/data folder")
    return path


@pytest.fixture(scope="session")
def reference(data_dir: Path):
    """{relative image path: reference result dict} of the official PaddleOCR."""
    ref_dir = data_dir / "reference" / "paddleocr_v5_mobile"
    index = json.loads((ref_dir / "index.json").read_text(encoding="utf-8"))
    return {rel: json.loads((ref_dir / name).read_text(encoding="utf-8"))
            for rel, name in sorted(index.items())}


@pytest.fixture(scope="session")
def ocr_reference_config():
    """PP-OCRv5 mobile with the optional modules off: the reference's configuration."""
    from ppocr_native import PaddleOCR

    return PaddleOCR(**REFERENCE_KWARGS)


@pytest.fixture(scope="session")
def ocr_default():
    """The default pipeline (PP-OCRv6 small, doc + text-line orientation on)."""
    from ppocr_native import PaddleOCR

    return PaddleOCR(cpu_threads=THREADS)
