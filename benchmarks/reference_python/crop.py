"""Reading order of the detected boxes and the perspective crop of each text line."""

from __future__ import annotations

from typing import List

import cv2
import numpy as np

from .det import mini_box

SAME_LINE_PX = 10  # boxes whose tops differ by less than this are on one line


def sorted_boxes(quads: np.ndarray) -> List[int]:
    """Indices of the quads top to bottom, left to right within a line."""
    order = sorted(range(len(quads)), key=lambda i: (quads[i][0][1], quads[i][0][0]))
    # One bubble pass per box: a box that starts on the same line but further left moves up.
    for i in range(len(order) - 1):
        for j in range(i, -1, -1):
            a, b = quads[order[j]][0], quads[order[j + 1]][0]
            if abs(int(b[1]) - int(a[1])) < SAME_LINE_PX and b[0] < a[0]:
                order[j], order[j + 1] = order[j + 1], order[j]
            else:
                break
    return order


def get_rotate_crop_image(image: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Warps the quadrilateral (TL, TR, BR, BL) to an upright rectangle; tall results are
    turned 90 degrees counter-clockwise, as vertical lines are read sideways."""
    c = corners.astype(np.float32)
    width = int(max(np.linalg.norm(c[0] - c[1]), np.linalg.norm(c[2] - c[3])))
    height = int(max(np.linalg.norm(c[0] - c[3]), np.linalg.norm(c[1] - c[2])))
    if width <= 0 or height <= 0:  # a degenerate box: no line (the pipeline drops it)
        return np.zeros((0, 0, 3), image.dtype)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    transform = cv2.getPerspectiveTransform(c, target)
    line = cv2.warpPerspective(image, transform, (width, height), borderMode=cv2.BORDER_REPLICATE,
                               flags=cv2.INTER_CUBIC)
    if line.shape[0] / line.shape[1] >= 1.5:
        line = np.rot90(line)
    return line


def get_minarea_rect_crop(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The crop of a detected quad through its minimum-area rectangle."""
    corners, _ = mini_box(np.asarray(quad, np.int32))
    return get_rotate_crop_image(image, corners)
