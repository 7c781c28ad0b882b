"""Fuzzing `POST /ocr`: malformed files and parameter values over real HTTP.

Property: every answer is either 200 with the success body or a 4xx/503 with the guide's
error body (errorCode == HTTP status) — never a 500, a crash or a hang. Reuses the file
strategies of test_fuzz.py and the loopback server of test_serving.py.
"""

from __future__ import annotations

import base64

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from test_fuzz import file_payloads  # noqa: E402
from test_serving import _request, server  # noqa: E402,F401  (server is a fixture)

FIELDS = ("useDocOrientationClassify", "useDocUnwarping", "useTextlineOrientation",
          "textDetLimitSideLen", "textDetLimitType", "textDetThresh", "textDetBoxThresh",
          "textDetUnclipRatio", "textRecScoreThresh", "visualize", "returnWordBox", "logId")
COUNT = {"requests": 0}

json_values = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
    st.sampled_from(["min", "max", "resize_long", "", "1", "true"]),
    st.lists(st.integers(0, 9), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _real_files(data_dir):
    return {".jpg": (data_dir / "icdar2015_subset" / "imgs" / "img_1.jpg").read_bytes(),
            ".png": (data_dir / "paddleocr_tests" / "textline.png").read_bytes()}


def _check(status, body):
    COUNT["requests"] += 1
    assert isinstance(body, dict) and "logId" in body and "errorMsg" in body, (status, body)
    if status == 200:
        assert body["errorCode"] == 0 and "ocrResults" in body["result"]
    else:
        assert status in (400, 403, 413, 422, 503), (status, body)
        assert body["errorCode"] == status


def test_fuzz_ocr_endpoint(server, data_dir):
    files = file_payloads(_real_files(data_dir))
    payload = st.one_of(files.map(lambda f: base64.b64encode(f[1]).decode("ascii")),
                        st.text(max_size=40), json_values)

    @settings(max_examples=120, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(file=payload, file_type=st.one_of(st.sampled_from([None, 0, 1, 2, -1]), json_values),
           extra=st.fixed_dictionaries({}, optional={name: json_values for name in FIELDS}))
    def run(file, file_type, extra):
        _check(*_request(server.url + "/ocr", {"file": file, "fileType": file_type, **extra},
                         timeout=120))

    run()
    print(f"\nHTTP fuzz: {COUNT['requests']} requests")


def test_fuzz_raw_bodies(server):
    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(raw=st.binary(max_size=200))
    def run(raw):
        _check(*_request(server.url + "/ocr", raw=raw, timeout=60))

    run()
