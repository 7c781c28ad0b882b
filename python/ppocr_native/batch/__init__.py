"""ppocr batch: OCR of many files on a local process pool or a Ray cluster, resumable.

    from ppocr_native.batch import BatchOptions, run_batch, read_records
    run_batch(["scans/"], "out", BatchOptions(format="parquet"), lang="en")
"""

from .options import BatchOptions
from .records import without_volatile
from .runner import BatchSummary, run_batch
from .shards import read_records

__all__ = ["BatchOptions", "BatchSummary", "run_batch", "read_records", "without_volatile"]
