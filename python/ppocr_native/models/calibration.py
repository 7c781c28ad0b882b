"""Calibration pages for int8 quantisation, drawn here rather than taken from any data set.

Each page is a random background (paper, colour gradient or a blurred "photo") with lines of
random text: English words, prices and numbers, and runs of CJK characters taken from the
recogniser's own dictionary. Only activation ranges are learnt from them, so they need the
statistics of text on pages, not real documents; keeping them synthetic also keeps every
evaluation image out of calibration. Seeded: the same pages every time.

``text_lines`` draws upright pages from another seed and keeps the text of each line: a
recognition set with known answers, which the benchmarks use to measure the int8 recogniser
on far more lines than the labelled data holds.
"""

from __future__ import annotations

import random
from typing import Iterator, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

Box = Tuple[int, int, int, int]

_LATIN_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
)
_WORDS = ("the of and to in is for on with as by at from total price date name address phone "
          "invoice receipt order item qty amount tax cash change thank you street road hotel "
          "grand open close station north south east west page chapter section table").split()
_PAGE_SIZES = ((640, 480), (800, 1100), (1200, 900), (1000, 1400), (1600, 1200), (480, 640),
               (960, 540), (1240, 1754), (400, 300))
_TEXT_SIZES = (12, 14, 16, 18, 20, 24, 28, 32, 40, 48, 64)


class _Fonts:
    """The Latin fonts and the CJK font this machine has; Pillow's own font when it has none."""

    def __init__(self) -> None:
        from ..result import find_font  # the visualisation's CJK font (fonts-wqy-microhei)

        self.cjk = find_font()
        self.latin = [p for p in _LATIN_FONTS if _loads(p)] or ([self.cjk] if self.cjk else [])

    def pick(self, rng: random.Random, cjk: bool, size: int) -> ImageFont.ImageFont:
        path = self.cjk if (cjk or not self.latin) else rng.choice(self.latin)
        if path is None:
            return ImageFont.load_default()
        return ImageFont.truetype(path, size)


def _loads(path: str) -> bool:
    try:
        ImageFont.truetype(path, 12)
        return True
    except OSError:
        return False


def is_cjk_ideograph(character: str) -> bool:
    """A character of the CJK Unified Ideographs block (what the pages' CJK runs draw from)."""
    return "\u4e00" <= character <= "\u9fff"


def cjk_characters(dictionary: Optional[Sequence[str]]) -> List[str]:
    """The single CJK ideographs of a recognition dictionary (none for e.g. an English one)."""
    return [c for c in (dictionary or ()) if len(c) == 1 and is_cjk_ideograph(c)]


def _random_text(rng: random.Random, cjk: Sequence[str], fonts: _Fonts) -> Tuple[str, bool]:
    kind = rng.random()
    if kind < 0.45 and cjk and fonts.cjk:
        text = "".join(rng.choice(cjk) for _ in range(rng.randint(2, 18)))
        if rng.random() < 0.4:
            text += rng.choice(("：", "，", "。", " ", "")) + str(rng.randint(0, 99999))
        return text, True
    if kind < 0.6:
        return (rng.choice(("", "$", "No.")) + f"{rng.uniform(0, 9999):.2f}" +
                rng.choice(("", " kg", "%", " x2"))), False
    words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 7))]
    if rng.random() < 0.3:
        words = [w.upper() for w in words]
    elif rng.random() < 0.5:
        words[0] = words[0].capitalize()
    return " ".join(words), False


def _background(rng: random.Random, width: int, height: int) -> Image.Image:
    noise_rng = np.random.default_rng(rng.randint(0, 1 << 30))
    mode = rng.random()
    if mode < 0.45:  # paper
        tint = np.array([rng.uniform(-15, 5) for _ in range(3)], np.float32)
        pixels = np.full((height, width, 3), rng.randint(200, 255), np.float32) + tint
    elif mode < 0.7:  # a colour gradient, across or down
        start, end = (np.array([rng.randint(0, 255) for _ in range(3)], np.float32) for _ in range(2))
        across = rng.random() < 0.5
        t = np.linspace(0, 1, width if across else height, dtype=np.float32)[:, None]
        ramp = start * (1 - t) + end * t
        pixels = np.broadcast_to(ramp[None] if across else ramp[:, None], (height, width, 3)).copy()
    else:  # a "photo": coarse random colours, smoothly enlarged
        coarse = noise_rng.integers(0, 256, (max(2, height // 64), max(2, width // 64), 3))
        pixels = np.asarray(Image.fromarray(coarse.astype(np.uint8)).resize(
            (width, height), Image.BICUBIC), np.float32)
    pixels += noise_rng.normal(0, rng.uniform(0, 12), (height, width, 1))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _page(rng: random.Random, cjk: Sequence[str], fonts: _Fonts,
          upright: bool = False) -> Tuple[np.ndarray, List[Tuple[Box, str]]]:
    """A BGR page and its lines: (box, text drawn there). `upright` leaves out the slight
    rotation some pages get, which would move text out of its box, but draws from `rng` as
    if it had rotated, so the pages stay those of the same seed."""
    width, height = rng.choice(_PAGE_SIZES)
    image = _background(rng, width, height)
    draw = ImageDraw.Draw(image)
    light = np.asarray(image).mean() > 128
    lines: List[Tuple[Box, str]] = []
    y = rng.randint(5, 60)
    while y < height - 20:
        size = rng.choice(_TEXT_SIZES)
        dark_text = light if rng.random() < 0.9 else not light
        colour = tuple(rng.randint(0, 90) if dark_text else rng.randint(180, 255) for _ in range(3))
        x = rng.randint(5, max(6, width // 3))
        for _column in range(2 if rng.random() < 0.4 else 1):
            text, is_cjk = _random_text(rng, cjk, fonts)
            font = fonts.pick(rng, is_cjk, size)
            box = draw.textbbox((x, y), text, font=font)
            if box[2] >= width - 2 or box[3] >= height - 2:
                break
            draw.text((x, y), text, font=font, fill=colour)
            lines.append((tuple(int(v) for v in box), text))
            x = box[2] + rng.randint(20, 200)
        y += int(size * rng.uniform(1.2, 3.5))
    if rng.random() < 0.3:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
    if rng.random() < 0.3:
        angle = rng.uniform(-4, 4)
        if not upright:
            corner = tuple(int(v) for v in np.asarray(image)[0, 0])
            image = image.rotate(angle, resample=Image.BICUBIC, fillcolor=corner)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1]), lines  # BGR, as decoded images


def pages(count: int, dictionary: Optional[Sequence[str]] = None,
          seed: int = 1234) -> Iterator[Tuple[np.ndarray, List[Box]]]:
    """`count` BGR pages with the boxes of their text lines."""
    rng = random.Random(seed)
    fonts = _Fonts()
    cjk = cjk_characters(dictionary)
    for _ in range(count):
        page, lines = _page(rng, cjk, fonts)
        yield page, [box for box, _ in lines]


def line_crops(page: np.ndarray, boxes: Sequence[Box], rng: random.Random) -> Iterator[np.ndarray]:
    """Each box cut out with a margin of 0-4 pixels, as detection crops vary."""
    for box in boxes:
        crop = _crop(page, box, rng)
        if crop is not None:
            yield crop


def text_lines(count: int, dictionary: Optional[Sequence[str]] = None,
               seed: int = 4321) -> Iterator[Tuple[np.ndarray, str]]:
    """(BGR crop, the text drawn in it) for the lines of `count` upright pages: a recognition
    set whose answers are known, drawn from a seed other than the calibration pages'."""
    rng, crop_rng = random.Random(seed), random.Random(seed + 1)
    fonts = _Fonts()
    cjk = cjk_characters(dictionary)
    for _ in range(count):
        page, lines = _page(rng, cjk, fonts, upright=True)
        for box, text in lines:
            crop = _crop(page, box, crop_rng)
            if crop is not None:
                yield crop, text


def _crop(page: np.ndarray, box: Box, rng: random.Random) -> Optional[np.ndarray]:
    x0, y0, x1, y1 = box
    pad = rng.randint(0, 4)
    crop = page[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad]
    return np.ascontiguousarray(crop) if crop.shape[0] > 4 and crop.shape[1] > 4 else None
