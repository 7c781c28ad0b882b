"""OCRResult's PaddleOCR helpers: print / save_to_json / save_to_img / json / img.

Naming, JSON layout and the images follow PaddleX 3.7.2 (what PaddleOCR 3.7 returns); the
saved JSON is checked key for key and type for type against the official PaddleOCR's.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from ppocr_native import OCRResult
from ppocr_native import result as result_mod

BOOK = "paddleocr_tests/book.jpg"
CJK = "rapidocr_tests/ch_en_num.jpg"      # 16 of its 17 lines are Chinese
EMPTY = "rapidocr_tests/empty_black.jpg"  # nothing detected
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def book(ocr_reference_config, data_dir):
    """The reference configuration: no preprocessing."""
    return ocr_reference_config.predict(str(data_dir / BOOK))[0]


@pytest.fixture(scope="module")
def cjk(ocr_default, data_dir):
    """The default configuration: document orientation on, so preprocessing ran."""
    return ocr_default.predict(str(data_dir / CJK))[0]


@pytest.fixture(scope="module")
def from_array(ocr_reference_config, data_dir):
    """A result of an array input (input_path None) and the array."""
    image = cv2.imread(str(data_dir / "rapidocr_tests/text_rec.jpg"))
    return ocr_reference_config.predict(image)[0], image


@pytest.fixture
def no_font(monkeypatch, tmp_path):
    """No font anywhere: PPOCR_FONT_PATH names a missing file, the search list is empty."""
    monkeypatch.setenv(result_mod.FONT_ENV, str(tmp_path / "missing.ttf"))
    monkeypatch.setattr(result_mod, "FONT_CANDIDATES", [str(tmp_path / "nope.ttc")])
    monkeypatch.setattr(result_mod, "_warned", set())


def _types(value):
    """A value's JSON type tree (lists by their first element), for schema comparison."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(value[0])] if value else []
    return type(value).__name__


# -- file naming ------------------------------------------------------------------------------

def test_save_to_json_directory_and_file_paths(book, tmp_path):
    path = book.save_to_json(str(tmp_path / "out"))
    assert path == tmp_path / "out" / "book_res.json" and path.is_file()
    # A path is a file only when it names a JSON file; a dotted directory is still a directory.
    assert book.save_to_json(tmp_path / "a" / "mine.json") == tmp_path / "a" / "mine.json"
    assert (tmp_path / "a" / "mine.json").is_file()
    assert book.save_to_json(tmp_path / "out.d") == tmp_path / "out.d" / "book_res.json"
    assert json.loads(path.read_text(encoding="utf-8")) == book.json["res"]


def test_save_to_img_directory_and_file_paths(book, cjk, tmp_path, caplog):
    page_h, page_w = cv2.imread(book["input_path"]).shape[:2]
    path = book.save_to_img(str(tmp_path / "out"))
    assert path == tmp_path / "out" / "book_ocr_res_img.jpg"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["book_ocr_res_img.jpg"]
    assert cv2.imread(str(path)).shape == (page_h, 2 * page_w, 3)

    # Preprocessing ran: both images, each named after its key.
    cjk.save_to_img(tmp_path / "pre")
    names = sorted(p.name for p in (tmp_path / "pre").iterdir())
    assert names == ["ch_en_num_ocr_res_img.jpg", "ch_en_num_preprocessed_img.jpg"]
    for name in names:
        assert cv2.imread(str(tmp_path / "pre" / name)) is not None

    # An image file path gets the OCR image only, and says so.
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        assert cjk.save_to_img(tmp_path / "one" / "vis.png") == tmp_path / "one" / "vis.png"
    assert "only ocr_res_img" in caplog.text
    assert Image.open(tmp_path / "one" / "vis.png").format == "PNG"
    assert Image.open(tmp_path / "one" / "vis.png").size == cjk.img["ocr_res_img"].size
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["vis.png"]


def test_page_index_and_array_naming(from_array, tmp_path):
    res, image = from_array
    assert res["input_path"] is None and res["page_index"] is None
    page = OCRResult({**res, "input_path": "/somewhere/doc.pdf", "page_index": 2}, image)
    assert page.save_to_json(tmp_path).name == "doc_2_res.json"
    assert page.save_to_img(tmp_path).name == "doc_2_ocr_res_img.png"  # .pdf is no image type
    assert json.loads((tmp_path / "doc_2_res.json").read_text())["page_index"] == 2
    span = OCRResult({**res, "input_path": "scan.tiff", "page_index": [0, 3]}, image)
    assert span.save_to_json(tmp_path).name == "scan_0-3_res.json"
    assert span.save_to_img(tmp_path).name == "scan_0-3_ocr_res_img.tiff"
    # No input path: <unix time>_<4 digits>, the same stem for every file of one result.
    json_name = res.save_to_json(tmp_path / "arr").name
    img_name = res.save_to_img(tmp_path / "arr").name
    assert re.fullmatch(r"\d{10}_\d{4}_res\.json", json_name)
    assert img_name == json_name[:-len("_res.json")] + "_ocr_res_img.png"


# -- JSON -------------------------------------------------------------------------------------

def test_saved_json_matches_reference_key_for_key(book, reference, tmp_path):
    ref = reference[BOOK]
    saved = json.loads(book.save_to_json(tmp_path / "x.json").read_text(encoding="utf-8"))
    assert list(saved) == list(ref)
    for key in ("model_settings", "text_det_params"):
        assert list(saved[key]) == list(ref[key])
    assert _types(saved) == _types(ref)
    assert saved["input_path"].endswith(BOOK)
    assert saved == book.json["res"]


def test_empty_result_matches_reference_keys(ocr_reference_config, data_dir, reference, tmp_path):
    res = ocr_reference_config.predict(str(data_dir / EMPTY))[0]
    saved = json.loads(res.save_to_json(tmp_path).read_text(encoding="utf-8"))
    ref = reference[EMPTY]
    assert list(saved) == list(ref)  # PaddleX leaves textline_orientation_angles out
    assert {k: saved[k] for k in ("dt_polys", "rec_texts", "rec_polys", "rec_boxes")} == \
        {k: ref[k] for k in ("dt_polys", "rec_texts", "rec_polys", "rec_boxes")}


def test_extras_are_items_but_not_json(book):
    assert len(book["dt_scores"]) == len(book["dt_polys"])
    assert len(book["rec_polys_on_input"]) == len(book["rec_polys"])
    assert "dt_scores" not in book.json["res"]
    assert "rec_polys_on_input" not in book.json["res"]


def test_doc_preprocessor_res_json(cjk, tmp_path):
    out = cjk.json["res"]
    assert list(out)[:5] == ["input_path", "page_index", "model_settings",
                             "doc_preprocessor_res", "dt_polys"]
    pre = out["doc_preprocessor_res"]
    assert list(pre) == ["input_path", "page_index", "model_settings", "angle"]
    assert pre["input_path"] is None and pre["page_index"] is None
    assert pre["model_settings"] == {"use_doc_orientation_classify": True,
                                     "use_doc_unwarping": False}
    assert type(pre["angle"]) is int and pre["angle"] in (0, 90, 180, 270)
    # doc_preprocessor_res is itself a result, as in PaddleX; its image stays out of JSON.
    sub = cjk["doc_preprocessor_res"]
    assert sub.json == {"res": pre} and "output_img" in sub
    assert set(sub.img) == {"preprocessed_img"}
    saved = json.loads(cjk.save_to_json(tmp_path).read_text(encoding="utf-8"))
    assert saved == out and json.dumps(saved)


def test_print_is_the_json(book, capsys):
    book.print()
    out = capsys.readouterr().out
    assert json.loads(out) == book.json
    assert "\n    \"res\"" in out and "站" in out  # indent 4, non-ASCII kept
    book.print(format_json=True, indent=2, ensure_ascii=True)
    out = capsys.readouterr().out
    assert json.loads(out) == book.json and out.isascii() and "\n  \"res\"" in out
    book.print(json_format=True)  # PaddleX's own keyword
    assert json.loads(capsys.readouterr().out) == book.json
    book.print(format_json=False)
    assert capsys.readouterr().out.startswith("{'res': {'input_path':")


# -- images -----------------------------------------------------------------------------------

def test_img_keys_and_side_by_side_layout(book, cjk):
    images = book.img
    assert set(images) == {"ocr_res_img"}
    page = cv2.imread(book["input_path"])
    h, w = page.shape[:2]
    vis = np.asarray(images["ocr_res_img"])
    assert images["ocr_res_img"].mode == "RGB" and vis.shape == (h, 2 * w, 3)
    # Left: the page, untouched outside the boxes; right: a white page outside the boxes.
    outside = np.ones((h, w), bool)
    for x0, y0, x1, y1 in book["rec_boxes"]:
        outside[max(y0 - 2, 0):y1 + 3, max(x0 - 2, 0):x1 + 3] = False
    rgb = cv2.cvtColor(page, cv2.COLOR_BGR2RGB)
    assert np.array_equal(vis[:, :w][outside], rgb[outside])
    assert (vis[:, w:][outside] == 255).all()
    # Inside a box the left half is the page blended with the box's colour.
    x0, y0, x1, y1 = book["rec_boxes"][2]
    assert not np.array_equal(vis[y0 + 2:y1 - 2, x0 + 2:x1 - 2], rgb[y0 + 2:y1 - 2, x0 + 2:x1 - 2])
    assert np.array_equal(np.asarray(book.img["ocr_res_img"]), vis)  # deterministic

    images = cjk.img
    assert set(images) == {"ocr_res_img", "preprocessed_img"}
    out_img = cjk["doc_preprocessor_res"]["output_img"]
    ph, pw = out_img.shape[:2]
    assert images["ocr_res_img"].size == (2 * pw, ph)
    src_h, src_w = cv2.imread(cjk["input_path"]).shape[:2]
    # input | rotated | unwarped, captions below.
    assert images["preprocessed_img"].size == (src_w + 2 * pw, max(src_h, ph) + 25)


def test_cjk_text_is_rendered(cjk):
    assert Path(WQY).is_file(), "fonts-wqy-microhei is part of the set-up (make deps)"
    assert result_mod.find_font() is not None
    vis = np.asarray(cjk.img["ocr_res_img"])
    w = vis.shape[1] // 2
    right = vis[:, w:].min(axis=2)
    checked = 0
    for text, (x0, y0, x1, y1) in zip(cjk["rec_texts"], cjk["rec_boxes"]):
        if not CJK_RE.search(text) or (x1 - x0) * (y1 - y0) < 200:
            continue
        inside = right[y0 + 2:y1 - 1, x0 + 2:x1 - 1]
        assert (inside < 100).mean() > 0.05, f"no ink for {text!r}"
        checked += 1
    assert checked >= 8
    # Real glyphs, not one 'missing glyph' box for every character.
    font = result_mod.find_font()
    a, b = (result_mod._text_patch(c, 40, 40, font) for c in "中国")
    assert (a < 128).sum() > 20 and not np.array_equal(a, b)


def test_font_fallback_without_any_font(no_font, book, caplog, tmp_path):
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        assert result_mod.find_font() is None
        assert result_mod.find_font() is None
        vis = book.img["ocr_res_img"]
    assert caplog.text.count("no CJK font found") == 1  # once per process
    assert caplog.text.count("missing.ttf") == 1
    h, w = cv2.imread(book["input_path"]).shape[:2]
    assert vis.size == (2 * w, h)
    right = np.asarray(vis)[:, w:].min(axis=2)
    x0, y0, x1, y1 = book["rec_boxes"][2]  # a long English line, still drawn
    assert (right[y0 + 2:y1 - 1, x0 + 2:x1 - 1] < 100).mean() > 0.02
    assert cv2.imread(str(book.save_to_img(tmp_path))) is not None


def test_font_env_var_wins(monkeypatch):
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    font = dejavu if Path(dejavu).is_file() else WQY
    monkeypatch.setenv(result_mod.FONT_ENV, font)
    assert result_mod.find_font() == font


def test_vertical_and_rotated_boxes():
    font = result_mod.find_font()
    patch = result_mod._text_patch("竖排文字", 30, 160, font)  # tall: one char under another
    rows = np.flatnonzero((patch < 128).any(axis=1))
    assert rows.size and rows[-1] - rows[0] > 0.6 * 160
    page = np.full((300, 300, 3), 200, np.uint8)
    quad = np.array([[60, 140], [200, 60], [220, 95], [80, 175]])  # turned ~30 degrees
    vis = result_mod.draw_ocr_side_by_side(page, [quad], ["rotated text"])
    assert vis.shape == (300, 600, 3)
    mask = np.zeros((300, 300), np.uint8)
    cv2.fillPoly(mask, [quad.astype(np.int32)], 1)
    ink = vis[:, 300:].min(axis=2) < 100
    assert ink[mask.astype(bool)].sum() > 50


def test_drawing_an_a4_page_stays_cheap():
    """An A4 page at 300 dpi with 100 lines draws in well under 3 s of CPU time.

    A guard against pathological slowness (e.g. a font loaded per line made this take tens
    of seconds), not a speed target: CPU time of this process, not wall time, so a busy
    machine does not fail it; typical is ~0.3 s.
    """
    page = np.full((3508, 2480, 3), 235, np.uint8)
    polys, texts = [], []
    for i in range(100):
        x, y = 150 + (i % 3) * 40, 60 + i * 34
        polys.append([[x, y], [x + 1500, y], [x + 1500, y + 30], [x, y + 30]])
        texts.append(f"第{i}行 The quick brown fox jumps over the lazy dog, 中文与English混排")
    res = OCRResult({"input_path": "a4.png", "page_index": None,
                     "model_settings": {"use_doc_preprocessor": False,
                                        "use_textline_orientation": False},
                     "rec_polys": np.array(polys, np.int16), "rec_texts": texts}, page)
    start = time.process_time()
    image = res.img["ocr_res_img"]
    cpu = time.process_time() - start
    assert image.size == (2 * 2480, 3508)
    assert cpu < 3.0, f"drawing took {cpu:.2f} s of CPU"


def test_scripts_that_need_shaping_still_draw():
    assert result_mod._needs_shaping("مرحبا") and not result_mod._needs_shaping("中文 abc")
    dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # has Arabic glyphs
    font = dejavu if Path(dejavu).is_file() else result_mod.find_font()
    patch = result_mod._text_patch("مرحبا بالعالم", 200, 30, font)
    assert (patch < 128).sum() > 50
