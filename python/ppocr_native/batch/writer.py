"""Gathers finished inputs into shards and commits a shard when it is full or old enough."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List

from .manifest import InputOutcome, Manifest


class ShardWriter:
    """Commits the finished inputs every `shard_pages` pages or `shard_seconds` seconds."""

    def __init__(self, manifest: Manifest, shard_pages: int, shard_seconds: float):
        self.manifest = manifest
        self.shard_pages = shard_pages
        self.shard_seconds = shard_seconds
        self._pending: List[InputOutcome] = []
        self._pages = 0
        self._since = time.monotonic()
        self.committed: List[Path] = []

    def add(self, outcome: InputOutcome) -> None:
        if not self._pending:
            self._since = time.monotonic()
        self._pending.append(outcome)
        self._pages += max(1, len(outcome.records))
        if (self._pages >= self.shard_pages
                or time.monotonic() - self._since >= self.shard_seconds):
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.committed.append(self.manifest.commit(self._pending))
            self._pending, self._pages = [], 0
