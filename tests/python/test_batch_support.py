"""Shared inputs and settings of the ppocr batch tests (holds no tests itself)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "assets" / "sample.png"

# A light pipeline (PP-OCRv5 mobile, no orientation modules, 1 thread per worker) keeps the
# batch tests quick; the batch machinery is what they test, the pipeline is tested elsewhere.
LIGHT_KWARGS = dict(
    text_detection_model_name="PP-OCRv5_mobile_det",
    text_recognition_model_name="PP-OCRv5_mobile_rec",
    use_doc_orientation_classify=False,
    use_doc_unwarping=False,
    use_textline_orientation=False,
    cpu_threads=1,
)


def make_pdf(images, dest: Path) -> Path:
    """A multi-page PDF, one image per page, at 72 dpi (1 px = 1 pt)."""
    from PIL import Image

    pages = [Image.open(p).convert("RGB") for p in images]
    pages[0].save(dest, save_all=True, append_images=pages[1:], resolution=72)
    return dest


def make_mixed_dir(root: Path, data_dir: Path) -> Path:
    """Images (one in a subfolder), a 2-page PDF, a corrupt image and a non-image."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE, root / "sample.png")
    (root / "sub").mkdir(exist_ok=True)
    shutil.copy(data_dir / "rapidocr_tests" / "en_rec.jpg", root / "sub" / "en_rec.jpg")
    make_pdf([data_dir / "paddleocr_tests" / "textline.png",
              data_dir / "rapidocr_tests" / "ch_en_num.jpg"], root / "doc.pdf")
    (root / "broken.png").write_bytes(SAMPLE.read_bytes()[:300])  # a truncated PNG
    (root / "notes.txt").write_text("not an image\n")
    return root


def page_key(record) -> tuple:
    return (record["source"], -1 if record["page_index"] is None else record["page_index"])


# -- stand-ins for the pool's worker functions (importable by spawned workers) --------------

def fake_init(ocr_kwargs) -> None:
    """No pipeline: the pool tests exercise the engine, not the OCR."""


class FakeWorker:
    """fake_work as a Ray actor's per-input callable (the engine's worker_factory)."""

    def __init__(self, ocr_kwargs) -> None:
        pass

    def __call__(self, task):
        return fake_work(task)


def fake_work(task):
    """An outcome naming the worker's pid; a key containing 'crash' kills the worker."""
    import os
    import time

    from ppocr_native.batch.manifest import InputOutcome

    if "late-crash" in task.key:  # dies while the driver is busy with another outcome
        time.sleep(0.5)
        os._exit(3)
    if "crash" in task.key:
        os._exit(3)  # as a segfault in a native library would: no exception, no cleanup
    time.sleep(0.2)
    return InputOutcome(task.key, None, None, None,
                        [{"source": task.key, "page_index": None, "error": None,
                          "worker_pid": os.getpid()}])
