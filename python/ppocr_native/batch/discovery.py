"""Turns the command line's INPUTs into the list of inputs a batch job runs.

An INPUT is an http(s) URL, a file, a directory (walked recursively; images and PDFs are
picked by suffix, other files are reported as skipped), a glob (``scans/**/*.pdf``), or a
manifest: a ``.txt``/``.lst``/``.list`` file, or any path written ``@path``, holding one
INPUT per line (blank lines and ``#`` comments ignored; relative paths are relative to the
manifest's folder). A file named explicitly is always run, so a broken or non-image file
gets an error record instead of vanishing. Each input appears once, in a stable order.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Set

from ..errors import InvalidArgumentError
from ..inputs import IMAGE_SUFFIXES, PDF_SUFFIX

MANIFEST_SUFFIXES = {".txt", ".lst", ".list"}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class InputItem:
    """One input of the job: its identity (`key`: absolute path or URL) and output name."""

    key: str
    is_url: bool
    # Where the input sits under the INPUT it came from (the folder layout is mirrored for
    # the searchable PDFs); a bare file's is its name.
    relative_name: str

    @property
    def is_pdf(self) -> bool:
        return self.key.lower().split("?")[0].endswith(PDF_SUFFIX) or (
            not self.is_url and _starts_like_pdf(self.key))


@dataclass
class Discovery:
    items: List[InputItem]
    skipped: List[str]   # files in walked folders that are neither images nor PDFs
    unmatched: List[str]  # globs that matched nothing


def _starts_like_pdf(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"%PDF"
    except OSError:
        return False


def _wanted_suffix(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in IMAGE_SUFFIXES or suffix == PDF_SUFFIX


def discover(inputs: Iterable[str]) -> Discovery:
    """Every input named by `inputs`, deduplicated by key, in the order given."""
    found = Discovery([], [], [])
    seen: Set[str] = set()
    for text in inputs:
        _expand(str(text), found, seen, base=None, in_manifest=False)
    return found


def _add(found: Discovery, seen: Set[str], key: str, is_url: bool, relative: str) -> None:
    if key not in seen:
        seen.add(key)
        found.items.append(InputItem(key, is_url, relative))


def _expand(text: str, found: Discovery, seen: Set[str], base: Optional[Path],
            in_manifest: bool) -> None:
    text = text.strip()
    if not text:
        return
    if _URL.match(text):
        name = text.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or "download"
        _add(found, seen, text, True, name)
        return
    if text.startswith("@"):
        _read_manifest(Path(text[1:]) if base is None else base / text[1:], found, seen,
                       in_manifest)
        return
    path = Path(text).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    if path.is_dir():
        _walk(path, found, seen)
    elif (path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES and not in_manifest):
        _read_manifest(path, found, seen, in_manifest)
    elif not path.exists() and _GLOB_CHARS.search(str(path)):
        matches = sorted(glob.glob(str(path), recursive=True))
        if not matches:
            found.unmatched.append(text)
        for match in matches:
            match_path = Path(match)
            if match_path.is_dir():
                _walk(match_path, found, seen)
            else:
                _add(found, seen, os.path.abspath(match), False, match_path.name)
    else:
        # A missing file is kept: its record says so, and the rest of the job goes on.
        _add(found, seen, os.path.abspath(path), False, path.name)


def _walk(root: Path, found: Discovery, seen: Set[str]) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if _wanted_suffix(path):
                _add(found, seen, os.path.abspath(path), False,
                     path.relative_to(root).as_posix())
            else:
                found.skipped.append(str(path))


def _read_manifest(path: Path, found: Discovery, seen: Set[str], in_manifest: bool) -> None:
    if in_manifest:
        raise InvalidArgumentError(f"{path}: a manifest cannot name another manifest")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InvalidArgumentError(f"cannot read the manifest {path}: {err}") from None
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            _expand(line, found, seen, base=path.parent, in_manifest=True)


def unique_output_names(items: List[InputItem], suffix: str) -> dict:
    """{key: relative output path}: the input's relative name with `suffix`; names that
    two inputs would share get a short hash of the key, so no output overwrites another."""
    wanted = {item.key: str(Path(item.relative_name).with_suffix(suffix)) for item in items}
    counts: dict = {}
    for name in wanted.values():
        counts[name] = counts.get(name, 0) + 1
    out = {}
    for key, name in wanted.items():
        if counts[name] > 1:
            digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
            stem = Path(name)
            name = str(stem.with_name(f"{stem.stem}.{digest}{stem.suffix}"))
        out[key] = name
    return out
