"""One record per page: what a batch job writes for every image and every PDF page.

A record is flat and self-contained (so the shards can be read with any JSON-lines or
Parquet reader and so a lost manifest can be rebuilt from them):

``source``        the input's key: its absolute path, or its URL
``page_index``    0-based PDF page; null for an image (and for a PDF that could not be opened)
``content_hash``  ``sha256:<hex>`` of the input file's bytes (null for URLs)
``width, height`` the page image's size in pixels (as rendered for PDF pages)
``angle``         the document orientation the pipeline corrected (0/90/180/270; null if off)
``texts, scores`` the recognised lines and their scores
``polys, boxes``  each line's quadrilateral and its axis-aligned box [x0, y0, x1, y1], in the
                  page image's pixels (PaddleOCR's ``rec_polys`` mapped back through the
                  orientation correction, so they fall on the page as given)
``timings``       ``read_ms`` (decode / render) and ``ocr_ms`` (the pipeline)
``worker_rss_mb`` the resident memory of the worker process after the page
``error``         null, or ``ErrorType: message`` for a page or input that failed
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

# Fields that differ between two runs of the same job (everything else is deterministic).
VOLATILE_FIELDS = ("timings", "worker_rss_mb")


def page_record(source: str, content_hash: Optional[str], page_index: Optional[int],
                result: Any, image_shape, read_ms: float, ocr_ms: float,
                rss_mb: float) -> Dict[str, Any]:
    """The record of one page the pipeline ran on (`result`: an OCRResult)."""
    polys = np.asarray(result["rec_polys_on_input"], dtype=np.int64).reshape(-1, 4, 2)
    boxes = np.concatenate([polys.min(axis=1), polys.max(axis=1)], axis=1) if len(polys) \
        else np.zeros((0, 4), dtype=np.int64)
    pre = result.get("doc_preprocessor_res")
    return {
        "source": source,
        "page_index": page_index,
        "content_hash": content_hash,
        "width": int(image_shape[1]),
        "height": int(image_shape[0]),
        "angle": int(pre["angle"]) if pre is not None and pre["angle"] is not None else None,
        "texts": [str(t) for t in result["rec_texts"]],
        "scores": [float(s) for s in result["rec_scores"]],
        "polys": polys.tolist(),
        "boxes": boxes.tolist(),
        "timings": {"read_ms": round(read_ms, 3), "ocr_ms": round(ocr_ms, 3)},
        "worker_rss_mb": round(rss_mb, 1),
        "error": None,
    }


def error_record(source: str, content_hash: Optional[str], page_index: Optional[int],
                 error: BaseException, read_ms: float, rss_mb: float) -> Dict[str, Any]:
    """The record of a page (page_index set) or a whole input (None) that failed."""
    message = " ".join(str(error).split()) or repr(error)
    return {
        "source": source,
        "page_index": page_index,
        "content_hash": content_hash,
        "width": None,
        "height": None,
        "angle": None,
        "texts": [],
        "scores": [],
        "polys": [],
        "boxes": [],
        "timings": {"read_ms": round(read_ms, 3), "ocr_ms": 0.0},
        "worker_rss_mb": round(rss_mb, 1),
        "error": f"{type(error).__name__}: {message}",
    }


def without_volatile(record: Dict[str, Any]) -> Dict[str, Any]:
    """The record less its run-dependent fields: equal for equal work."""
    return {k: v for k, v in record.items() if k not in VOLATILE_FIELDS}


def arrow_schema():
    """The Parquet shards' schema, fixed so every shard has the same one."""
    import pyarrow as pa

    point = pa.list_(pa.int64())
    return pa.schema([
        ("source", pa.string()),
        ("page_index", pa.int64()),
        ("content_hash", pa.string()),
        ("width", pa.int64()),
        ("height", pa.int64()),
        ("angle", pa.int64()),
        ("texts", pa.list_(pa.string())),
        ("scores", pa.list_(pa.float64())),
        ("polys", pa.list_(pa.list_(point))),
        ("boxes", pa.list_(pa.list_(pa.int64()))),
        ("timings", pa.struct([("read_ms", pa.float64()), ("ocr_ms", pa.float64())])),
        ("worker_rss_mb", pa.float64()),
        ("error", pa.string()),
    ])
