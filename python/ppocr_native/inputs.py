"""Everything predict() accepts, turned into a stream of images.

Sources are read lazily, one image (or PDF page) at a time, so predict_iter's memory stays
bounded whatever the input's size: a PDF is opened when the stream reaches it and each page
is rendered only when it is asked for, and a URL is downloaded only when it is reached.

Accepted: numpy arrays, image files, PDF files (every page, ``page_index`` 0-based),
http(s) URLs of an image or a PDF, directories of images, and lists mixing any of these.
"""

from __future__ import annotations

import logging
import math
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path
from typing import Any, Iterator, Optional, Tuple, Union

import numpy as np

from . import image_io
from .errors import InputFetchError, InvalidArgumentError
from .image_io import decode_image_bytes, load_image, to_bgr

logger = logging.getLogger("ppocr_native")

# Suffixes a directory's images are picked by: OpenCV's readable formats (PaddleX 3.7's
# ImageBatchSampler list, plus .jp2).
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".dib", ".tif", ".tiff", ".webp", ".jp2",
                  ".pbm", ".pgm", ".ppm", ".pnm", ".sr", ".ras"}
PDF_SUFFIX = ".pdf"
PDF_MAGIC = b"%PDF"

# --- PDF rendering -------------------------------------------------------------------------
# PaddleOCR 3.7 (PaddleX 3.7.2) renders every page with pypdfium2 at scale 2.0, i.e. 144 dpi
# (PDF user space is 72 units per inch): PDF_RENDER_SCALE in paddlex/utils/flags.py
# (env PADDLE_PDX_PDF_RENDER_SCALE, default 2.0), passed as `zoom` to PDFReader in
# paddlex/inference/common/batch_sampler/image_batch_sampler.py and applied by
# render_pdf_page_to_numpy() in paddlex/inference/utils/pdf_rendering.py. It calls
# `doc.init_forms()` (form fields are drawn) and `page.render(scale=..., rotation=0)` with
# pypdfium2's defaults (white background, no alpha), then `.to_numpy()`: pdfium's default
# pixel format is BGR, and PaddleX feeds that array to the pipeline as its BGR image with no
# colour conversion. We do exactly the same. Where a page would exceed the pixel budget
# PaddleX lowers the scale (not below 0.1) until it fits; so do we, with our own image limit
# (image_io.MAX_PIXELS, 150 Mpixel; PaddleX's is Pillow's 178,956,970).
PDF_RENDER_SCALE = 2.0
PDF_MIN_RENDER_SCALE = 0.1

# pdfium is not thread-safe: every call into it goes through this lock (held per call, never
# across a yield, so a slow consumer does not block other threads' PDFs).
_PDFIUM_LOCK = threading.RLock()

# --- URLs ----------------------------------------------------------------------------------
FETCH_TIMEOUT = 30.0                   # seconds: connecting, and each read of the socket
FETCH_TOTAL_TIMEOUT = 300.0            # seconds: the whole download
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024  # a larger body is refused (streamed, aborted early)
_CHUNK = 64 * 1024
_URL_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_SUPPORTED_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class InputImage:
    """One image to run: where it came from and its BGR pixels."""

    input_path: Optional[str]
    page_index: Optional[int]
    image: np.ndarray


def iter_inputs(source: Any) -> Iterator[InputImage]:
    """Images of an array, a path, a URL, a PDF, a directory, or a list of these."""
    if isinstance(source, np.ndarray):
        yield InputImage(None, None, load_image(source))
        return
    if isinstance(source, str) and _URL_SCHEME.match(source):
        yield from _iter_url(source)
        return
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            yield from _iter_directory(path)
        elif _is_pdf_file(path):
            yield from _iter_pdf(str(path), str(path))
        else:
            yield InputImage(str(path), None, load_image(path))
        return
    if isinstance(source, (list, tuple)):
        if not source:
            raise InvalidArgumentError("input is an empty list")
        for item in source:
            yield from iter_inputs(item)
        return
    raise InvalidArgumentError(
        f"unsupported input type {type(source).__name__}: pass a numpy array, a path, a URL, "
        "a directory or a list of these"
    )


# --- directories ---------------------------------------------------------------------------

def _iter_directory(path: Path) -> Iterator[InputImage]:
    """The directory's images, sorted by name; PDFs and other files are skipped."""
    found = False
    for child in sorted(path.iterdir()):
        suffix = child.suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            found = True
            yield InputImage(str(child), None, load_image(child))
        elif suffix == PDF_SUFFIX and child.is_file():
            # PaddleOCR's guide: PDFs inside a directory are not predicted.
            logger.warning("skipping %s: PDFs in a directory are not predicted; "
                           "pass the PDF's path itself", child)
        elif child.is_file():
            logger.warning("skipping %s: not an image", child)
    if not found:
        logger.warning("directory %s holds no images", path)


# --- PDFs ----------------------------------------------------------------------------------

def _is_pdf_file(path: Path) -> bool:
    """A `.pdf` suffix, or a file that starts with the PDF magic bytes."""
    if path.suffix.lower() == PDF_SUFFIX:
        return True
    try:
        with open(path, "rb") as f:
            return f.read(len(PDF_MAGIC)) == PDF_MAGIC
    except OSError:
        return False  # missing/unreadable: load_image reports it


def _iter_pdf(source: Union[str, bytes], name: str) -> Iterator[InputImage]:
    """Every page of a PDF (a file path or its bytes), rendered one at a time."""
    import pypdfium2 as pdfium

    if isinstance(source, str):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"PDF file not found: {source}")
        if path.stat().st_size == 0:
            raise InvalidArgumentError(f"{name}: the PDF file is empty")
    elif not source:
        raise InvalidArgumentError(f"{name}: the PDF is empty")

    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(source)
        except pdfium.PdfiumError as err:
            raise InvalidArgumentError(f"{name}: not a readable PDF ({err})") from None
        except OSError as err:  # the file vanished or cannot be read
            if isinstance(err, FileNotFoundError):
                raise
            raise InvalidArgumentError(f"{name}: cannot read the PDF ({err})") from None
    try:
        with _PDFIUM_LOCK:
            doc.init_forms()  # as PaddleX: form fields are rendered
            page_count = len(doc)
        if page_count == 0:
            logger.warning("%s: the PDF has no pages", name)
        for index in range(page_count):
            with _PDFIUM_LOCK:
                image = _render_page(doc, index, name)
            yield InputImage(name, index, image)
            del image
    finally:
        with _PDFIUM_LOCK:
            doc.close()


def _render_page(doc: Any, index: int, name: str) -> np.ndarray:
    """Renders page `index` to a BGR uint8 array (call with _PDFIUM_LOCK held)."""
    import pypdfium2 as pdfium

    try:
        page = doc[index]
    except pdfium.PdfiumError as err:
        raise InvalidArgumentError(f"{name}: cannot load page {index} ({err})") from None
    try:
        width, height = page.get_size()
        scale = _render_scale(width, height, index, name)
        try:
            bitmap = page.render(scale=scale, rotation=0)
        except pdfium.PdfiumError as err:
            raise InvalidArgumentError(f"{name}: cannot render page {index} ({err})") from None
        try:
            # A copy: the view's memory belongs to the bitmap, freed below.
            pixels = np.array(bitmap.to_numpy(), dtype=np.uint8, order="C", copy=True)
        finally:
            bitmap.close()
    finally:
        page.close()
    # pdfium's default format is 3-channel BGR; to_bgr only validates it (and would expand a
    # gray or flatten a BGRA bitmap, which the default render options do not produce).
    return to_bgr(pixels)


def _render_size(width: float, height: float, scale: float) -> Tuple[int, int]:
    # pypdfium2 sizes the bitmap as ceil(page size * scale).
    return math.ceil(width * scale), math.ceil(height * scale)


def _render_scale(width: float, height: float, index: int, name: str) -> float:
    """PDF_RENDER_SCALE, lowered where the page would render to over MAX_PIXELS."""
    if not (width > 0 and height > 0):
        raise InvalidArgumentError(f"{name}: page {index} has an invalid size {width} x {height}")
    max_pixels = image_io.MAX_PIXELS
    w, h = _render_size(width, height, PDF_RENDER_SCALE)
    if w * h <= max_pixels:
        return PDF_RENDER_SCALE
    scale = min(PDF_RENDER_SCALE, math.sqrt(max_pixels / (width * height)))
    for _ in range(100):  # ceil() adds at most a row and a column: a few steps suffice
        w, h = _render_size(width, height, scale)
        if w * h <= max_pixels:
            break
        scale *= 1.0 - 1e-4
    if scale < PDF_MIN_RENDER_SCALE or w * h > max_pixels:
        raise InvalidArgumentError(
            f"{name}: page {index} ({width:.0f} x {height:.0f} pt) is too large to render "
            f"within the {max_pixels} pixel limit"
        )
    logger.warning("%s: page %d rendered at scale %.3f instead of %.1f to stay within the "
                   "%d pixel limit", name, index, scale, PDF_RENDER_SCALE, max_pixels)
    return scale


# --- URLs ----------------------------------------------------------------------------------

def _iter_url(url: str) -> Iterator[InputImage]:
    """An image, or every page of a PDF, downloaded from an http(s) URL."""
    scheme = _URL_SCHEME.match(url).group(1).lower()
    if scheme not in _SUPPORTED_SCHEMES:
        raise InvalidArgumentError(
            f"{url}: unsupported URL scheme '{scheme}://'; only http:// and https:// URLs "
            "are downloaded"
        )
    data, content_type = _fetch(url)
    if not data:
        raise InvalidArgumentError(f"{url}: the server returned an empty body")
    url_path = urllib.parse.urlsplit(url).path.lower()
    if (data.startswith(PDF_MAGIC) or url_path.endswith(PDF_SUFFIX)
            or content_type == "application/pdf"):
        yield from _iter_pdf(data, url)
        return
    try:
        image = decode_image_bytes(data, name=url)
    except InvalidArgumentError:
        raise InvalidArgumentError(
            f"{url}: the downloaded payload ({len(data)} bytes, Content-Type "
            f"{content_type or 'unknown'}) is neither a readable image nor a PDF"
        ) from None
    del data
    yield InputImage(url, None, image)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects (urllib's limits), but only to http(s) URLs."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in _SUPPORTED_SCHEMES:
            raise InputFetchError(
                f"{req.full_url}: redirected to {newurl}, which is not an http(s) URL",
                url=req.full_url, status=code,
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _fetch(url: str) -> Tuple[bytes, str]:
    """Downloads `url` -> (body, content type), within the timeouts and the size limit."""
    limit = MAX_DOWNLOAD_BYTES
    timeout = FETCH_TIMEOUT
    deadline = time.monotonic() + FETCH_TOTAL_TIMEOUT
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    request = urllib.request.Request(url, headers={
        "User-Agent": "ppocr-native", "Accept-Encoding": "identity"})
    try:
        response = opener.open(request, timeout=timeout)
    except InputFetchError:
        raise
    except urllib.error.HTTPError as err:
        err.close()
        raise InputFetchError(f"cannot download {url}: HTTP {err.code} {err.reason}",
                              url=url, status=err.code) from None
    except urllib.error.URLError as err:
        raise _network_error(url, err.reason, timeout) from None
    except (OSError, HTTPException, ValueError) as err:
        raise _network_error(url, err, timeout) from None

    with response:
        content_type = (response.headers.get_content_type().lower()
                        if response.headers.get("Content-Type") else "")
        declared = response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > limit:
            raise InvalidArgumentError(
                f"{url}: the download is {int(declared)} bytes, over the {limit} byte limit "
                "(ppocr_native.inputs.MAX_DOWNLOAD_BYTES)"
            )
        chunks = []
        total = 0
        while True:
            if time.monotonic() > deadline:
                raise InputFetchError(
                    f"cannot download {url}: not finished after {FETCH_TOTAL_TIMEOUT:g} s",
                    url=url)
            try:
                # read1: at most one socket read, so the deadline above is checked often.
                chunk = response.read1(min(_CHUNK, limit + 1 - total))
            except (OSError, HTTPException, ValueError) as err:
                raise _network_error(url, err, timeout) from None
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise InvalidArgumentError(
                    f"{url}: the download is over the {limit} byte limit "
                    "(ppocr_native.inputs.MAX_DOWNLOAD_BYTES)"
                )
            chunks.append(chunk)
    return b"".join(chunks), content_type


def _network_error(url: str, reason: Any, timeout: float) -> InputFetchError:
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return InputFetchError(
            f"cannot download {url}: no answer within {timeout:g} s "
            "(ppocr_native.inputs.FETCH_TIMEOUT)", url=url)
    return InputFetchError(f"cannot download {url}: {reason}", url=url)
