"""Record shards on disk: written atomically, read back, in JSON lines or Parquet.

A shard holds the records of whole inputs (every page of an input lands in one shard), so
committing a shard commits those inputs. Commit = rename of a complete, fsynced temporary
file: a reader, or a job re-run after a kill, sees a shard whole or not at all.

    OUTPUT/records/part-000001.jsonl     the shards (or .parquet)
    OUTPUT/manifest/part-000001.json     what each shard holds (see manifest.py)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

from ..errors import InvalidArgumentError
from .records import arrow_schema

RECORDS_DIR = "records"
MANIFEST_DIR = "manifest"
_SHARD_NAME = re.compile(r"^part-(\d{6,})\.(jsonl|parquet)$")
TEMP_MARK = ".tmp-"
LOCK_NAME = ".lock"


def write_atomically(path: Path, write) -> None:
    """Calls write(file) on a temporary file beside `path`, fsyncs it, renames it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}")
    try:
        with open(temp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


def remove_temporaries(folder: Path) -> None:
    """Deletes what an interrupted write left (never a committed file)."""
    if folder.is_dir():
        for child in folder.rglob(f".*{TEMP_MARK}*"):
            child.unlink(missing_ok=True)


class ShardFormat:
    suffix = ""

    def write(self, f, records: List[Dict[str, Any]]) -> None:
        raise NotImplementedError

    def read(self, path: Path) -> List[Dict[str, Any]]:
        raise NotImplementedError


class JsonLines(ShardFormat):
    suffix = ".jsonl"

    def write(self, f, records):
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
            f.write(b"\n")

    def read(self, path):
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]


class Parquet(ShardFormat):
    suffix = ".parquet"

    def __init__(self):
        try:
            import pyarrow  # noqa: F401
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise InvalidArgumentError(
                "--format parquet needs pyarrow: pip install 'ppocr-native[parquet]'") from None

    def write(self, f, records):
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records, schema=arrow_schema()), f)

    def read(self, path):
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()


def shard_format(name: str) -> ShardFormat:
    return {"jsonl": JsonLines, "parquet": Parquet}[name]()


class ShardStore:
    """The shards of one output folder, in one format."""

    def __init__(self, output: Path, fmt: ShardFormat):
        self.output = Path(output)
        self.records_dir = self.output / RECORDS_DIR
        self.fmt = fmt
        other = [p.name for p in self.shard_paths(any_format=True) if p.suffix != fmt.suffix]
        if other:
            raise InvalidArgumentError(
                f"{self.records_dir} already holds shards of another format ({other[0]}); "
                f"use the same --format as before or another --output")

    def shard_paths(self, any_format: bool = False) -> List[Path]:
        """The committed shards, oldest first."""
        if not self.records_dir.is_dir():
            return []
        found = []
        for child in self.records_dir.iterdir():
            match = _SHARD_NAME.match(child.name)
            if match and (any_format or child.suffix == self.fmt.suffix):
                found.append((int(match.group(1)), child))
        return [path for _, path in sorted(found)]

    def next_path(self) -> Path:
        shards = self.shard_paths()
        number = shard_number(shards[-1]) + 1 if shards else 1
        return self.records_dir / f"part-{number:06d}{self.fmt.suffix}"

    def write(self, path: Path, records: List[Dict[str, Any]]) -> None:
        write_atomically(path, lambda f: self.fmt.write(f, records))

    def read(self, path: Path) -> List[Dict[str, Any]]:
        return self.fmt.read(path)

    def iter_records(self) -> Iterator[Dict[str, Any]]:
        """Every committed record (after a job: each page exactly once)."""
        for path in self.shard_paths():
            yield from self.read(path)


@contextlib.contextmanager
def exclusive_output(output: Path) -> Iterator[None]:
    """Holds OUTPUT/.lock for the job: two jobs writing one folder would number their shards
    alike. The kernel drops the lock with its process, even on SIGKILL: no stale locks."""
    output.mkdir(parents=True, exist_ok=True)
    with open(output / LOCK_NAME, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise InvalidArgumentError(
                f"another ppocr batch job is writing to {output}; wait for it, or use "
                "another --output") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def shard_number(path: Path) -> int:
    return int(_SHARD_NAME.match(path.name).group(1))


def read_records(output: Any) -> List[Dict[str, Any]]:
    """All the records of a batch output folder, whatever its format."""
    records_dir = Path(output) / RECORDS_DIR
    out: List[Dict[str, Any]] = []
    for suffix, fmt in ((".jsonl", JsonLines), (".parquet", Parquet)):
        paths = sorted(p for p in records_dir.glob(f"part-*{suffix}") if _SHARD_NAME.match(p.name))
        for path in paths:
            out.extend(fmt().read(path))
    return out
