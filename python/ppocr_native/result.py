"""Result objects shaped like PaddleOCR 3.x's (PaddleX 3.7's) OCR results.

``OCRResult`` is a dict of the pipeline's fields with PaddleOCR's helpers: ``print()``,
``save_to_json()``, ``save_to_img()`` and the ``json`` / ``img`` properties. File naming,
JSON layout and the visualisations follow PaddleX 3.7.2, which PaddleOCR 3.7 returns:

* ``save_to_json(path)``: a path whose MIME type is ``application/json`` (``*.json``) is
  written as is; anything else is a directory that gets ``<stem>_res.json``.
* ``save_to_img(path)``: a path whose MIME type is ``image/*`` (``*.png``, ``*.jpg`` ...)
  gets the first image of ``res.img`` (``ocr_res_img``; a warning says the others are left
  out); anything else is a directory that gets every image, ``<stem>_<key><ext>``:
  ``<stem>_ocr_res_img<ext>`` and, when preprocessing ran, ``<stem>_preprocessed_img<ext>``.
  ``<ext>`` is the input's own extension when that names an image type, else ``.png``.
* ``<stem>`` is the input file's stem; with ``page_index`` set (PDF pages) it is
  ``<stem>_<page_index>`` (``<stem>_<first>-<last>`` for a list), so page 2 of ``doc.pdf``
  gives ``doc_2_res.json`` and ``doc_2_ocr_res_img.png``. An array input (``input_path``
  None) is named ``<unix time>_<4 random digits>``, chosen once per result, as PaddleX does.
"""

from __future__ import annotations

import json
import logging
import math
import mimetypes
import os
import random
import re
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

logger = logging.getLogger("ppocr_native")

# -- fonts ------------------------------------------------------------------------------------

#: Environment variable naming a TrueType/OpenType font for the visualisation (tried first).
FONT_ENV = "PPOCR_FONT_PATH"

#: Fonts with CJK glyphs, tried in order after ``$PPOCR_FONT_PATH``. Our set-up installs
#: Debian's fonts-wqy-microhei (the first entry).
FONT_CANDIDATES: List[str] = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
]

_warned: set = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        logger.warning(message)


# Scripts whose glyphs need shaping (Hebrew .. Myanmar, Khmer, Mongolian): drawn with Raqm
# when Pillow has it. Everything else uses Pillow's basic layout, several times faster.
_COMPLEX_SCRIPT = re.compile("[\u0590-\u109f\u1780-\u18af]")


def _needs_shaping(text: str) -> bool:
    return _COMPLEX_SCRIPT.search(text) is not None


@lru_cache(maxsize=1)
def _have_raqm() -> bool:
    from PIL import features

    return bool(features.check_feature("raqm"))


_fonts = threading.local()  # FreeType faces are not thread-safe: one cache per thread


def _load_font(path: Optional[str], size: int, shaping: bool = False):
    """A font of `path` (None: Pillow's built-in one) at `size` pixels, cached per thread."""
    from PIL import ImageFont

    size = max(1, int(size))
    cache = getattr(_fonts, "cache", None)
    if cache is None or len(cache) > 512:
        cache = _fonts.cache = {}
    key = (path, size, shaping)
    font = cache.get(key)
    if font is None:
        if path is None:
            try:
                font = ImageFont.load_default(size=size)  # scalable since Pillow 10.1
            except (TypeError, AttributeError, OSError):
                font = ImageFont.load_default()
        else:
            engine = ImageFont.Layout.BASIC
            if shaping and _have_raqm():
                engine = ImageFont.Layout.RAQM
            font = ImageFont.truetype(path, size, layout_engine=engine)
        cache[key] = font
    return font


def _usable(path: str) -> bool:
    try:
        _load_font(path, 12)
        return True
    except OSError:
        return False


def find_font() -> Optional[str]:
    """The visualisation's font: ``$PPOCR_FONT_PATH``, else the first of `FONT_CANDIDATES`
    that exists and loads; None (Pillow's built-in font, no CJK glyphs) when there is none.
    Each problem is logged once per process."""
    env = os.environ.get(FONT_ENV)
    if env:
        if os.path.isfile(env) and _usable(env):
            return env
        _warn_once(f"env:{env}", f"{FONT_ENV}={env} is not a readable font file; ignoring it")
    for candidate in FONT_CANDIDATES:
        if os.path.isfile(candidate) and _usable(candidate):
            return candidate
    _warn_once("fallback", "no CJK font found (set PPOCR_FONT_PATH, or install "
               "fonts-wqy-microhei): the visualisation uses Pillow's built-in font, which "
               "cannot draw Chinese, Japanese or Korean text")
    return None


# -- JSON -------------------------------------------------------------------------------------

def _jsonable(value: Any) -> Any:
    """numpy arrays / scalars, tuples and paths turned into JSON's types (recursively)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    return value


def _mime(path: Any) -> Optional[str]:
    return mimetypes.guess_type(os.fspath(path))[0]


def _is_image_path(path: Any) -> bool:
    mime = _mime(path)
    return mime is not None and mime.startswith("image/")


def _pil_can_write(suffix: str) -> bool:
    from PIL import Image

    Image.init()
    fmt = Image.registered_extensions().get(suffix.lower())
    return fmt is not None and fmt in Image.SAVE


def _write_image(path: Path, image) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if len(image.getbands()) == 4:
        image.save(path, format="PNG")
    else:
        image.save(path)


# -- the result classes -----------------------------------------------------------------------

class _Result(dict):
    """PaddleX's result helpers over a dict; subclasses say what goes in JSON and images."""

    _input_image: Optional[np.ndarray] = None
    _rand_fn: Optional[str] = None

    # What subclasses provide.
    def _json_fields(self) -> Dict[str, Any]:
        raise NotImplementedError

    def _to_img(self) -> Dict[str, Any]:
        raise NotImplementedError

    # PaddleOCR's accessors.
    @property
    def json(self) -> Dict[str, Any]:
        """``{"res": {...}}``: the fields PaddleOCR saves, numpy turned into lists.
        ``save_to_json`` writes the inner dict; ``print()`` prints this whole dict."""
        return {"res": _jsonable(self._json_fields())}

    @property
    def img(self) -> Dict[str, Any]:
        """The visualisations, as PIL images keyed by name."""
        return self._to_img()

    def print(self, format_json: bool = True, indent: int = 4, ensure_ascii: bool = False,
              *, json_format: Optional[bool] = None) -> None:
        """Prints ``self.json`` to stdout: indented JSON (``format_json=True``, the guide's
        default) or the Python dict with numpy arrays abbreviated. ``json_format`` is
        PaddleX's own name for ``format_json`` and wins when given."""
        if json_format is not None:
            format_json = json_format
        if format_json:
            print(json.dumps(self.json, indent=indent, ensure_ascii=ensure_ascii))
            return
        with np.printoptions(threshold=1, edgeitems=1):
            print({"res": self._str_fields()})

    def _str_fields(self) -> Dict[str, Any]:
        return self._json_fields()

    def save_to_json(self, save_path: Any, indent: int = 4, ensure_ascii: bool = False,
                     **kwargs: Any) -> Path:
        """Writes ``self.json["res"]``: to `save_path` itself when it names a ``.json`` file,
        else to ``<save_path>/<stem>_res.json``. Returns the file written. Extra keyword
        arguments go to `json.dump`."""
        data = self.json
        if _mime(save_path) == "application/json":
            path = Path(save_path)
        else:
            path = Path(save_path) / f"{Path(self._input_fn()).stem}_res.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data["res"], f, indent=indent, ensure_ascii=ensure_ascii, **kwargs)
        return path

    def save_to_img(self, save_path: Any) -> Path:
        """Writes the images of ``self.img``. A `save_path` naming an image file gets the
        first one only (``ocr_res_img``); any other path is a directory that gets each as
        ``<stem>_<key><ext>`` (``ext``: the input's, when it is an image type, else .png).
        Returns the path of the first image written."""
        images = self._to_img()
        if _is_image_path(save_path):
            if len(images) > 1:
                logger.warning("the result has %d images but save_path %s names one file: "
                               "only %s is saved", len(images), save_path, next(iter(images)))
            path = Path(save_path)
            _write_image(path, next(iter(images.values())))
            return path
        fn = Path(self._input_fn())
        suffix = fn.suffix if _is_image_path(fn) and _pil_can_write(fn.suffix) else ".png"
        written = []
        for key, image in images.items():
            path = Path(save_path) / f"{fn.stem}_{key}{suffix}"
            try:
                _write_image(path, image)
            except (OSError, KeyError, ValueError) as exc:
                if suffix == ".png":
                    raise
                # Pillow lacks this format's encoder: keep the result, as a PNG.
                path.unlink(missing_ok=True)
                logger.warning("cannot write %s (%s); writing a PNG instead", path, exc)
                path = path.with_suffix(".png")
                _write_image(path, image)
            written.append(path)
        return written[0]

    # Naming, as PaddleX's BaseResult / BaseCVResult._get_input_fn.
    def _input_fn(self) -> str:
        input_path = self.get("input_path")
        if isinstance(input_path, (list, tuple)):
            input_path = input_path[0] if input_path else None
        if input_path is None:
            if self._rand_fn is None:
                self._rand_fn = f"{int(time.time())}_{random.randint(1000, 9999)}"
            name = self._rand_fn
        else:
            name = Path(os.fspath(input_path)).name
        page = self.get("page_index")
        if page is not None:
            if isinstance(page, (list, tuple)):
                page = f"{page[0]}-{page[-1]}"
            p = Path(name)
            name = f"{p.stem}_{page}{p.suffix}"
        return name


class DocPreprocessorResult(_Result):
    """``doc_preprocessor_res``: the document preprocessing stage's result.

    JSON: ``input_path``, ``page_index``, ``model_settings``, ``angle`` (PaddleX's keys; both
    paths are None because the pipeline hands the stage arrays, as in PaddleX). The dict also
    holds ``output_img``, the rotated / unwarped BGR page the detector saw. ``img`` has
    ``preprocessed_img``: the input, the rotated and the unwarped page side by side, captioned.
    """

    _JSON_KEYS = ("input_path", "page_index", "model_settings", "angle")

    def __init__(self, fields: Dict[str, Any], input_image: Optional[np.ndarray] = None):
        super().__init__(fields)
        self._input_image = input_image

    def _json_fields(self) -> Dict[str, Any]:
        return {k: self.get(k) for k in self._JSON_KEYS}

    def _rotated_page(self) -> np.ndarray:
        """The page after orientation only (what unwarping was given)."""
        settings = self.get("model_settings") or {}
        if not settings.get("use_doc_unwarping") or self._input_image is None:
            return self["output_img"]
        angle = self.get("angle", -1)
        if angle in (90, 180, 270):  # counter-clockwise turns, as the pipeline makes them
            return np.ascontiguousarray(np.rot90(self._input_image, k=angle // 90))
        return self._input_image

    def _to_img(self) -> Dict[str, Any]:
        from PIL import Image, ImageDraw

        output = self["output_img"]
        original = self._input_image if self._input_image is not None else output
        panels = [original, self._rotated_page(), output]
        settings = self.get("model_settings") or {}
        captions = ["Original Image",
                    f"Rotated Image ({settings.get('use_doc_orientation_classify')}, "
                    f"{self.get('angle')})",
                    f"Unwarping Image ({settings.get('use_doc_unwarping')})"]
        h = max(p.shape[0] for p in panels)
        show = Image.new("RGB", (sum(p.shape[1] for p in panels), h + 25), (255, 255, 255))
        draw = ImageDraw.Draw(show)
        font_path = find_font()
        x = 0
        for panel, caption in zip(panels, captions):
            show.paste(Image.fromarray(_to_rgb(panel)), (x, 0))
            font = _fit_font(caption, panel.shape[1] - 10, 20, font_path)
            draw.text((x + 10, h + 2), caption, fill=(0, 0, 0), font=font)
            x += panel.shape[1]
        return {"preprocessed_img": show}


class OCRResult(_Result):
    """One image's (or PDF page's) OCR result: a dict of PaddleOCR's fields + its helpers.

    ``json`` / ``print()`` / ``save_to_json()`` carry exactly PaddleOCR 3.7's (PaddleX
    3.7.2's) keys, in its order: ``input_path, page_index, model_settings,
    [doc_preprocessor_res], dt_polys, text_det_params, text_type,
    [textline_orientation_angles], text_rec_score_thresh, return_word_box, rec_texts,
    rec_scores, rec_polys, rec_boxes``. ``doc_preprocessor_res`` only when preprocessing ran;
    ``textline_orientation_angles`` only when something was detected (PaddleX sets it only
    then).

    Our three extra fields stay dict items only, out of the JSON: ``res["dt_scores"]`` (the
    detector's box scores), ``res["rec_polys_on_input"]`` (``rec_polys`` mapped back onto
    the caller's image; ``rec_polys`` are in the rotated / unwarped page's frame, as in
    PaddleOCR) and ``res["timings"]`` (seconds per stage, time inside the models, total). Reason: PaddleX 3.7.2 never produces ``dt_scores`` (its own usage guide's
    list is stale, and none of the reference JSONs has it), and the guide says ``res.json``
    equals what ``save_to_json`` writes, which must be PaddleOCR's schema key for key so the
    files are interchangeable with PaddleOCR's.

    ``img``: ``ocr_res_img`` (PaddleOCR's side-by-side view: the page the detector saw with
    each box filled half-transparently on the left, each recognised text drawn into its box
    on a white page on the right) and, when preprocessing ran, ``preprocessed_img``.
    """

    def __init__(self, fields: Dict[str, Any], input_image: Optional[np.ndarray] = None):
        super().__init__(fields)
        self._input_image = input_image
        pre = self.get("doc_preprocessor_res")
        if isinstance(pre, dict) and not isinstance(pre, DocPreprocessorResult):
            self["doc_preprocessor_res"] = DocPreprocessorResult(pre, input_image)

    def _uses_preprocessor(self) -> bool:
        settings = self.get("model_settings") or {}
        return bool(settings.get("use_doc_preprocessor")) and \
            self.get("doc_preprocessor_res") is not None

    def _json_fields(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {
            "input_path": self.get("input_path"),
            "page_index": self.get("page_index"),
            "model_settings": self.get("model_settings"),
        }
        if self._uses_preprocessor():
            pre = self["doc_preprocessor_res"]
            data["doc_preprocessor_res"] = (pre._json_fields() if isinstance(pre, _Result)
                                            else {k: pre.get(k) for k in
                                                  DocPreprocessorResult._JSON_KEYS})
        data["dt_polys"] = self.get("dt_polys")
        data["text_det_params"] = self.get("text_det_params")
        data["text_type"] = self.get("text_type", "general")
        if "textline_orientation_angles" in self and len(self.get("dt_polys", ())) > 0:
            data["textline_orientation_angles"] = self["textline_orientation_angles"]
        for key in ("text_rec_score_thresh", "return_word_box", "rec_texts", "rec_scores",
                    "rec_polys", "rec_boxes"):
            data[key] = self.get(key)
        for key in ("text_word_boxes", "text_word"):
            if key in self:
                data[key] = self[key]
        return data

    def _str_fields(self) -> Dict[str, Any]:
        data = self._json_fields()
        for key in ("dt_polys", "textline_orientation_angles", "rec_scores", "rec_polys",
                    "rec_boxes"):
            if key in data:
                data[key] = np.asarray(data[key])
        return data

    def _page(self) -> np.ndarray:
        """The page the detector saw (BGR): the preprocessed one, else the input."""
        pre = self.get("doc_preprocessor_res")
        if pre is not None and pre.get("output_img") is not None:
            return pre["output_img"]
        if self._input_image is None:
            raise ValueError("this result has no image to draw on")
        return self._input_image

    def _to_img(self) -> Dict[str, Any]:
        from PIL import Image

        images = {"ocr_res_img": Image.fromarray(
            draw_ocr_side_by_side(self._page(), self.get("rec_polys", ()),
                                  self.get("rec_texts", ())))}
        if self._uses_preprocessor() and self["doc_preprocessor_res"].get("output_img") is not None:
            pre = self["doc_preprocessor_res"]
            if not isinstance(pre, DocPreprocessorResult):
                pre = DocPreprocessorResult(pre, self._input_image)
            images.update(pre._to_img())
        return images


# -- drawing ----------------------------------------------------------------------------------

def _to_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def _text_length(font, text: str) -> float:
    try:
        return float(font.getlength(text))
    except AttributeError:  # very old Pillow
        return float(font.getsize(text)[0])


def _fit_font(text: str, width: float, height: float, font_path: Optional[str]):
    """The largest font (at most 0.8 x height) whose rendering of `text` fits `width`."""
    shaping = _needs_shaping(text)
    size = max(1, int(height * 0.8))
    font = _load_font(font_path, size, shaping)
    length = _text_length(font, text) if text else 0.0
    if width > 0 and length > width:
        size = max(1, int(size * width / length))
        font = _load_font(font_path, size, shaping)
    return font


def _draw_text(draw, xy: Tuple[float, float], text: str, font, anchor: str) -> None:
    try:
        draw.text(xy, text, fill=0, font=font, anchor=anchor)
    except ValueError:  # a bitmap font takes no anchor: place it by its top-left corner
        w = _text_length(font, text)
        x = xy[0] - (w / 2 if anchor[0] == "m" else 0)
        draw.text((x, xy[1] - getattr(font, "size", 10) / 2), text, fill=0, font=font)


def _text_patch(text: str, box_w: int, box_h: int, font_path: Optional[str]) -> np.ndarray:
    """`text` rendered black on white into a box_w x box_h grayscale patch.

    Tall boxes (height > 2 x width and > 30 px, PaddleOCR's rule) get one character under
    the other; others one line, its font fitted to the box and centred vertically."""
    from PIL import Image, ImageDraw

    patch = Image.new("L", (box_w, box_h), 255)
    if not text:
        return np.asarray(patch)
    draw = ImageDraw.Draw(patch)
    if box_h > 2 * box_w and box_h > 30:
        n = len(text)
        slot = box_h / n
        size = max(1, int(min(box_w * 0.9, slot * 0.95)))
        font = _load_font(font_path, size)
        widest = max(_text_length(font, c) for c in text)
        if widest > box_w:
            font = _load_font(font_path, max(1, int(size * box_w / widest)))
        for i, char in enumerate(text):
            _draw_text(draw, (box_w / 2, (i + 0.5) * slot), char, font, "mm")
    else:
        font = _fit_font(text, box_w, box_h, font_path)
        _draw_text(draw, (0, box_h / 2), text, font, "lm")
    return np.asarray(patch)


def _ordered_quad(poly: np.ndarray) -> np.ndarray:
    """A 4-point box for any polygon: itself, or its minimum-area rectangle ordered
    top-left, top-right, bottom-right, bottom-left."""
    if len(poly) == 4:
        return poly.astype(np.float32)
    pts = cv2.boxPoints(cv2.minAreaRect(poly.astype(np.float32)))
    pts = pts[np.argsort(pts[:, 0], kind="stable")]
    left = pts[:2][np.argsort(pts[:2, 1], kind="stable")]
    right = pts[2:][np.argsort(pts[2:, 1], kind="stable")]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def _box_colors(n: int) -> List[Tuple[int, int, int]]:
    """Deterministic, varied colours: the same box index always gets the same colour."""
    rng = random.Random(0)
    return [(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)) for _ in range(n)]


def draw_ocr_side_by_side(page_bgr: np.ndarray, polys: Any, texts: Sequence[str],
                          font_path: Any = "auto") -> np.ndarray:
    """PaddleOCR's OCR visualisation as an RGB array of width 2 x the page's.

    Left: the page with each box filled in its colour at 50 % opacity. Right: a white page
    with each text drawn in black into its box (warped to the box's shape) and the box
    outlined in the same colour. `font_path` "auto" uses `find_font()`; None forces Pillow's
    built-in font."""
    if font_path == "auto":
        font_path = find_font()
    rgb = _to_rgb(page_bgr)
    h, w = rgb.shape[:2]
    polys = [np.asarray(p, dtype=np.float64).reshape(-1, 2) for p in polys]
    colors = _box_colors(len(polys))

    # One buffer for both halves: the left starts as the page and is filled, then blended.
    out = np.empty((h, 2 * w, 3), dtype=np.uint8)
    left, right = out[:, :w], out[:, w:]
    left[...] = rgb
    right.fill(255)
    for poly, text, color in zip(polys, texts, colors):
        if len(poly) < 3:
            continue
        cv2.fillPoly(left, [np.round(poly).astype(np.int32).reshape(-1, 1, 2)], color)
        quad = _ordered_quad(poly)
        _paint_text(right, quad, str(text) if text is not None else "", font_path)
        cv2.polylines(right, [np.round(quad).astype(np.int32).reshape(-1, 1, 2)], True, color, 1)
    cv2.addWeighted(rgb, 0.5, left, 0.5, 0, dst=left)
    return out


def _paint_text(canvas: np.ndarray, quad: np.ndarray, text: str,
                font_path: Optional[str]) -> None:
    """Draws `text` into `quad` on `canvas` (darkening only), touching only the box's ROI."""
    box_w = int(math.hypot(*(quad[0] - quad[1])))
    box_h = int(math.hypot(*(quad[0] - quad[3])))
    if box_w < 1 or box_h < 1 or not text:
        return
    h, w = canvas.shape[:2]
    x0 = max(0, int(math.floor(quad[:, 0].min())))
    y0 = max(0, int(math.floor(quad[:, 1].min())))
    x1 = min(w, int(math.ceil(quad[:, 0].max())) + 1)
    y1 = min(h, int(math.ceil(quad[:, 1].max())) + 1)
    if x1 <= x0 or y1 <= y0:
        return
    patch = _text_patch(text, box_w, box_h, font_path)
    origin = quad[0]
    upright = np.float32([[0, 0], [box_w, 0], [box_w, box_h], [0, box_h]])
    if np.array_equal(quad - origin, upright) and float(origin[0]).is_integer() \
            and float(origin[1]).is_integer():
        # An upright box (most of a document's): the patch goes on as is, no warp.
        px, py = int(origin[0]), int(origin[1])
        cx0, cy0 = max(px, 0), max(py, 0)
        cx1, cy1 = min(px + box_w, w), min(py + box_h, h)
        if cx1 > cx0 and cy1 > cy0:
            roi = canvas[cy0:cy1, cx0:cx1]
            part = patch[cy0 - py:cy1 - py, cx0 - px:cx1 - px]
            np.minimum(roi, part[:, :, None], out=roi)
        return
    src = upright
    dst = (quad - np.float32([x0, y0])).astype(np.float32)
    try:
        matrix = cv2.getPerspectiveTransform(src, dst)
        warped = cv2.warpPerspective(patch, matrix, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    except cv2.error:  # a degenerate box
        return
    roi = canvas[y0:y1, x0:x1]
    np.minimum(roi, warped[:, :, None], out=roi)
