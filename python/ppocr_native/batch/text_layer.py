"""Searchable PDFs: the page as it was, plus an invisible text layer on the recognised lines.

For an input PDF every original page is kept untouched (vector content, images, forms) and
each recognised line is added as a text object in render mode 3 (invisible: selectable and
searchable, never drawn), stretched over the line's box, so a viewer's selection and search
highlight the words where they are printed. For an image input (``--pdf-text-layer all``)
the page is the image (JPEG) at its own resolution (144 dpi if it has none: the resolution
at which PDF pages are rendered for OCR) with the same text layer on top.

Writing uses pypdfium2 (already the PDF reader, so no second PDF library) and a subset of a
CJK-capable TrueType font (`result.find_font()`: Debian's fonts-wqy-microhei by default, or
$PPOCR_FONT_PATH) cut with fontTools to the glyphs the document uses: a few KiB per file
instead of the full 5 MB font. pdfium writes the font's ToUnicode map, so extraction gives
back the recognised Unicode text.
"""

from __future__ import annotations

import ctypes
import io
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from ..errors import PpocrError
from ..inputs import _PDFIUM_LOCK
from .shards import write_atomically

DEFAULT_IMAGE_DPI = 144.0  # inputs.PDF_RENDER_SCALE * 72: a PDF page's OCR resolution
JPEG_QUALITY = 92


class TextLayerError(PpocrError):
    """The searchable PDF could not be written."""


def _font_bytes(texts: Sequence[str]) -> bytes:
    """A TrueType subset of the CJK font holding the glyphs of `texts`."""
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    # fontTools logs every table it drops (e.g. the FFTM timestamp): noise for a batch job.
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

    from ..result import find_font

    path = find_font()
    if path is None:
        raise TextLayerError("the text layer needs a TrueType font with CJK glyphs: install "
                             "fonts-wqy-microhei or set PPOCR_FONT_PATH")
    font = TTFont(path, fontNumber=0, lazy=True) if path.lower().endswith((".ttc", ".otc")) \
        else TTFont(path, lazy=True)
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.layout_features = []  # no shaping tables: the text is never drawn
    subsetter = subset.Subsetter(options)
    chars = {ord(c) for text in texts for c in text} | {ord(" ")}
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    font.close()
    return out.getvalue()


class _Layer:
    """The text objects of one document, written with one embedded font subset."""

    def __init__(self, pdf: Any, texts: Sequence[str]):
        import pypdfium2.raw as raw

        self.raw = raw
        self.pdf = pdf
        data = _font_bytes(texts)
        self._font_data = (ctypes.c_ubyte * len(data)).from_buffer_copy(data)
        self.font = raw.FPDFText_LoadFont(pdf.raw, self._font_data, len(data),
                                          raw.FPDF_FONT_TRUETYPE, 1)
        if not self.font:
            raise TextLayerError("pdfium could not load the text layer font")

    def close(self) -> None:
        if self.font:
            self.raw.FPDFFont_Close(self.font)
            self.font = None

    def add_page_text(self, page: Any, image_size: Sequence[int], polys: List[Any],
                      texts: List[str]) -> None:
        """Places each line's text over its quadrilateral (pixels of the page image)."""
        raw = self.raw
        width, height = int(image_size[0]), int(image_size[1])

        def to_page(x: float, y: float) -> np.ndarray:
            px, py = ctypes.c_double(), ctypes.c_double()
            raw.FPDF_DeviceToPage(page.raw, 0, 0, width, height, 0, int(round(x)),
                                  int(round(y)), px, py)
            return np.array([px.value, py.value])

        for poly, text in zip(polys, texts):
            if not text.strip():
                continue
            tl, tr, br, bl = (to_page(*point) for point in poly)
            if _runs_down(poly):  # baseline down the left edge, glyph tops to the right
                self._add_line(page, text, tl, bl, tr)
            else:
                self._add_line(page, text, bl, br, tl)
        if not raw.FPDFPage_GenerateContent(page.raw):
            raise TextLayerError("pdfium could not write the page's content stream")

    def _add_line(self, page: Any, text: str, bottom_left: np.ndarray,
                  bottom_right: np.ndarray, top_left: np.ndarray) -> None:
        """`text` on the baseline bottom_left -> bottom_right, glyphs up to top_left."""
        raw = self.raw
        obj = raw.FPDFPageObj_CreateTextObj(self.pdf.raw, self.font, ctypes.c_float(1.0))
        if not obj:
            raise TextLayerError("pdfium could not create a text object")
        utf16 = (text + "\x00").encode("utf-16-le")
        buffer = (ctypes.c_ushort * (len(utf16) // 2)).from_buffer_copy(utf16)
        raw.FPDFText_SetText(obj, buffer)
        raw.FPDFTextObj_SetTextRenderMode(obj, raw.FPDF_TEXTRENDERMODE_INVISIBLE)
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        natural_w = max(right.value - left.value, 1e-3)
        natural_h = max(top.value - bottom.value, 1e-3)
        along = bottom_right - bottom_left
        up = top_left - bottom_left
        line_w, line_h = float(np.hypot(*along)), float(np.hypot(*up))
        if line_w < 1e-3 or line_h < 1e-3:
            raw.FPDFPageObj_Destroy(obj)
            return
        angle = math.atan2(along[1], along[0])
        cos, sin = math.cos(angle), math.sin(angle)
        sx, sy = line_w / natural_w, line_h / natural_h
        # The glyphs' box [left, right] x [bottom, top] at size 1 is stretched onto the line's
        # box: scale, rotate along the baseline, then move its corner to the line's corner.
        ox, oy = -left.value * sx, -bottom.value * sy
        e = bottom_left[0] + ox * cos - oy * sin
        f = bottom_left[1] + ox * sin + oy * cos
        raw.FPDFPageObj_Transform(obj, sx * cos, sx * sin, -sy * sin, sy * cos, e, f)
        raw.FPDFPage_InsertObject(page.raw, obj)


def _runs_down(poly: Sequence[Sequence[float]]) -> bool:
    """PaddleOCR's rule for a line crop: at least 1.5 times as tall as wide means the text
    runs top to bottom (the crop is turned 90 degrees counter-clockwise to be read)."""
    p = np.asarray(poly, dtype=np.float64)
    width = max(np.linalg.norm(p[0] - p[1]), np.linalg.norm(p[2] - p[3]))
    height = max(np.linalg.norm(p[0] - p[3]), np.linalg.norm(p[1] - p[2]))
    return width > 0 and height / width >= 1.5


def _pages(records: List[Dict[str, Any]]) -> Dict[int, Dict[str, Any]]:
    return {r["page_index"] or 0: r for r in records if r["error"] is None}


def write_searchable_pdf(source_pdf: str, records: List[Dict[str, Any]], dest: Path) -> None:
    """Copies `source_pdf` to `dest` (atomically) with each page's recognised text added."""
    import pypdfium2 as pdfium

    pages = _pages(records)
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(source_pdf)
        try:
            layer = _Layer(pdf, [t for r in pages.values() for t in r["texts"]])
            try:
                for index, record in sorted(pages.items()):
                    page = pdf[index]
                    try:
                        layer.add_page_text(page, (record["width"], record["height"]),
                                            record["polys"], record["texts"])
                    finally:
                        page.close()
                write_atomically(dest, lambda f: pdf.save(f))
            finally:
                layer.close()
        finally:
            pdf.close()


def write_searchable_image_pdf(image: np.ndarray, record: Dict[str, Any], dest: Path,
                               dpi: Optional[float] = None) -> None:
    """A one-page PDF of `image` (BGR, what the OCR saw) with its text layer."""
    import cv2
    import pypdfium2 as pdfium

    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise TextLayerError("could not encode the page image as JPEG")
    height, width = image.shape[:2]
    points_per_pixel = 72.0 / (dpi or DEFAULT_IMAGE_DPI)
    page_w, page_h = width * points_per_pixel, height * points_per_pixel
    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument.new()
        try:
            page = pdf.new_page(page_w, page_h)
            picture = pdfium.PdfImage.new(pdf)
            picture.load_jpeg(io.BytesIO(jpeg.tobytes()), pages=[page], autoclose=True)
            picture.set_matrix(pdfium.PdfMatrix().scale(page_w, page_h))
            page.insert_obj(picture)
            layer = _Layer(pdf, record["texts"] if record["error"] is None else [])
            try:
                if record["error"] is None:
                    layer.add_page_text(page, (width, height), record["polys"],
                                        record["texts"])
                else:
                    page.gen_content()
                write_atomically(dest, lambda f: pdf.save(f))
            finally:
                layer.close()
                page.close()
        finally:
            pdf.close()
