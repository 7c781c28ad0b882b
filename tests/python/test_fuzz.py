"""Fuzzing PaddleOCR.predict with malformed images and parameter values (issue #4, item 2).

Property: every call either returns a list of results or raises one of the documented
exception types; it never crashes the process, never hangs and never raises anything else.

The strategies are module-level functions (``file_payloads``, ``arrays``,
``override_dicts``, ...) so other fuzzers (e.g. the HTTP endpoint's) can reuse them; none of
them needs a pipeline. ``check_call`` runs one call under a wall-clock timeout and checks the
property.

Needs ``hypothesis`` (a test dependency). Bounded: ~30 s on the 2-core CI machine
(PPOCR_FUZZ_SCALE scales it). The number of examples each test ran is printed at the end
(``test_zz_report_fuzz_counts``).
"""

from __future__ import annotations

import math
import os
import struct
import threading
import zlib
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict

import numpy as np
import pytest

from ppocr_native import InvalidArgumentError, ModelNotFoundError
from ppocr_native.config import PredictOptions
from ppocr_native.errors import InputFetchError, PpocrError

# hypothesis is a test dependency (the `test` extra); a venv without it skips this module.
pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# What predict() may raise. InvalidArgumentError is a ValueError and ModelNotFoundError a
# FileNotFoundError; both are listed to say what is expected.
ALLOWED_ERRORS = (InvalidArgumentError, ValueError, FileNotFoundError, ModelNotFoundError,
                  PpocrError, InputFetchError)
CALL_TIMEOUT_S = 60.0  # one call on a tiny input takes well under a second
COUNTS: Counter = Counter()  # examples run, per test (reported at the end)
# Scales every test's max_examples (env PPOCR_FUZZ_SCALE, default 1: ~30 s in all); raise it
# for a longer hunt, e.g. PPOCR_FUZZ_SCALE=10.
FUZZ_SCALE = float(os.environ.get("PPOCR_FUZZ_SCALE", "1"))


def n_examples(n: int) -> int:
    return max(1, int(n * FUZZ_SCALE))


FUZZ_SETTINGS = dict(deadline=None, derandomize=False, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                            HealthCheck.function_scoped_fixture])

# The per-call parameters (PredictOptions' fields).
PREDICT_PARAMS = tuple(PredictOptions.__dataclass_fields__)

# Values the C++ binding cannot hold: a Python int outside int32, or an int too large for a
# double, reaches pybind11 and raises TypeError (see the xfail regressions below). The
# hypothesis strategies stay inside these bounds so the property tests stay green while
# that bug is open; the regressions keep it visible.
INT32_MAX = 2**31 - 1


# --- strategies (reusable) -----------------------------------------------------------------

def minimal_pdf(text: bytes = b"Hello") -> bytes:
    """A small valid one-page PDF (pdfium renders it; no font needed for a blank page)."""
    stream = b"BT /F1 24 Tf 20 40 Td (" + text + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 80] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def minimal_png(width: int = 4, height: int = 3) -> bytes:
    """A small valid grey PNG, written by hand (so it can be cut and corrupted anywhere)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"".join(b"\x00" + bytes(range(width)) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


HEADERS = {
    ".png": b"\x89PNG\r\n\x1a\n",
    ".jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    ".jpeg": b"\xff\xd8\xff",
    ".bmp": b"BM",
    ".tif": b"II*\x00",
    ".webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    ".pdf": b"%PDF-1.4\n",
}
SUFFIXES = tuple(HEADERS) + (".gif", ".txt", "")


def corrupt(data: bytes, draw_ops: Any) -> bytes:
    """Applies drawn edits (truncate / flip bytes / splice garbage) to a real file's bytes."""
    out = bytearray(data)
    for kind, pos, payload in draw_ops:
        if not out:
            break
        pos %= len(out)
        if kind == "truncate":
            del out[pos:]
        elif kind == "flip":
            out[pos] ^= (payload[0] if payload else 0xFF) or 0xFF
        else:  # splice
            out[pos:pos + len(payload)] = payload
    return bytes(out)


def edit_ops() -> st.SearchStrategy:
    return st.lists(st.tuples(st.sampled_from(["truncate", "flip", "splice"]),
                              st.integers(0, 2**20), st.binary(max_size=16)),
                    min_size=1, max_size=4)


def file_payloads(real_files: Dict[str, bytes]) -> st.SearchStrategy:
    """(suffix, bytes) of a file to feed as an image/PDF.

    real_files: {suffix: bytes of a real file} to truncate and corrupt (e.g. a JPEG and a
    PNG from the test data, plus ``minimal_pdf()``).
    """
    random_bytes = st.tuples(st.sampled_from(SUFFIXES), st.binary(max_size=512))
    header_garbage = st.sampled_from(sorted(HEADERS)).flatmap(
        lambda suffix: st.tuples(st.just(suffix),
                                 st.binary(max_size=512).map(lambda b: HEADERS[suffix] + b)))
    # A real header under a wrong suffix (the PDF magic sniffing, OpenCV's content sniffing).
    mismatched = st.tuples(st.sampled_from(SUFFIXES), st.sampled_from(sorted(HEADERS.values())),
                           st.binary(max_size=64)).map(lambda t: (t[0], t[1] + t[2]))
    real = st.sampled_from(sorted(real_files)).flatmap(
        lambda suffix: st.tuples(st.just(suffix), edit_ops().map(
            lambda ops: corrupt(real_files[suffix], ops))))
    # Cut a real file at a random point (keeps the header, loses the rest).
    cut = st.sampled_from(sorted(real_files)).flatmap(
        lambda suffix: st.tuples(st.just(suffix), st.floats(0, 1).map(
            lambda f: real_files[suffix][: int(len(real_files[suffix]) * f)])))
    return st.one_of(random_bytes, header_garbage, mismatched, real, cut)


DTYPES = (np.uint8, np.int8, np.uint16, np.int32, np.int64, np.float16, np.float32, np.float64,
          np.bool_, np.complex64, object)


def array_shapes() -> st.SearchStrategy:
    """Shapes from 0-d to 4-d: 0-size, 1-pixel, 1 x 5000 / 5000 x 1 strips, 1..5 channels."""
    side = st.one_of(st.integers(0, 48), st.sampled_from([1, 2, 3000, 5000]))
    small = st.integers(0, 48)
    return st.one_of(
        st.tuples(),
        st.tuples(side),
        st.tuples(side, small), st.tuples(small, side),
        st.tuples(side, small, st.integers(0, 5)), st.tuples(small, side, st.integers(0, 5)),
        st.tuples(st.integers(0, 2), small, small, st.integers(0, 4)),
    )


def arrays() -> st.SearchStrategy:
    """Random numpy arrays: any dtype/shape, constant, random or striped, some non-contiguous."""
    @st.composite
    def build(draw: Callable) -> np.ndarray:
        shape = draw(array_shapes())
        dtype = draw(st.sampled_from(DTYPES)) if draw(st.booleans()) else np.uint8
        fill = draw(st.sampled_from(["zeros", "full", "random", "stripes"]))
        seed = draw(st.integers(0, 2**32 - 1))
        rng = np.random.default_rng(seed)
        n = int(np.prod(shape)) if shape else 1
        if n > 200_000:  # keep examples fast
            shape = tuple(min(s, 2) for s in shape)
        if fill == "random":
            base = rng.integers(0, 256, size=shape)
        elif fill == "stripes" and len(shape) >= 2:
            base = np.zeros(shape, np.int64)
            base[::4] = 255
        else:
            base = np.full(shape, 255 if fill == "full" else 0)
        arr = np.asarray(base).astype(dtype)
        view = draw(st.sampled_from(["none", "step", "transpose", "reverse", "fortran"]))
        if view == "step" and arr.ndim >= 2:
            arr = np.repeat(np.repeat(arr, 2, axis=0), 2, axis=1)[::2, ::2]
        elif view == "transpose" and arr.ndim >= 2:
            arr = np.swapaxes(arr, 0, 1)
        elif view == "reverse" and arr.ndim >= 1:
            arr = arr[::-1]
        elif view == "fortran":
            arr = np.asfortranarray(arr)
        if draw(st.booleans()):
            arr.flags.writeable = False
        return arr

    return build()


def bad_scalars() -> st.SearchStrategy:
    """Values of every wrong or edge kind: signs, zero, NaN, inf, huge, types, strings."""
    return st.one_of(
        st.sampled_from([0, -1, 1, 2, 0.0, -0.0, -1.5, 1e-300, 1e-45, 0.3, 0.6, 1.5, 1e308,
                         math.inf, -math.inf, math.nan, INT32_MAX, -INT32_MAX - 1, 10**6,
                         True, False, None, "", "0.3", "min", "max", "resize_long", "MIN",
                         "nan", b"min", [], [1], (0.3,), {}, object(), 1j,
                         np.float32(0.3), np.int64(64), np.nan, np.bool_(True)]),
        st.integers(-INT32_MAX - 1, INT32_MAX),
        st.floats(allow_nan=True, allow_infinity=True, width=64),
        st.text(max_size=8),
    )


def good_value(name: str) -> st.SearchStrategy:
    """A plausible valid value of one per-call parameter (so the call gets to the core)."""
    if name.startswith("use_"):
        return st.booleans()
    if name == "text_det_limit_type":
        return st.sampled_from(["min", "max", "resize_long"])
    if name == "text_det_limit_side_len":
        return st.integers(1, 2000)
    if name == "text_rec_score_thresh":
        return st.floats(0, 1.5)
    return st.floats(0.01, 3.0)  # thresholds and the unclip ratio


def override_dicts(params=PREDICT_PARAMS) -> st.SearchStrategy:
    """{parameter: value} per-call overrides: some valid, some wrong, some unknown names."""
    value_for = {name: st.one_of(good_value(name), bad_scalars()) for name in params}
    known = st.fixed_dictionaries({}, optional=value_for)
    unknown = st.dictionaries(st.sampled_from(["cpu_threads", "text_recognition_batch_size",
                                               "lang", "device", "no_such"]),
                              bad_scalars(), max_size=1)
    return st.one_of(known, known, known, st.tuples(known, unknown).map(
        lambda t: {**t[0], **t[1]}))


# --- the property --------------------------------------------------------------------------

def check_call(fn: Callable[[], Any], what: str, timeout: float = CALL_TIMEOUT_S) -> Any:
    """Runs fn() in a thread; asserts it returns a list or raises an allowed error in time.

    Returns the result (or the allowed exception). A crash kills the test process (the
    failure then is the process's death, which pytest reports); a hang fails here.
    """
    box: Dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - the test classifies it
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True, name="fuzz-call")
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"predict hung for more than {timeout} s on {what}"
    if "error" in box:
        exc = box["error"]
        if not isinstance(exc, ALLOWED_ERRORS):
            raise AssertionError(f"{type(exc).__name__} (not a documented error) on {what}: "
                                 f"{exc}") from exc
        return exc
    result = box["result"]
    assert isinstance(result, list), f"{type(result).__name__} on {what}"
    for res in result:
        assert isinstance(res["rec_texts"], list)
        assert len(res["rec_texts"]) == len(res["rec_scores"]) == len(res["rec_polys"])
    return result


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 200 else text[:200] + "..."


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_files(data_dir: Path) -> Dict[str, bytes]:
    return {
        ".jpg": (data_dir / "rapidocr_tests" / "text_rec.jpg").read_bytes(),
        ".png": (data_dir / "rapidocr_tests" / "black_font_color_transparent.png").read_bytes(),
        ".jpeg": (data_dir / "mmocr_rec_toy" / "imgs" / "1036169.jpg").read_bytes(),
        ".pdf": minimal_pdf(),
        ".tif": minimal_png(),  # a PNG under another image suffix
    }


@pytest.fixture(scope="module")
def small_image() -> np.ndarray:
    img = np.full((48, 160, 3), 255, np.uint8)
    img[18:30, 10:150:6] = 0  # a row of dark marks: something for the detector
    return img


# --- the fuzz tests ------------------------------------------------------------------------

def test_fixtures_are_valid(tmp_path, real_files, ocr_reference_config):
    """The hand-written PDF and PNG are real files: the fuzzers start from readable inputs."""
    for suffix, data in real_files.items():
        path = tmp_path / f"ok{suffix}"
        path.write_bytes(data)
        assert isinstance(ocr_reference_config.predict(str(path)), list), suffix


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_fuzz_files(tmp_path_factory, real_files, ocr_reference_config):
    folder = tmp_path_factory.mktemp("fuzz_files")

    @settings(max_examples=n_examples(400), **FUZZ_SETTINGS)
    @given(payload=file_payloads(real_files))
    def run(payload):
        suffix, data = payload
        COUNTS["files"] += 1
        path = folder / f"f{COUNTS['files']}{suffix}"
        path.write_bytes(data)
        try:
            check_call(lambda: ocr_reference_config.predict(str(path)),
                       f"file {path.name} ({len(data)} bytes: {short(data[:64])})")
        finally:
            path.unlink()

    run()


def test_fuzz_arrays(ocr_reference_config):
    @settings(max_examples=n_examples(500), **FUZZ_SETTINGS)
    @given(image=arrays())
    def run(image):
        COUNTS["arrays"] += 1
        check_call(lambda: ocr_reference_config.predict(image),
                   f"array dtype={image.dtype} shape={image.shape} strides={image.strides}")

    run()


def test_fuzz_overrides(small_image, ocr_reference_config):
    @settings(max_examples=n_examples(600), **FUZZ_SETTINGS)
    @given(overrides=override_dicts())
    def run(overrides):
        COUNTS["overrides"] += 1
        out = check_call(lambda: ocr_reference_config.predict(small_image, **overrides),
                         f"overrides {short(overrides)}")
        if isinstance(out, list):
            # Accepted: the results report the values that were used.
            res = out[0]
            if isinstance(overrides.get("text_rec_score_thresh"), (int, float)):
                thresh = overrides["text_rec_score_thresh"]
                assert res["text_rec_score_thresh"] == float(thresh)
                assert all(s >= thresh for s in res["rec_scores"])

    run()


def test_fuzz_arrays_with_overrides(ocr_reference_config):
    @settings(max_examples=n_examples(150), **FUZZ_SETTINGS)
    @given(image=arrays(), overrides=override_dicts())
    def run(image, overrides):
        COUNTS["arrays+overrides"] += 1
        check_call(lambda: ocr_reference_config.predict(image, **overrides),
                   f"array {image.dtype} {image.shape} with overrides {short(overrides)}")

    run()


def test_fuzz_default_pipeline(ocr_default):
    """A few examples through the default pipeline (doc + text-line orientation loaded)."""
    @settings(max_examples=n_examples(40), **FUZZ_SETTINGS)
    @given(image=arrays(), overrides=override_dicts())
    def run(image, overrides):
        COUNTS["default pipeline"] += 1
        check_call(lambda: ocr_default.predict(image, **overrides),
                   f"default pipeline: array {image.dtype} {image.shape}, {short(overrides)}")

    run()


def test_fuzz_input_objects(ocr_reference_config, tmp_path):
    """Inputs that are not arrays or paths at all, and lists mixing good and bad."""
    good = np.full((8, 8, 3), 255, np.uint8)
    odd = st.sampled_from([None, 0, 1.5, b"bytes", bytearray(b"x"), "", " ", "\x00",
                           str(tmp_path / "missing.png"), str(tmp_path), [], [[]], (),
                           {}, set(), object(), memoryview(b"abc"), [good, None], (good, good),
                           "ftp://example.invalid/a.png", "file:///etc/passwd",
                           "http://", "https://", "data:image/png;base64,AAAA"])

    @settings(max_examples=n_examples(40), **FUZZ_SETTINGS)
    @given(value=odd)
    def run(value):
        COUNTS["input objects"] += 1
        check_call(lambda: ocr_reference_config.predict(value), f"input {short(value)}")

    run()


# --- regressions found by fuzzing (fixed: ints/floats that do not fit the core's fields) ------

TYPE_ERROR_REASON = (
    "bug: an int outside int32 (or an int too big for a double) passes Python validation "
    "and reaches the pybind11 setter, which raises TypeError instead of InvalidArgumentError"
)


@pytest.mark.parametrize("overrides", [
    {"text_det_limit_side_len": 2**31},
    {"text_det_limit_side_len": 10**12},
    {"text_det_thresh": 10**400},
    {"text_rec_score_thresh": 10**400},
], ids=["side_len_2**31", "side_len_1e12", "det_thresh_10**400", "rec_thresh_10**400"])
def test_regression_huge_int_override_is_a_value_error(small_image, ocr_reference_config,
                                                       overrides):
    check_call(lambda: ocr_reference_config.predict(small_image, **overrides),
               f"overrides {short(overrides)}")


@pytest.mark.parametrize("kwargs", [
    {"cpu_threads": 2**40},
    {"text_recognition_batch_size": 2**31},
], ids=["cpu_threads_2**40", "rec_batch_2**31"])
def test_regression_huge_int_constructor_arg_is_a_value_error(kwargs):
    from ppocr_native import PaddleOCR

    from conftest import REFERENCE_KWARGS

    check_call(lambda: [PaddleOCR(**{**REFERENCE_KWARGS, **kwargs})],
               f"PaddleOCR({short(kwargs)})")


# --- the report ----------------------------------------------------------------------------

def test_zz_report_fuzz_counts(capsys):
    """Prints how many examples each fuzz test ran (runs last in this module; shown even
    without -s)."""
    line = "fuzz counts: " + ", ".join(f"{k}={v}" for k, v in COUNTS.items()) + \
        f", total={sum(COUNTS.values())}"
    with capsys.disabled():
        print("\n" + line)
    if COUNTS:  # empty when the fuzz tests were deselected
        assert all(v > 0 for v in COUNTS.values())
