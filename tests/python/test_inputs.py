"""Inputs: PDFs (every page, page_index), http(s) URLs, directories, mixed lists, streaming.

Network tests talk only to servers on 127.0.0.1 started here, on random ports, with bounded
lifetimes; nothing leaves the machine.
"""

from __future__ import annotations

import http.server
import logging
import os
import socket
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from conftest import alpha_blend
from ppocr_native import InvalidArgumentError
from ppocr_native import image_io, inputs
from ppocr_native.inputs import InputFetchError, iter_inputs

PAGE_TEXTS = ["Invoice 2024", "Hello World 42", "Total amount 99"]


# --- helpers -------------------------------------------------------------------------------

def _text_image(text: str, size=(640, 120)) -> Image.Image:
    im = Image.new("RGB", size, "white")
    ImageDraw.Draw(im).text((20, 30), text, fill="black", font=ImageFont.load_default(size=40))
    return im


def _save_pdf(path: Path, pages, resolution: float = 144.0) -> Path:
    """A PDF with one page per PIL image; at 144 dpi PaddleX's 2x render is pixel-for-pixel."""
    pages = list(pages)
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=resolution)
    return path


def _squash(texts) -> str:
    return "".join("".join(texts).split())


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _png_bytes(image: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".png", image)
    assert ok
    return buf.tobytes()


@pytest.fixture(scope="module")
def text_pdf(tmp_path_factory) -> Path:
    """Three pages, one known line each."""
    path = tmp_path_factory.mktemp("pdf") / "three_pages.pdf"
    return _save_pdf(path, [_text_image(t) for t in PAGE_TEXTS])


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory) -> Path:
    """320 small pages (300 x 200 pt, rendered 600 x 400 px)."""
    path = tmp_path_factory.mktemp("pdf") / "long.pdf"
    page = _text_image("page", size=(300, 200))
    page.save(path, save_all=True, append_images=[page] * 319, resolution=72.0)
    return path


# --- a loopback HTTP server ----------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):  # noqa: N802
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        kind = route[0]
        try:
            if kind == "body":
                _, content_type, body = route
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif kind == "stream":  # no Content-Length: the body ends when the socket closes
                _, content_type, body = route
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.end_headers()
                for i in range(0, len(body), 4096):
                    self.wfile.write(body[i:i + 4096])
                self.close_connection = True
            elif kind == "drip":  # one byte every 0.1 s, for at most 5 s
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                for _ in range(50):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
                self.close_connection = True
            elif kind == "redirect":
                self.send_response(302)
                self.send_header("Location", route[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size limit, timeout): expected


@pytest.fixture(scope="module")
def http_base(text_pdf):
    """http://127.0.0.1:<random port> serving a PDF, an image, HTML and redirects."""
    page = cv2.cvtColor(np.asarray(_text_image("Remote 123")), cv2.COLOR_RGB2BGR)
    png = _png_bytes(page)
    pdf = text_pdf.read_bytes()
    _Handler.routes = {
        "/doc.pdf": ("body", "application/pdf", pdf),
        "/download?id=7": ("body", "application/octet-stream", pdf),  # found by magic bytes
        "/img.png": ("body", "image/png", png),
        "/stream.png": ("stream", "image/png", png),
        "/page.html": ("body", "text/html", b"<html><body>hello</body></html>"),
        "/fake.pdf": ("body", "text/html", b"<html>error page</html>"),
        "/empty.png": ("body", "image/png", b""),
        "/drip.png": ("drip",),
        "/moved.png": ("redirect", "/img.png"),
        "/to-ftp.png": ("redirect", "ftp://127.0.0.1/img.png"),
    }
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", page, pdf
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """Loopback requests must never go through a proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


# --- PDFs ----------------------------------------------------------------------------------

def test_pdf_pages_are_ocred_one_result_per_page(text_pdf, ocr_reference_config):
    results = ocr_reference_config.predict(str(text_pdf))
    assert [r["page_index"] for r in results] == [0, 1, 2]
    assert [r["input_path"] for r in results] == [str(text_pdf)] * 3
    assert [_squash(r["rec_texts"]) for r in results] == [_squash([t]) for t in PAGE_TEXTS]


def test_pdf_renders_at_paddlex_scale_in_bgr(tmp_path):
    # A 300 x 200 pt page (72 dpi image) renders at scale 2.0 (144 dpi): 600 x 400 px, BGR.
    path = _save_pdf(tmp_path / "red.pdf", [Image.new("RGB", (300, 200), (255, 0, 0))], 72.0)
    (page,) = list(iter_inputs(path))  # a PathLike works too
    assert page.input_path == str(path) and page.page_index == 0
    assert page.image.shape == (400, 600, 3) and page.image.dtype == np.uint8
    assert page.image.flags["C_CONTIGUOUS"]
    b, g, r = page.image[200, 300].tolist()
    assert r > 240 and g < 15 and b < 15


def test_pdf_found_by_magic_bytes_without_suffix(text_pdf, tmp_path):
    renamed = tmp_path / "scan.bin"
    renamed.write_bytes(text_pdf.read_bytes())
    pages = list(iter_inputs(str(renamed)))
    assert [p.page_index for p in pages] == [0, 1, 2]


def test_bad_empty_and_missing_pdfs(tmp_path, text_pdf):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(InvalidArgumentError, match="not a readable PDF"):
        list(iter_inputs(str(bad)))
    no_suffix = tmp_path / "bad.dat"
    no_suffix.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(InvalidArgumentError, match="not a readable PDF"):
        list(iter_inputs(str(no_suffix)))
    png_named_pdf = tmp_path / "image.pdf"
    png_named_pdf.write_bytes(_png_bytes(np.zeros((10, 10, 3), np.uint8)))
    with pytest.raises(InvalidArgumentError, match="not a readable PDF"):
        list(iter_inputs(str(png_named_pdf)))
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(InvalidArgumentError, match="empty"):
        list(iter_inputs(str(empty)))
    with pytest.raises(FileNotFoundError):
        list(iter_inputs(str(tmp_path / "missing.pdf")))
    # A truncated PDF: pdfium may repair it or refuse it, but never crashes.
    cut = tmp_path / "cut.pdf"
    data = text_pdf.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    try:
        for page in iter_inputs(str(cut)):
            assert page.image.ndim == 3
    except InvalidArgumentError:
        pass


def test_oversized_pdf_page_is_scaled_down_or_refused(tmp_path, monkeypatch):
    path = _save_pdf(tmp_path / "p.pdf", [Image.new("RGB", (300, 200), "white")], 72.0)
    monkeypatch.setattr(image_io, "MAX_PIXELS", 60_000)  # 600 x 400 at scale 2 is 240,000
    (page,) = list(iter_inputs(str(path)))
    h, w = page.image.shape[:2]
    assert 50_000 < h * w <= 60_000
    monkeypatch.setattr(image_io, "MAX_PIXELS", 100)  # even scale 0.1 (30 x 20) is too big
    with pytest.raises(InvalidArgumentError, match="pixel limit"):
        list(iter_inputs(str(path)))


# --- mixed lists and directories -----------------------------------------------------------

def test_mixed_list_keeps_order_paths_and_page_indexes(tmp_path, ocr_reference_config):
    array = cv2.cvtColor(np.asarray(_text_image("Array 7")), cv2.COLOR_RGB2BGR)
    png = tmp_path / "line.png"
    _text_image("Path 8").save(png)
    pdf = _save_pdf(tmp_path / "two.pdf", [_text_image("Page one"), _text_image("Page two")])
    results = ocr_reference_config.predict([array, str(png), str(pdf)])
    assert [r["input_path"] for r in results] == [None, str(png), str(pdf), str(pdf)]
    assert [r["page_index"] for r in results] == [None, None, 0, 1]
    assert [_squash(r["rec_texts"]) for r in results] == ["Array7", "Path8", "Pageone",
                                                          "Pagetwo"]


def test_directory_is_images_only_and_warns_about_pdfs(tmp_path, text_pdf, caplog):
    for name in ("b.png", "a.jpg"):
        cv2.imwrite(str(tmp_path / name), np.full((20, 30, 3), 200, np.uint8))
    (tmp_path / "doc.pdf").write_bytes(text_pdf.read_bytes())
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "sub").mkdir()
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        items = list(iter_inputs(str(tmp_path)))
    assert [i.input_path for i in items] == [str(tmp_path / "a.jpg"), str(tmp_path / "b.png")]
    assert all(i.page_index is None for i in items)
    warned = caplog.text
    assert "doc.pdf" in warned and "PDFs in a directory" in warned and "notes.txt" in warned


def test_empty_list_and_unsupported_types():
    with pytest.raises(InvalidArgumentError, match="empty list"):
        list(iter_inputs([]))
    with pytest.raises(InvalidArgumentError, match="unsupported input type"):
        list(iter_inputs(42))
    with pytest.raises(InvalidArgumentError, match="unsupported input type"):
        list(iter_inputs([np.zeros((5, 5, 3), np.uint8), b"bytes"]))


# --- URLs ----------------------------------------------------------------------------------

def test_pdf_and_image_urls(http_base, text_pdf, ocr_reference_config):
    base, page, _ = http_base
    local = [p.image for p in iter_inputs(str(text_pdf))]
    for url in (f"{base}/doc.pdf", f"{base}/download?id=7"):
        remote = list(iter_inputs(url))
        assert [(p.input_path, p.page_index) for p in remote] == [(url, 0), (url, 1), (url, 2)]
        assert all(np.array_equal(a.image, b) for a, b in zip(remote, local))
    for name in ("img.png", "stream.png", "moved.png"):
        (item,) = list(iter_inputs(f"{base}/{name}"))
        assert item.input_path == f"{base}/{name}" and item.page_index is None
        assert np.array_equal(item.image, page)
    results = ocr_reference_config.predict([f"{base}/doc.pdf", f"{base}/img.png"])
    assert [(r["input_path"], r["page_index"]) for r in results] == [
        (f"{base}/doc.pdf", 0), (f"{base}/doc.pdf", 1), (f"{base}/doc.pdf", 2),
        (f"{base}/img.png", None)]
    assert _squash(results[1]["rec_texts"]) == _squash([PAGE_TEXTS[1]])
    assert _squash(results[3]["rec_texts"]) == "Remote123"


def test_bad_urls_raise_clear_errors(http_base):
    base, _, _ = http_base
    with pytest.raises(InputFetchError, match="HTTP 404") as err:
        list(iter_inputs(f"{base}/missing.png"))
    assert isinstance(err.value, OSError) and err.value.status == 404
    with pytest.raises(InvalidArgumentError, match="neither a readable image nor a PDF"):
        list(iter_inputs(f"{base}/page.html"))
    with pytest.raises(InvalidArgumentError, match="not a readable PDF"):
        list(iter_inputs(f"{base}/fake.pdf"))
    with pytest.raises(InvalidArgumentError, match="empty"):
        list(iter_inputs(f"{base}/empty.png"))
    for url in ("ftp://127.0.0.1/img.png", "file:///etc/hostname", "FTP://x/y.pdf"):
        with pytest.raises(InvalidArgumentError, match="unsupported URL scheme"):
            list(iter_inputs(url))
    with pytest.raises(InputFetchError, match="not an http"):
        list(iter_inputs(f"{base}/to-ftp.png"))
    # Nothing listens on a port we just closed: connection refused.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed_port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(InputFetchError, match="cannot download"):
        list(iter_inputs(f"http://127.0.0.1:{closed_port}/img.png"))


def test_download_size_limit(http_base, monkeypatch):
    base, _, _ = http_base
    monkeypatch.setattr(inputs, "MAX_DOWNLOAD_BYTES", 1000)
    # Refused from the Content-Length header, and while streaming a body without one.
    for name in ("img.png", "stream.png", "doc.pdf"):
        with pytest.raises(InvalidArgumentError, match="over the 1000 byte limit"):
            list(iter_inputs(f"{base}/{name}"))


def test_silent_server_times_out(monkeypatch):
    """A server that accepts the connection and never answers: FETCH_TIMEOUT, then an error."""
    monkeypatch.setattr(inputs, "FETCH_TIMEOUT", 1.0)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)  # the kernel completes the handshake; nobody ever reads or writes
    try:
        start = time.monotonic()
        with pytest.raises(InputFetchError, match="no answer within 1 s"):
            list(iter_inputs(f"http://127.0.0.1:{silent.getsockname()[1]}/img.png"))
        assert time.monotonic() - start < 10
    finally:
        silent.close()


def test_slow_download_hits_total_deadline(http_base, monkeypatch):
    base, _, _ = http_base
    monkeypatch.setattr(inputs, "FETCH_TOTAL_TIMEOUT", 0.5)
    start = time.monotonic()
    with pytest.raises(InputFetchError, match="not finished after"):
        list(iter_inputs(f"{base}/drip.png"))
    assert time.monotonic() - start < 4


# --- streaming -----------------------------------------------------------------------------

def test_iter_inputs_is_lazy(long_pdf, monkeypatch):
    rendered = []
    real = inputs._render_page

    def counting(doc, index, name):
        rendered.append(index)
        return real(doc, index, name)

    monkeypatch.setattr(inputs, "_render_page", counting)
    stream = iter_inputs([str(long_pdf), "ftp://never.fetched/x.png"])
    assert rendered == []  # nothing is read before the first item is asked for
    first = next(stream)
    assert (first.page_index, rendered) == (0, [0])
    second = next(stream)
    assert (second.page_index, rendered) == (1, [0, 1])
    stream.close()  # closes the document; the bad URL later in the list is never reached


def test_long_pdf_streams_in_bounded_memory(long_pdf):
    stream = iter_inputs(str(long_pdf))
    first = next(stream)
    assert first.image.shape == (400, 600, 3)
    del first
    baseline = peak = _rss_bytes()
    count = 1
    for item in stream:
        assert item.page_index == count
        count += 1
        if count % 20 == 0:
            peak = max(peak, _rss_bytes())
    peak = max(peak, _rss_bytes())
    assert count == 320
    # Holding every page would be 320 x 720 kB = 230 MB.
    assert peak - baseline < 50 * 1024 * 1024, f"RSS grew by {(peak - baseline) >> 20} MiB"


# --------------------------------------------------------------------------
# BGRA arrays are flattened onto a contrasting background
# --------------------------------------------------------------------------


def test_bgra_dark_content_is_flattened_onto_white():
    from ppocr_native.image_io import to_bgr
    rng = np.random.default_rng(7)
    bgra = rng.integers(0, 256, (61, 97, 4), dtype=np.uint8)
    bgra[:, :, :3] //= 3                      # dark content
    bgra[:30, :, 3] = 255                     # some opaque, some translucent rows
    out = to_bgr(bgra)
    assert out.dtype == np.uint8 and out.shape == (61, 97, 3) and out.flags.c_contiguous
    np.testing.assert_array_equal(out, alpha_blend(bgra, 255.0))


def test_bgra_light_content_is_flattened_onto_black():
    from ppocr_native.image_io import to_bgr
    rng = np.random.default_rng(8)
    bgra = rng.integers(0, 256, (40, 50, 4), dtype=np.uint8)
    bgra[:, :, :3] = 200 + bgra[:, :, :3] // 5  # white-ish text on a transparent page
    np.testing.assert_array_equal(to_bgr(bgra), alpha_blend(bgra, 0.0))


def test_bgra_every_alpha_and_value_pair():
    from ppocr_native.image_io import to_bgr
    a, v = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8), indexing="ij")
    bgra = np.stack([v, v, v, a], axis=-1)  # half the pixels opaque: mean value 127.5 -> black
    np.testing.assert_array_equal(to_bgr(bgra), alpha_blend(bgra, 0.0))
    bgra[:, :, :3] //= 2                    # darker content -> white
    np.testing.assert_array_equal(to_bgr(bgra), alpha_blend(bgra, 255.0))


def test_bgra_visible_mean_of_exactly_127_stays_on_white():
    """The switch to black is strict (> 127): a mean of exactly 127 must not tip over."""
    from ppocr_native.image_io import to_bgr
    bgra = np.zeros((10, 20, 4), np.uint8)
    bgra[:, :10] = (127, 127, 127, 255)     # visible, grey 127
    bgra[:, 10:] = (250, 250, 250, 0)       # invisible, light: must not count
    np.testing.assert_array_equal(to_bgr(bgra), alpha_blend(bgra, 255.0))
    bgra[0, 0, :3] = 128                    # mean now just above 127 -> black
    np.testing.assert_array_equal(to_bgr(bgra), alpha_blend(bgra, 0.0))


def test_bgra_views_and_opaque_images_flatten_like_their_copies():
    from ppocr_native.image_io import to_bgr
    rng = np.random.default_rng(9)
    bgra = rng.integers(0, 256, (33, 80, 4), dtype=np.uint8)
    view = bgra[:, ::2]                      # not contiguous
    np.testing.assert_array_equal(to_bgr(view), to_bgr(np.ascontiguousarray(view)))
    bgra[:, :, 3] = 255                      # opaque screenshot saved with alpha
    np.testing.assert_array_equal(to_bgr(bgra), bgra[:, :, :3])


@pytest.mark.parametrize("exif", [True, False])
def test_transparent_png_keeps_its_exif_orientation(tmp_path, exif):
    """Transparent PNGs are decoded with their alpha, which skips OpenCV's EXIF handling, so
    the orientation is applied here; PNGs without an eXIf chunk take a shortcut."""
    from PIL import Image
    from ppocr_native.image_io import load_image
    rgba = np.zeros((20, 50, 4), np.uint8)
    rgba[:, :, 3] = 255
    rgba[:5, :10, :3] = 200                  # a mark in the top-left corner
    rgba[10:, :, 3] = 60                     # and some transparency
    image = Image.fromarray(rgba, "RGBA")
    path = tmp_path / "page.png"
    if exif:
        tags = Image.Exif()
        tags[0x0112] = 6                     # rotate 90 degrees clockwise to display
        image.save(path, exif=tags.tobytes())
        assert b"eXIf" in path.read_bytes()
    else:
        image.save(path)
    out = load_image(str(path))
    assert out.shape == ((50, 20, 3) if exif else (20, 50, 3))
    # The mark ends up top-right after a clockwise turn.
    corner = out[:10, -5:] if exif else out[:5, :10]
    assert corner.min() >= 150
