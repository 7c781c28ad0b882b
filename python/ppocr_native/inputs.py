"""Everything predict() accepts, turned into a stream of images.

Sources are read lazily, one image (or PDF page) at a time, so predict_iter's memory stays
bounded whatever the input's size.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

import numpy as np

from .errors import InvalidArgumentError
from .image_io import load_image

logger = logging.getLogger("ppocr_native")

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".jp2", ".pbm",
                  ".pgm", ".ppm"}


@dataclass(frozen=True)
class InputImage:
    """One image to run: where it came from and its BGR pixels."""

    input_path: Optional[str]
    page_index: Optional[int]
    image: np.ndarray


def iter_inputs(source: Any) -> Iterator[InputImage]:
    """Images of an array, a path, a directory, or a list of these."""
    if isinstance(source, np.ndarray):
        yield InputImage(None, None, load_image(source))
        return
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.suffix.lower() in IMAGE_SUFFIXES:
                    yield InputImage(str(child), None, load_image(child))
                elif child.is_file():
                    logger.warning("skipping %s: not an image", child)
            return
        yield InputImage(str(path), None, load_image(path))
        return
    if isinstance(source, (list, tuple)):
        if not source:
            raise InvalidArgumentError("input is an empty list")
        for item in source:
            yield from iter_inputs(item)
        return
    raise InvalidArgumentError(
        f"unsupported input type {type(source).__name__}: pass a numpy array, a path, "
        "a directory or a list of these"
    )
