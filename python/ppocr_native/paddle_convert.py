"""Convert a Paddle-format model dir (PaddleOCR 3.x's own) to ONNX, once, into the cache.

A PaddleOCR 3.x model dir holds ``inference.json`` (the PIR program),
``inference.pdiparams`` (the weights) and ``inference.yml`` (pre/post-processing
and, for recognisers, the dictionary).  OpenVINO cannot read the PIR program, so
the first time such a dir is used we run paddle2onnx on it and cache the result::

    <cache_dir()>/converted/<sha256(inference.json + inference.pdiparams)[:16]>/
        inference.onnx        the converted network
        inference.yml         copied from the source dir (model name, dictionary)
        source.txt            where it came from, and the converter's command line

Each such directory is itself a valid ``*_model_dir``.  The conversion runs in a
*subprocess* (``python -m paddle2onnx.command``), so paddle is never imported into
the OCR process; it is written to a temporary directory and renamed into place
under a file lock, so concurrent first uses convert once and a crash leaves no
half-written model.  The converter comes from the optional extra
``pip install 'ppocr-native[paddle]'`` (paddlepaddle + paddle2onnx); to keep
paddle out of the OCR environment, point ``$PPOCR_NATIVE_PADDLE2ONNX_PYTHON`` at
another interpreter that has them.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, Sequence

from .errors import ModelNotFoundError

try:  # POSIX only; elsewhere concurrent first conversions are not serialised.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

PROGRAM_FILENAME = "inference.json"
PARAMS_FILENAME = "inference.pdiparams"
YML_FILENAME = "inference.yml"
ONNX_FILENAME = "inference.onnx"
#: ONNX opset asked of paddle2onnx (OpenVINO reads it; PaddleX exports with the same).
OPSET = 14
#: Environment variable naming a Python interpreter that has paddle2onnx + paddlepaddle.
PYTHON_ENV = "PPOCR_NATIVE_PADDLE2ONNX_PYTHON"
CONVERT_TIMEOUT_S = 900
_KEY_LEN = 16
_CHUNK = 1 << 20

_log = logging.getLogger(__name__)


class ConverterNotAvailableError(ModelNotFoundError):
    """A Paddle-format model dir was given but paddle2onnx/paddlepaddle are not installed."""


class ConversionError(ModelNotFoundError):
    """paddle2onnx ran but did not produce a usable ONNX file."""


def is_paddle_dir(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a directory with ``inference.json`` + ``inference.pdiparams``."""
    p = Path(path)
    return (p / PROGRAM_FILENAME).is_file() and (p / PARAMS_FILENAME).is_file()


def converted_root() -> Path:
    """``<cache_dir()>/converted``: where converted models are kept (nothing is created)."""
    from .models import cache_dir  # late: models imports this module lazily too

    return cache_dir() / "converted"


def conversion_key(model_dir: str | os.PathLike[str]) -> str:
    """Shortened sha256 of the program and the weights: the cache entry's name."""
    p = Path(model_dir)
    h = hashlib.sha256()
    for name in (PROGRAM_FILENAME, PARAMS_FILENAME):
        h.update(name.encode() + b"\0")
        with open(p / name, "rb") as f:
            for chunk in iter(lambda: f.read(_CHUNK), b""):
                h.update(chunk)
    return h.hexdigest()[:_KEY_LEN]


def converter_python() -> str | None:
    """The interpreter that will run paddle2onnx, or ``None`` if there is none.

    ``$PPOCR_NATIVE_PADDLE2ONNX_PYTHON`` if set (trusted as is), else this
    interpreter when both ``paddle2onnx`` and ``paddle`` are importable (checked
    with ``find_spec``: nothing is imported).
    """
    env = os.environ.get(PYTHON_ENV)
    if env:
        return env
    if _module_available("paddle2onnx") and _module_available("paddle"):
        return sys.executable
    return None


def _module_available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _not_available_message(model_dir: Path) -> str:
    return (
        f"{model_dir} is in Paddle format (inference.json + inference.pdiparams), which "
        "OpenVINO cannot read, and no converter is installed; install the extra: "
        "pip install 'ppocr-native[paddle]' (paddlepaddle + paddle2onnx; the model is "
        "converted to ONNX once and cached), or set "
        f"{PYTHON_ENV} to a Python that has them, or convert it with paddle2onnx "
        "yourself and pass the ONNX dir"
    )


def convert_paddle_dir(model_dir: str | os.PathLike[str]) -> Path:
    """Return a cache dir holding ``inference.onnx`` (+ ``inference.yml``) for ``model_dir``.

    Converts on first use (under a lock, atomically); later calls with the same
    program and weights return the cached dir without starting any process.
    Raises :class:`ConverterNotAvailableError` when paddle2onnx/paddlepaddle are
    not installed and :class:`ConversionError` when the conversion fails (both
    are :class:`ModelNotFoundError`).
    """
    src = Path(os.fspath(model_dir)).expanduser().resolve()
    if not is_paddle_dir(src):
        raise ModelNotFoundError(
            f"{src} is not a Paddle-format model dir (needs {PROGRAM_FILENAME} and "
            f"{PARAMS_FILENAME})"
        )
    key = conversion_key(src)
    dest = converted_root() / key
    if _complete(dest):
        return dest
    python = converter_python()
    if python is None:
        raise ConverterNotAvailableError(_not_available_message(src))
    with _lock(key):
        if not _complete(dest):  # another process may have finished while we waited
            _convert_into(src, dest, python)
    return dest


def _complete(dest: Path) -> bool:
    onnx = dest / ONNX_FILENAME
    return onnx.is_file() and onnx.stat().st_size > 0


@contextlib.contextmanager
def _lock(key: str) -> Iterator[None]:
    lock_dir = converted_root().parent / ".locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"convert-{key}.lock", "a+b") as f:
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def converter_command(python: str, src: Path, out_file: Path) -> list[str]:
    """The paddle2onnx command line (the ``paddle2onnx`` console script's module)."""
    return [
        python, "-m", "paddle2onnx.command",
        "--model_dir", str(src),
        "--model_filename", PROGRAM_FILENAME,
        "--params_filename", PARAMS_FILENAME,
        "--save_file", str(out_file),
        "--opset_version", str(OPSET),
        "--enable_onnx_checker", "True",
        # polygraphy's constant folding (the default) takes ~50 s on PP-OCRv5_mobile_det
        # and changes nothing OpenVINO does not fold itself: off (2 s, same texts).
        "--optimize_tool", "None",
    ]


def _convert_into(src: Path, dest: Path, python: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        out_file = tmp / ONNX_FILENAME
        cmd = converter_command(python, src, out_file)
        _log.info("converting Paddle-format model %s to ONNX (once): %s", src, " ".join(cmd))
        start = time.monotonic()
        proc = _run(cmd)
        if proc.returncode != 0 or not _complete(tmp):
            tail = (proc.stdout or "")[-3000:]
            raise ConversionError(
                f"paddle2onnx could not convert {src} (exit code {proc.returncode}); "
                f"command: {' '.join(cmd)}\n{tail}"
            )
        if (src / YML_FILENAME).is_file():
            shutil.copyfile(src / YML_FILENAME, tmp / YML_FILENAME)
        (tmp / "source.txt").write_text(
            f"source: {src}\ncommand: {' '.join(cmd)}\n", encoding="utf-8"
        )
        for f in tmp.iterdir():
            os.chmod(f, 0o644)
        os.chmod(tmp, 0o755)
        if dest.exists():  # an incomplete leftover (no inference.onnx): replace it
            shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
        _log.info("converted %s in %.1f s into %s", src, time.monotonic() - start, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _run(cmd: Sequence[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            list(cmd),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=CONVERT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ConverterNotAvailableError(f"cannot run the converter {cmd[0]}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConversionError(
            f"paddle2onnx did not finish within {CONVERT_TIMEOUT_S} s: {' '.join(cmd)}"
        ) from exc
