"""Turning what users pass into the BGR uint8 arrays the core takes.

Decoding happens here, in Python, with opencv-python-headless 4.10 (the decoder the
reference PaddleOCR used), so the C++ core needs no image codecs.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Union

import cv2
import numpy as np

from . import _core
from .errors import InvalidArgumentError

ImageInput = Union[str, os.PathLike, np.ndarray]

# Decompression-bomb guard: an image file may not decode to more pixels than this.
MAX_PIXELS = 150_000_000  # below Pillow's own bomb limit (~179 Mpixel), so ours speaks first

_EXIF_ORIENTATION = 0x0112


def load_image(source: ImageInput) -> np.ndarray:
    """Returns a C-contiguous H x W x 3 BGR uint8 image.

    Arrays: uint8 H x W (gray), H x W x 1, H x W x 3 (BGR) or H x W x 4 (BGRA). Files: any
    format OpenCV reads; EXIF orientation applied; gray and palette images made BGR;
    transparent images flattened onto a background that contrasts with their content
    (PaddleOCR drops alpha, so text on a transparent background is lost).
    """
    if isinstance(source, np.ndarray):
        return to_bgr(source)
    if isinstance(source, (str, os.PathLike)):
        return decode_image_bytes(_read_file(Path(source)), name=str(source))
    raise InvalidArgumentError(
        f"cannot read an image from {type(source).__name__}; pass a numpy array or a path"
    )


def _read_file(path: Path) -> bytes:
    if not path.is_file():
        raise FileNotFoundError(f"image file not found: {path}")
    return path.read_bytes()


def decode_image_bytes(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decodes an encoded image (PNG, JPEG, BMP, TIFF, WebP, ...) to BGR uint8."""
    if not data:
        raise InvalidArgumentError(f"{name}: the image file is empty")
    buffer = np.frombuffer(data, dtype=np.uint8)
    if _may_have_alpha(data, name):
        raw = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
        if raw is None or raw.size == 0:
            raise InvalidArgumentError(
                f"{name}: not a readable image (corrupt or unsupported format)")
        if raw.ndim == 3 and raw.shape[2] == 4:
            # IMREAD_UNCHANGED skips EXIF orientation; apply it ourselves.
            return to_bgr(_apply_exif_orientation(raw, data))
    # IMREAD_COLOR applies EXIF orientation and expands gray/palette, 16-bit -> 8-bit.
    color = cv2.imdecode(buffer, cv2.IMREAD_COLOR)
    if color is None or color.size == 0:
        raise InvalidArgumentError(f"{name}: not a readable image (corrupt or unsupported format)")
    return np.ascontiguousarray(color)


def _may_have_alpha(data: bytes, name: str) -> bool:
    """Reads the header only: refuses images over MAX_PIXELS before decoding them, and tells
    whether the image may carry transparency (only then is it decoded with its alpha, so an
    ordinary JPEG is decoded once)."""
    from PIL import Image

    too_big = InvalidArgumentError(f"{name}: image is over the {MAX_PIXELS} pixel limit")
    try:
        with Image.open(io.BytesIO(data)) as im:
            width, height = im.size
            alpha = im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
    except Image.DecompressionBombError:
        raise too_big from None
    except Exception:
        return True  # Pillow can't parse the header: let OpenCV look at everything.
    if width * height > MAX_PIXELS:
        raise too_big
    return alpha


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _apply_exif_orientation(image: np.ndarray, data: bytes) -> np.ndarray:
    # A PNG keeps EXIF in an eXIf chunk, possibly after the pixels, so Pillow decodes the
    # whole image to look for it: a second decode of every transparent PNG (6 ms for a
    # 1,890 x 503 one). Without those four bytes anywhere there is none to find.
    if data.startswith(_PNG_SIGNATURE) and b"eXIf" not in data:
        return image
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            orientation = im.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:
        return image
    ops = {
        2: lambda a: cv2.flip(a, 1),
        3: lambda a: cv2.rotate(a, cv2.ROTATE_180),
        4: lambda a: cv2.flip(a, 0),
        5: lambda a: cv2.flip(cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE), 1),
        6: lambda a: cv2.rotate(a, cv2.ROTATE_90_CLOCKWISE),
        7: lambda a: cv2.flip(cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE), 1),
        8: lambda a: cv2.rotate(a, cv2.ROTATE_90_COUNTERCLOCKWISE),
    }
    op = ops.get(orientation)
    return op(image) if op else image


def to_bgr(image: np.ndarray) -> np.ndarray:
    """Validates an array and converts gray/BGRA to contiguous BGR uint8."""
    if not isinstance(image, np.ndarray):
        raise InvalidArgumentError("image must be a numpy array")
    if image.dtype != np.uint8:
        raise InvalidArgumentError(
            f"image must have dtype uint8, got {image.dtype} (scale and cast it first)"
        )
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise InvalidArgumentError(
            f"image must be H x W, H x W x 3 (BGR) or H x W x 4 (BGRA), got shape {image.shape}"
        )
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise InvalidArgumentError(f"image is empty (shape {image.shape})")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        # Onto white, or black when the visible content is light (white text on a
        # transparent background would vanish on white): the core's flatten_alpha.
        return _core.ops.flatten_alpha(np.ascontiguousarray(image))
    return np.ascontiguousarray(image)
