"""Which inputs are done: the manifest that makes a batch job resumable and exactly-once.

Each committed shard has a manifest file naming the inputs whose records it holds, with the
input's content hash (sha256), its size and mtime when it was read, its page count and
whether it failed. Order of a commit: the shard's rename (the commit point), then its
manifest file; a shard without a valid manifest file (the job was killed in between, or the
file was lost) gets one rebuilt from the shard's records, which carry the same facts.

Re-running a job: an input is skipped when its path (or URL) is in the manifest and its
content is unchanged: same size and mtime, or, when those differ, the same sha256. A changed
input is run again, and so is a failed one with ``retry_failed``. The records an input's new
run supersedes are removed from the older shard (atomically rewritten), so every page of
every input is in the output exactly once, whenever the job was interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

from .shards import MANIFEST_DIR, ShardStore, remove_temporaries, write_atomically

_HASH_CHUNK = 1 << 20


def hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


@dataclass
class InputEntry:
    """What the manifest knows of one finished input."""

    content_hash: Optional[str]
    size: Optional[int] = None
    mtime_ns: Optional[int] = None
    pages: int = 0
    failed: bool = False


@dataclass
class InputOutcome:
    """A worker's answer for one input: its identity as read, and all its page records."""

    key: str
    content_hash: Optional[str]
    size: Optional[int]
    mtime_ns: Optional[int]
    records: List[Dict[str, Any]] = field(default_factory=list)

    def entry(self) -> InputEntry:
        return InputEntry(self.content_hash, self.size, self.mtime_ns,
                          pages=sum(r["page_index"] is not None or r["error"] is None
                                    for r in self.records),
                          failed=any(r["error"] is not None for r in self.records))


class Manifest:
    """The completed inputs of one output folder (loaded, repaired, then appended to)."""

    def __init__(self, store: ShardStore):
        self.store = store
        self.folder = store.output / MANIFEST_DIR
        self.entries: Dict[str, InputEntry] = {}
        self._latest: Dict[str, Path] = {}

    # -- loading ---------------------------------------------------------------------------

    def load(self) -> "Manifest":
        """Reads every shard's manifest (rebuilding missing or stale ones), then removes
        records superseded by a newer shard."""
        remove_temporaries(self.store.records_dir)
        remove_temporaries(self.folder)
        shards = self.store.shard_paths()
        live = {self._sidecar(s).name for s in shards}
        if self.folder.is_dir():
            for orphan in self.folder.glob("part-*.json"):
                if orphan.name not in live:  # its shard never committed, or was emptied
                    orphan.unlink(missing_ok=True)
        superseded: Dict[Path, Set[str]] = {}
        self.entries, self._latest = {}, {}
        for shard in shards:
            for key, entry in self._read_sidecar(shard).items():
                if key in self._latest:
                    superseded.setdefault(self._latest[key], set()).add(key)
                self.entries[key] = entry
                self._latest[key] = shard
        for shard, keys in superseded.items():
            self._drop(shard, keys)
        return self

    def _sidecar(self, shard: Path) -> Path:
        return self.folder / (shard.name.rsplit(".", 1)[0] + ".json")

    def _read_sidecar(self, shard: Path) -> Dict[str, InputEntry]:
        stat = shard.stat()
        try:
            data = json.loads(self._sidecar(shard).read_text(encoding="utf-8"))
            if (data["shard"] == shard.name and data["data_size"] == stat.st_size
                    and data["data_mtime_ns"] == stat.st_mtime_ns):
                return {k: InputEntry(**v) for k, v in data["inputs"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return self._rebuild_sidecar(shard)

    def _rebuild_sidecar(self, shard: Path) -> Dict[str, InputEntry]:
        entries: Dict[str, InputEntry] = {}
        for record in self.store.read(shard):
            entry = entries.setdefault(record["source"], InputEntry(record["content_hash"]))
            entry.pages += record["page_index"] is not None or record["error"] is None
            entry.failed = entry.failed or record["error"] is not None
        self._write_sidecar(shard, entries)
        return entries

    def _write_sidecar(self, shard: Path, entries: Dict[str, InputEntry]) -> None:
        stat = shard.stat()
        body = {"shard": shard.name, "data_size": stat.st_size,
                "data_mtime_ns": stat.st_mtime_ns,
                "inputs": {k: asdict(v) for k, v in entries.items()}}
        text = json.dumps(body, ensure_ascii=False, indent=0).encode("utf-8")
        write_atomically(self._sidecar(shard), lambda f: f.write(text))

    def _drop(self, shard: Path, keys: Set[str]) -> None:
        """Rewrites `shard` without the records of `keys` (deleted when nothing is left)."""
        kept = [r for r in self.store.read(shard) if r["source"] not in keys]
        if not kept:
            shard.unlink()  # first the data: a manifest file without its shard is ignored
            self._sidecar(shard).unlink(missing_ok=True)
            return
        self.store.write(shard, kept)
        self._rebuild_sidecar(shard)

    # -- deciding --------------------------------------------------------------------------

    def is_done(self, key: str, is_url: bool, retry_failed: bool) -> bool:
        entry = self.entries.get(key)
        if entry is None or (entry.failed and retry_failed):
            return False
        if is_url:
            return True
        try:
            stat = os.stat(key)
        except OSError:
            return entry.content_hash is None  # still unreadable: the same error record
        if (stat.st_size, stat.st_mtime_ns) == (entry.size, entry.mtime_ns):
            return True
        try:
            return entry.content_hash == hash_file(key)
        except OSError:
            return False

    @property
    def failed_count(self) -> int:
        return sum(e.failed for e in self.entries.values())

    # -- committing ------------------------------------------------------------------------

    def commit(self, outcomes: List[InputOutcome]) -> Path:
        """Writes the outcomes' records as a new shard, then its manifest file."""
        shard = self.store.next_path()
        self.store.write(shard, [r for o in outcomes for r in o.records])
        entries = {o.key: o.entry() for o in outcomes}
        self._write_sidecar(shard, entries)
        for key, entry in entries.items():
            self.entries[key] = entry
            self._latest[key] = shard
        return shard
