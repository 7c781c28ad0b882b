"""The HTTP service (`ppocr serve`): PaddleOCR's basic-serving API on a real uvicorn.

One server runs in a thread of this process (so a test can slow the work down to fill the
queue), bound to 127.0.0.1 on a free port; one more test starts `ppocr serve` as a
subprocess. Clients are plain urllib. Every server is stopped in the fixture's teardown.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from test_config_cli import SAMPLE_LINES

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "assets" / "sample.png"
LIGHT = dict(use_doc_orientation_classify=False, use_doc_unwarping=False,
             use_textline_orientation=False, cpu_threads=2)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _request(url: str, body=None, *, raw: bytes = None, method: str = None, timeout=60):
    """(status, parsed JSON body) of one request."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _assert_error(status, body, expected: int):
    assert status == expected, body
    assert set(body) == {"logId", "errorCode", "errorMsg"}, body
    assert body["errorCode"] == expected
    assert isinstance(body["errorMsg"], str) and body["errorMsg"]
    uuid.UUID(body["logId"])


class _ThreadServer:
    def __init__(self, settings):
        import uvicorn

        from ppocr_native.serving import create_app

        self.app = create_app(settings)
        self.service = self.app.state.service
        self.server = uvicorn.Server(uvicorn.Config(
            self.app, host="127.0.0.1", port=settings.port, log_level="warning",
            lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{settings.port}"

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=20)
        assert not self.thread.is_alive(), "the test server did not stop"


@pytest.fixture(scope="module")
def server():
    from ppocr_native.serving import ServiceSettings

    srv = _ThreadServer(ServiceSettings(port=_free_port(), pipeline_kwargs=dict(LIGHT),
                                        max_num_input_imgs=2, queue_size=2))
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@contextmanager
def _settings(srv, **changes):
    """Temporarily changed service limits."""
    old = {k: getattr(srv.service.settings, k) for k in changes}
    for k, v in changes.items():
        setattr(srv.service.settings, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(srv.service.settings, k, v)


def _text_page(text: str) -> Image.Image:
    page = Image.new("RGB", (600, 200), "white")
    draw = ImageDraw.Draw(page)
    try:
        font = ImageFont.load_default(size=40)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    draw.text((30, 70), text, fill="black", font=font)
    return page


def _pdf(texts) -> bytes:
    pages = [_text_page(t) for t in texts]
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=72)
    return buf.getvalue()


SAMPLE_B64 = _b64(SAMPLE.read_bytes())


# --- success -----------------------------------------------------------------------------------

def test_image_request_returns_the_sample_texts_in_the_guides_shape(server):
    status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64, "fileType": 1})
    assert status == 200, body
    assert set(body) == {"logId", "errorCode", "errorMsg", "result"}
    assert body["errorCode"] == 0 and body["errorMsg"] == "Success"
    uuid.UUID(body["logId"])
    result = body["result"]
    assert result["dataInfo"] == {"width": 900, "height": 360, "type": "image"}
    assert len(result["ocrResults"]) == 1
    item = result["ocrResults"][0]
    assert set(item) == {"prunedResult", "ocrImage", "docPreprocessingImage", "inputImage"}
    pruned = item["prunedResult"]
    assert pruned["rec_texts"] == SAMPLE_LINES
    assert "input_path" not in pruned and "page_index" not in pruned
    assert {"dt_polys", "rec_scores", "rec_boxes", "model_settings"} <= set(pruned)
    # visual images by default (PaddleX's Serving.visualize default), JPEG base64
    for key in ("ocrImage", "inputImage"):
        raw = base64.b64decode(item[key])
        assert raw[:3] == b"\xff\xd8\xff"
    assert Image.open(io.BytesIO(base64.b64decode(item["inputImage"]))).size == (900, 360)
    assert item["docPreprocessingImage"] is None  # no preprocessing module ran


def test_file_type_inferred_from_content_and_visualize_off_and_log_id_kept(server):
    log_id = str(uuid.uuid4())
    status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64, "visualize": False,
                                                  "logId": log_id, "unknownField": 1})
    assert status == 200, body
    assert body["logId"] == log_id
    item = body["result"]["ocrResults"][0]
    assert item["prunedResult"]["rec_texts"] == SAMPLE_LINES
    assert item["ocrImage"] is None and item["inputImage"] is None


def test_pdf_gives_one_result_per_page_up_to_the_page_limit(server):
    pdf = _pdf(["PAGE ONE", "PAGE TWO", "PAGE THREE"])
    status, body = _request(server.url + "/ocr", {"file": _b64(pdf), "fileType": 0,
                                                  "visualize": False})
    assert status == 200, body
    result = body["result"]
    assert len(result["ocrResults"]) == 2  # the fixture's max_num_input_imgs
    info = result["dataInfo"]
    assert info["type"] == "pdf" and info["numPages"] == 2
    assert info["pages"] == [{"width": 1200, "height": 400}] * 2  # scale 2.0
    texts = [" ".join(r["prunedResult"]["rec_texts"]) for r in result["ocrResults"]]
    assert "ONE" in texts[0] and "TWO" in texts[1]
    with _settings(server, max_num_input_imgs=None):  # none = every page; type from content
        status, body = _request(server.url + "/ocr", {"file": _b64(pdf), "visualize": False})
    assert status == 200, body
    assert len(body["result"]["ocrResults"]) == 3
    assert "THREE" in " ".join(body["result"]["ocrResults"][2]["prunedResult"]["rec_texts"])


def test_every_optional_field_is_accepted_and_applied(server):
    fields = dict(useDocOrientationClassify=False, useDocUnwarping=False,
                  useTextlineOrientation=False, textDetLimitSideLen=736,
                  textDetLimitType="max", textDetThresh=0.2, textDetBoxThresh=0.5,
                  textDetUnclipRatio=1.8, textRecScoreThresh=0.1)
    status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64, "visualize": False,
                                                  **fields})
    assert status == 200, body
    pruned = body["result"]["ocrResults"][0]["prunedResult"]
    assert pruned["text_det_params"] == {"limit_side_len": 736, "limit_type": "max",
                                         "thresh": 0.2, "box_thresh": 0.5,
                                         "unclip_ratio": 1.8, "max_side_limit": 4000}
    assert pruned["text_rec_score_thresh"] == 0.1
    assert pruned["model_settings"]["use_textline_orientation"] is False
    assert pruned["rec_texts"] == SAMPLE_LINES
    # a threshold above every score drops every line; the next request is back to normal
    status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64, "visualize": False,
                                                  "textRecScoreThresh": 0.9999})
    assert status == 200, body
    strict = body["result"]["ocrResults"][0]["prunedResult"]
    assert len(strict["rec_texts"]) < len(SAMPLE_LINES)
    status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64, "visualize": False})
    assert body["result"]["ocrResults"][0]["prunedResult"]["rec_texts"] == SAMPLE_LINES


def test_health_and_openapi_docs(server):
    status, body = _request(server.url + "/health")
    assert status == 200
    assert body["errorCode"] == 0 and body["errorMsg"] == "Healthy"
    assert body["result"]["engine"].startswith("OpenVINO")
    assert body["result"]["runsOn"] == "openvino on cpu (fp32)" and body["result"]["device"] == "cpu"
    assert body["result"]["models"]["text_det"]["name"] == "PP-OCRv6_small_det"
    assert body["result"]["models"]["text_rec"]["name"] == "PP-OCRv6_small_rec"
    with urllib.request.urlopen(server.url + "/docs", timeout=10) as resp:
        assert resp.status == 200
    status, spec = _request(server.url + "/openapi.json")
    assert "/ocr" in spec["paths"] and "/health" in spec["paths"]


# --- errors ------------------------------------------------------------------------------------

def _truncated_png() -> bytes:
    data = SAMPLE.read_bytes()
    return data[: len(data) // 3]


@pytest.mark.parametrize("body, status", [
    ({"file": "not base64 !!!", "fileType": 1}, 422),
    ({"file": _b64(b"hello, this is text, not an image"), "fileType": 1}, 422),
    ({"file": _b64(_truncated_png()), "fileType": 1}, 422),
    ({"file": "", "fileType": 1}, 422),
    ({"file": "", "fileType": 0}, 422),
    ({"file": SAMPLE_B64, "fileType": 0}, 422),            # a PNG sent as a PDF
    ({"file": SAMPLE_B64, "fileType": 7}, 422),            # no such file type
    ({"file": SAMPLE_B64, "fileType": "image"}, 422),
    ({"file": 12345}, 422),
    ({"fileType": 1}, 422),                                 # file missing
    ({"file": SAMPLE_B64, "textDetThresh": "high"}, 422),
    ({"file": SAMPLE_B64, "textDetLimitSideLen": [1]}, 422),
    ({"file": SAMPLE_B64, "useTextlineOrientation": {"a": 1}}, 422),
    ({"file": SAMPLE_B64, "textDetLimitType": "diagonal"}, 422),
    ({"file": SAMPLE_B64, "textDetLimitSideLen": -5}, 422),
    ({"file": SAMPLE_B64, "returnWordBox": True}, 422),     # not implemented: refused
    ({"file": "https://example.com/a.png", "fileType": 1}, 403),  # URL fetching is off
], ids=["bad-base64", "not-an-image", "truncated-png", "zero-byte-image", "zero-byte-pdf",
        "png-as-pdf", "file-type-7", "file-type-str", "file-int", "file-missing",
        "thresh-str", "side-len-list", "bool-dict", "bad-limit-type", "negative-side-len",
        "word-box", "url-disabled"])
def test_bad_requests_get_the_error_schema(server, body, status):
    _assert_error(*_request(server.url + "/ocr", body), status)


def test_malformed_json_wrong_method_and_unknown_route_get_the_error_schema(server):
    _assert_error(*_request(server.url + "/ocr", raw=b"{not json"), 422)
    _assert_error(*_request(server.url + "/ocr", raw=b"[1, 2]"), 422)
    _assert_error(*_request(server.url + "/ocr", method="GET"), 405)
    _assert_error(*_request(server.url + "/nowhere"), 404)


def test_body_over_the_limit_is_413(server):
    with _settings(server, max_body_mb=0.5):
        big = {"file": _b64(b"\0" * 600_000), "fileType": 1}
        _assert_error(*_request(server.url + "/ocr", big), 413)
        # chunked (no Content-Length): the bytes actually received count
        conn = __import__("http.client").client.HTTPConnection("127.0.0.1",
                                                               int(server.url.rsplit(":", 1)[1]),
                                                               timeout=30)
        try:
            chunks = (json.dumps(big).encode()[i:i + 65536]
                      for i in range(0, len(json.dumps(big)), 65536))
            conn.request("POST", "/ocr", body=chunks, encode_chunked=True,
                         headers={"Content-Type": "application/json",
                                  "Transfer-Encoding": "chunked"})
            resp = conn.getresponse()
            _assert_error(resp.status, json.loads(resp.read()), 413)
        finally:
            conn.close()
        # under the limit still works
        status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64, "visualize": False})
        assert status == 200, body


def test_too_many_pixels_is_422(server):
    with _settings(server, max_pixels=100_000):
        _assert_error(*_request(server.url + "/ocr", {"file": SAMPLE_B64}), 422)
        pdf = _pdf(["A"])  # 1200 x 400 rendered
        _assert_error(*_request(server.url + "/ocr", {"file": _b64(pdf), "fileType": 0}), 422)


def test_url_allow_list(server):
    with _settings(server, allow_url_fetch=True, url_allow_list=["images.example.org"]):
        _assert_error(*_request(server.url + "/ocr", {"file": "http://127.0.0.1:1/a.png"}), 403)
        _assert_error(*_request(server.url + "/ocr",
                                {"file": "http://169.254.169.254/latest/meta-data"}), 403)


def test_url_fetch_when_enabled_and_allowed(server):
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(SAMPLE.parent))
    handler.log_message = lambda *a, **k: None
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=files.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{files.server_address[1]}/{SAMPLE.name}"
        with _settings(server, allow_url_fetch=True, url_allow_list=["127.0.0.1"]):
            status, body = _request(server.url + "/ocr", {"file": url, "visualize": False})
            assert status == 200, body
            assert body["result"]["ocrResults"][0]["prunedResult"]["rec_texts"] == SAMPLE_LINES
            _assert_error(*_request(server.url + "/ocr", {"file": url + ".missing"}), 422)
        with _settings(server, allow_url_fetch=True, url_allow_list=[]):  # any host
            status, body = _request(server.url + "/ocr", {"file": url, "visualize": False})
            assert status == 200, body
    finally:
        files.shutdown()
        files.server_close()
        thread.join(timeout=10)


def test_module_not_loaded_turned_on_per_request_is_a_client_error(server):
    status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64,
                                                  "useDocUnwarping": True})
    _assert_error(status, body, 422)
    assert "unwarping" in body["errorMsg"]


def test_full_queue_answers_503_quickly(server, monkeypatch):
    service = server.service
    real_infer = service.infer
    gate = threading.Event()

    def slow_infer(*args, **kwargs):
        gate.wait(30)
        return real_infer(*args, **kwargs)

    monkeypatch.setattr(service, "infer", slow_infer)
    capacity = service.settings.max_concurrency + service.settings.queue_size  # 1 + 2
    body = {"file": SAMPLE_B64, "visualize": False}
    with ThreadPoolExecutor(capacity) as pool:
        pending = [pool.submit(_request, server.url + "/ocr", body) for _ in range(capacity)]
        deadline = time.monotonic() + 20
        while service.admitted < capacity and time.monotonic() < deadline:
            time.sleep(0.02)
        assert service.admitted == capacity
        started = time.monotonic()
        status, err = _request(server.url + "/ocr", body)
        assert time.monotonic() - started < 5
        _assert_error(status, err, 503)
        gate.set()
        for f in pending:
            status, ok = f.result(timeout=60)
            assert status == 200, ok
            assert ok["result"]["ocrResults"][0]["prunedResult"]["rec_texts"] == SAMPLE_LINES
    assert service.admitted == 0


def test_unexpected_exception_is_500_with_the_error_schema(server, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(server.service, "infer", boom)
    status, body = _request(server.url + "/ocr", {"file": SAMPLE_B64})
    _assert_error(status, body, 500)
    assert "kaboom" not in body["errorMsg"]


# --- the CLI -----------------------------------------------------------------------------------

def test_ppocr_serve_subprocess_two_workers(tmp_path):
    port = _free_port()
    cmd = [sys.executable, "-m", "ppocr_native.cli", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--workers", "2", "--max_num_input_imgs", "none",
           "--queue_size", "1", "--cpu_threads", "1", "--use_doc_orientation_classify", "False",
           "--use_textline_orientation", "False", "--text_rec_score_thresh", "0.0"]
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _request(url + "/health", timeout=5)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "serve.log").read_text())
                time.sleep(0.2)
        assert status == 200 and body["result"]["capacity"] == 2
        status, body = _request(url + "/ocr", {"file": SAMPLE_B64, "fileType": 1})
        assert status == 200, body
        assert body["result"]["ocrResults"][0]["prunedResult"]["rec_texts"] == SAMPLE_LINES
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def test_ppocr_serve_bad_option_fails_before_binding():
    out = subprocess.run([sys.executable, "-m", "ppocr_native.cli", "serve",
                          "--text_det_limit_type", "diagonal"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith("ppocr: error:")
    out = subprocess.run([sys.executable, "-m", "ppocr_native.cli", "serve", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for flag in ("--max_body_mb", "--max_pixels", "--max_num_input_imgs", "--queue_size",
                 "--allow_url_fetch", "--url_allow_list", "--workers", "--paddlex_config",
                 "--text_det_thresh"):
        assert flag in out.stdout
