"""Text detection around the DB model: input resizing/normalisation and box extraction."""

from __future__ import annotations

from typing import List, Tuple

import cv2
import numpy as np
import pyclipper

# ImageNet statistics, applied to the BGR image in B, G, R order as PaddleOCR feeds its detector.
DET_MEAN = (0.485, 0.456, 0.406)
DET_STD = (0.229, 0.224, 0.225)
MIN_BOX_SIDE = 3


def det_input_size(height: int, width: int, limit_side_len: int = 64, limit_type: str = "min",
                   max_side_limit: int = 4000) -> Tuple[int, int]:
    """(height, width) of the detector input: scaled by the side limit, multiples of 32."""
    if limit_type == "max":
        ratio = limit_side_len / max(height, width) if max(height, width) > limit_side_len else 1.0
    elif limit_type == "min":
        ratio = limit_side_len / min(height, width) if min(height, width) < limit_side_len else 1.0
    elif limit_type == "resize_long":
        ratio = limit_side_len / max(height, width)
    else:
        raise ValueError(f"unknown limit_type {limit_type!r}")
    h, w = int(height * ratio), int(width * ratio)
    if max(h, w) > max_side_limit:
        cap = max_side_limit / max(h, w)
        h, w = int(h * cap), int(w * cap)
    return max(int(round(h / 32) * 32), 32), max(int(round(w / 32) * 32), 32)


def det_preprocess(bgr: np.ndarray, limit_side_len: int = 64, limit_type: str = "min",
                   max_side_limit: int = 4000) -> np.ndarray:
    """The detector's 1x3xHxW float32 input for a BGR uint8 image."""
    if bgr.shape[0] + bgr.shape[1] < 64:  # tiny images are padded, not upscaled
        padded = np.zeros((max(32, bgr.shape[0]), max(32, bgr.shape[1]), 3), np.uint8)
        padded[: bgr.shape[0], : bgr.shape[1]] = bgr
        bgr = padded
    h, w = det_input_size(bgr.shape[0], bgr.shape[1], limit_side_len, limit_type, max_side_limit)
    if (h, w) != bgr.shape[:2]:
        bgr = cv2.resize(bgr, (w, h))
    # NormalizeImage: alpha = scale / std and beta = -mean / std in Python floats, applied
    # to the float32 image in float32.
    alpha = np.array([(1.0 / 255.0) / s for s in DET_STD], np.float32)
    beta = np.array([-m / s for m, s in zip(DET_MEAN, DET_STD)], np.float32)
    img = bgr.astype(np.float32) * alpha + beta
    return np.ascontiguousarray(img.transpose(2, 0, 1)[None])


def mini_box(points: np.ndarray) -> Tuple[np.ndarray, float]:
    """The minimum-area rectangle's corners (top-left, top-right, bottom-right, bottom-left)
    and its shorter side."""
    rect = cv2.minAreaRect(points)
    corners = sorted(list(cv2.boxPoints(rect)), key=lambda p: p[0])
    left = (corners[0], corners[1]) if corners[1][1] > corners[0][1] else (corners[1], corners[0])
    right = (corners[2], corners[3]) if corners[3][1] > corners[2][1] else (corners[3], corners[2])
    box = np.array([left[0], right[0], right[1], left[1]], np.float32)
    return box, min(rect[1])


def box_score_fast(prob: np.ndarray, box: np.ndarray) -> float:
    """Mean probability inside the box (over its bounding rectangle, masked)."""
    h, w = prob.shape
    xmin = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    xmax = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    ymin = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    ymax = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), np.uint8)
    shifted = box.copy()
    shifted[:, 0] -= xmin
    shifted[:, 1] -= ymin
    cv2.fillPoly(mask, shifted.reshape(1, -1, 2).astype(np.int32), 1)
    return cv2.mean(prob[ymin:ymax + 1, xmin:xmax + 1], mask)[0]


def unclip(box: np.ndarray, ratio: float) -> np.ndarray:
    """Grows the box by area * ratio / perimeter (rounded joins), as the DB paper does."""
    area = cv2.contourArea(box)
    length = cv2.arcLength(box, True)
    if length <= 0:
        return np.zeros((0, 2), np.int32)
    offset = pyclipper.PyclipperOffset()
    offset.AddPath([(int(x), int(y)) for x, y in box], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    grown = offset.Execute(area * ratio / length)
    if not grown:
        return np.zeros((0, 2), np.int32)
    # Outlines of one length are pooled (numpy stacks them); otherwise the first one is used.
    if any(len(p) != len(grown[0]) for p in grown):
        grown = grown[:1]
    return np.array(grown, np.int32).reshape(-1, 2)


def db_postprocess(prob: np.ndarray, dest_width: int, dest_height: int, thresh: float = 0.3,
                   box_thresh: float = 0.6, unclip_ratio: float = 1.5,
                   max_candidates: int = 1000) -> Tuple[np.ndarray, List[float]]:
    """Quadrilaterals (N x 4 x 2 int32, in destination pixels) and their scores."""
    bitmap = (prob > thresh).astype(np.uint8) * 255
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    sx, sy = dest_width / prob.shape[1], dest_height / prob.shape[0]
    quads, scores = [], []
    for contour in contours[:max_candidates]:
        kernel, short_side = mini_box(contour)
        if short_side < MIN_BOX_SIDE:
            continue
        score = box_score_fast(prob, kernel)
        if box_thresh > score:
            continue
        grown = unclip(kernel, unclip_ratio)
        if len(grown) == 0:
            continue
        region, short_side = mini_box(grown)
        if short_side < MIN_BOX_SIDE + 2:
            continue
        region = region.astype(np.float64)
        region[:, 0] = np.clip(np.round(region[:, 0] * sx), 0, dest_width)
        region[:, 1] = np.clip(np.round(region[:, 1] * sy), 0, dest_height)
        quads.append(region.astype(np.int32))
        scores.append(score)
    return np.array(quads, np.int32).reshape(-1, 4, 2), scores
