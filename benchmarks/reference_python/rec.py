"""Text recognition around the CTC model: line resizing/normalisation and greedy decoding."""

from __future__ import annotations

import math
from typing import List, Sequence, Tuple

import cv2
import numpy as np

REC_HEIGHT = 48
REC_MIN_WIDTH = 320  # every line gets at least a 320/48 aspect slot
REC_MAX_WIDTH = 3200


def rec_widths(h: int, w: int, height: int = REC_HEIGHT, min_width: int = REC_MIN_WIDTH,
               max_width: int = REC_MAX_WIDTH) -> Tuple[int, int]:
    """(resized width, slot width) of an h x w line: its aspect ratio kept at the network
    height, at most the slot, which is at least min_width and at most max_width."""
    ratio = w / float(h)
    slot = int(height * max(min_width / height, ratio))
    if slot > max_width:
        return max_width, max_width
    return (slot if math.ceil(height * ratio) > slot else int(math.ceil(height * ratio))), slot


def rec_resize_norm(line: np.ndarray, height: int = REC_HEIGHT, min_width: int = REC_MIN_WIDTH,
                    max_width: int = REC_MAX_WIDTH) -> np.ndarray:
    """3 x height x slot float32 in [-1, 1]: the line resized to the network height keeping
    its aspect ratio, zero-padded on the right to its slot width."""
    resized_w, slot = rec_widths(line.shape[0], line.shape[1], height, min_width, max_width)
    resized = cv2.resize(line, (resized_w, height))
    img = resized.astype(np.float32).transpose(2, 0, 1) / 255
    img -= 0.5
    img /= 0.5
    out = np.zeros((3, height, slot), np.float32)
    out[:, :, :resized_w] = img
    return out


def rec_batch_tensor(lines: Sequence[np.ndarray], height: int = REC_HEIGHT,
                     min_width: int = REC_MIN_WIDTH, max_width: int = REC_MAX_WIDTH) -> np.ndarray:
    """N x 3 x height x W: each line as rec_resize_norm, right-padded to the widest slot."""
    items = [rec_resize_norm(l, height, min_width, max_width) for l in lines]
    width = max(i.shape[2] for i in items)
    batch = np.zeros((len(items), 3, height, width), np.float32)
    for k, item in enumerate(items):
        batch[k, :, :, : item.shape[2]] = item
    return batch


def ctc_decode(probs: np.ndarray, characters: Sequence[str]) -> List[Tuple[str, float]]:
    """Greedy CTC over N x T x C probabilities: best class per step, repeats merged, blanks
    (class 0) dropped; score = mean probability of the kept steps (0 when none)."""
    best = probs.argmax(axis=2)
    best_prob = probs.max(axis=2)
    out = []
    for ids, p in zip(best, best_prob):
        keep = np.ones(len(ids), bool)
        keep[1:] = ids[1:] != ids[:-1]
        keep &= ids != 0
        text = "".join(characters[i] for i in ids[keep])
        out.append((text, float(p[keep].mean()) if keep.any() else 0.0))
    return out
