"""Accuracy on the labelled boxes of ../shared/data, model by model, for the presets.

The pipeline-level metrics of bench_common (reference lines, labelled words found anywhere on
the page) mix detection and recognition: a box edge that moves changes the crop and so the
text. These two separate them:

* **detection hmean**: the pipeline's ``dt_polys`` against the labelled quadrilaterals of
  icdar2015_subset and wildreceipt_toy (ICDAR 2015 protocol, simplified: one-to-one matches at
  IoU >= 0.5; ``###`` / empty labels are "don't care": detections lying mostly (> 50 %) inside
  one count neither way);
* **line accuracy**: the recogniser alone on each labelled box, cropped as the pipeline crops
  (``ops.crop_text_line``) and padded as the preset pads (one line per call), plus the
  mmocr_rec_toy word crops: exact matches and character error rate, whitespace removed on both
  sides (WildReceipt's labels have none), case kept;
* **synthetic lines**: the same, on lines drawn with known text by the int8 preset's own
  page generator (``calibration.text_lines``: upright pages, a seed apart from the
  calibration pages), Latin and CJK apart — a thousand lines where the labelled set has 113,
  so a one-point change is more than one line. Random CJK strings have no context to lean
  on, and the recogniser reads few of them whole: for CJK the CER is the measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from bench_common import edit_distance

IOU_MATCH = 0.5
DONT_CARE_COVER = 0.5


@dataclass(frozen=True)
class LabelledBox:
    quad: np.ndarray  # 4 x 2 float32, image coordinates
    text: str
    care: bool


def labelled_boxes(data: Path) -> Dict[str, List[LabelledBox]]:
    """{image path relative to data: its labelled boxes}."""
    out: Dict[str, List[LabelledBox]] = {}
    for gt in sorted((data / "icdar2015_subset" / "gt").glob("gt_img_*.txt")):
        out[f"icdar2015_subset/imgs/{gt.stem[3:]}.jpg"] = [
            LabelledBox(quad, text, text != "###") for quad, text in _read_quads(gt)]
    for gt in sorted((data / "wildreceipt_toy").glob("gt_*.txt")):
        image = next((p for p in gt.parent.glob(f"{gt.stem[3:]}.*") if p.suffix != ".txt"), None)
        if image is not None:
            out[str(image.relative_to(data))] = [
                LabelledBox(quad, text, bool(text.strip())) for quad, text in _read_quads(gt)]
    return out


def _read_quads(path: Path) -> List[Tuple[np.ndarray, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.strip().split(",", 8)
        if len(parts) == 9:
            rows.append((np.array(parts[:8], np.float32).reshape(4, 2), parts[8]))
    return rows


# ------------------------------------------------------------------------------------------
# Detection
# ------------------------------------------------------------------------------------------

def _hull(quad: np.ndarray) -> np.ndarray:
    return cv2.convexHull(np.asarray(quad, np.float32).reshape(-1, 1, 2))


def _intersection(a: np.ndarray, b: np.ndarray) -> float:
    area, _ = cv2.intersectConvexConvex(a, b)
    return max(float(area), 0.0)


def det_scores(polys: Dict[str, Sequence[np.ndarray]],
               labelled: Dict[str, List[LabelledBox]]) -> Dict[str, Optional[float]]:
    """Recall, precision and hmean of the detected quads `polys` (per image) at IoU 0.5."""
    matched = unmatched = wanted = 0
    for rel, boxes in labelled.items():
        if rel not in polys:
            continue
        care = [_hull(b.quad) for b in boxes if b.care]
        ignore = [_hull(b.quad) for b in boxes if not b.care]
        wanted += len(care)
        taken = [False] * len(care)
        for det in (_hull(p) for p in polys[rel]):
            det_area = cv2.contourArea(det)
            if det_area <= 0:
                continue
            if any(_intersection(det, g) / det_area > DONT_CARE_COVER for g in ignore):
                continue
            best, best_j = 0.0, -1
            for j, g in enumerate(care):
                if taken[j]:
                    continue
                inter = _intersection(det, g)
                iou = inter / (det_area + cv2.contourArea(g) - inter)
                if iou > best:
                    best, best_j = iou, j
            if best >= IOU_MATCH:
                taken[best_j] = True
                matched += 1
            else:
                unmatched += 1
    recall = matched / wanted if wanted else None
    precision = matched / (matched + unmatched) if matched + unmatched else None
    hmean = (2 * recall * precision / (recall + precision)
             if recall and precision else (0.0 if wanted else None))
    return {"recall": recall, "precision": precision, "hmean": hmean, "labelled": wanted,
            "matched": matched, "unmatched_detections": unmatched}


# ------------------------------------------------------------------------------------------
# Recognition
# ------------------------------------------------------------------------------------------

def labelled_lines(data: Path, labelled: Dict[str, List[LabelledBox]]) -> List[Tuple[np.ndarray, str]]:
    """(BGR crop, label) for every labelled box worth reading, then the word crops."""
    from ppocr_native._core import ops

    lines = []
    for rel, boxes in labelled.items():
        image = cv2.imread(str(data / rel), cv2.IMREAD_COLOR)
        for box in boxes:
            if box.care:
                crop = ops.crop_text_line(image, np.rint(box.quad).astype(np.int32))
                if crop.size:
                    lines.append((crop, box.text))
    labels = data / "mmocr_rec_toy" / "labels.txt"
    for row in labels.read_text(encoding="utf-8-sig").splitlines():
        name, _, text = row.strip().partition(" ")
        if name:
            lines.append((cv2.imread(str(data / "mmocr_rec_toy" / "imgs" / name), cv2.IMREAD_COLOR),
                          text))
    return lines


def line_accuracy(read: Sequence[str], lines: Sequence[Tuple[np.ndarray, str]]) -> Dict[str, float]:
    """Exact matches and character error rate of `read` (one text per line), whitespace
    removed on both sides."""
    exact = errors = chars = 0
    for text, (_, label) in zip(read, lines):
        got, want = "".join(text.split()), "".join(label.split())
        exact += got == want
        errors += edit_distance(got, want)
        chars += len(want)
    return {"exact": exact / len(lines), "cer": errors / chars, "lines": len(lines)}


def accuracy_by_script(read: Sequence[str], lines: Sequence[Tuple[np.ndarray, str]]
                       ) -> Dict[str, Optional[Dict[str, float]]]:
    """line_accuracy over all lines and over those with / without CJK ideographs."""
    from ppocr_native.models.calibration import is_cjk_ideograph

    def has_cjk(text: str) -> bool:
        return any(is_cjk_ideograph(c) for c in text)

    groups = {"all": range(len(lines)),
              "latin": [i for i, (_, text) in enumerate(lines) if not has_cjk(text)],
              "cjk": [i for i, (_, text) in enumerate(lines) if has_cjk(text)]}
    return {name: line_accuracy([read[i] for i in index], [lines[i] for i in index])
            if len(index) else None for name, index in groups.items()}


def read_lines(model_path: str, characters: Sequence[str], precision: str, threads: int,
               lines: Sequence[Tuple[np.ndarray, str]], width_step: int = 0) -> List[str]:
    """The recogniser at `model_path` on each line alone, compiled as the engine compiles it
    (its graph rewrites, latency hint, `precision`'s inference precision; an int8 IR runs with
    f32 around its quantised operations)."""
    import tempfile

    import openvino as ov
    from ppocr_native._core import TextRecOptions, ops

    hint = {"fp32": "f32", "int8": "f32", "bf16": "bf16", "fp16": "f16"}[precision]
    options = TextRecOptions()
    options.width_step = width_step
    decoder = ops.CtcDecoder(list(characters))
    with tempfile.TemporaryDirectory() as tmp:
        rewritten = str(Path(tmp) / "rec.xml")
        ops.graph_rewrites(model_path, rewritten)
        request = ov.Core().compile_model(rewritten, "CPU", {
            "INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_PRECISION_HINT": hint}).create_infer_request()
    texts = []
    for crop, _ in lines:
        request.infer([ops.rec_batch_tensor([crop], options)])
        texts.append(decoder.decode(request.get_output_tensor(0).data[0])[0])
    return texts
