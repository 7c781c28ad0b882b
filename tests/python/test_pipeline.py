"""End to end: the real models on real images, with the optional modules on."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from conftest import REFERENCE_KWARGS, THREADS


def _labels(data_dir):
    rows = {}
    for line in (data_dir / "rapidocr_tests" / "labels.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, kind, expected, _ = line.split("\t")
        rows[name] = expected
    return rows


@pytest.mark.parametrize("name, first_text", [
    ("ch_en_num.jpg", "正品促销"),
    ("img_exif_orientation.jpg", "我是中国人"),
    ("issue_170.png", "TEST"),
    ("test_without_det.jpg", "在中国作家协会第三届儿童文学"),
    ("black_font_color_transparent.png", "我是中国人"),
])
def test_rapidocr_first_lines(data_dir, ocr_default, name, first_text):
    # The expectations are RapidOCR's asserts (labels.tsv); check they are still there.
    assert first_text in _labels(data_dir)[name]
    res = ocr_default.predict(str(data_dir / "rapidocr_tests" / name))[0]
    assert res["rec_texts"], f"{name}: nothing read"
    assert res["rec_texts"][0] == first_text


def test_white_text_on_transparent_background_is_read(data_dir, ocr_default):
    # PaddleOCR returns nothing here (alpha dropped): a deliberate difference.
    res = ocr_default.predict(str(data_dir / "rapidocr_tests" / "white_font_color_transparent.png"))[0]
    assert "".join(res["rec_texts"]).startswith("我是中国")


def test_upside_down_text_line(data_dir, ocr_default):
    res = ocr_default.predict(str(data_dir / "rapidocr_tests" / "text_cls.jpg"))[0]
    assert res["rec_texts"] == ["怪我咯"]


def test_empty_black_image_gives_empty_result(data_dir, ocr_default):
    res = ocr_default.predict(str(data_dir / "rapidocr_tests" / "empty_black.jpg"))[0]
    assert res["rec_texts"] == [] and res["dt_polys"].shape == (0, 4, 2)


def _similar(a: list, b: list) -> float:
    """Fraction of b's lines that appear verbatim in a."""
    return sum(text in a for text in b) / max(1, len(b))


def test_book_rotated_180_reads_like_upright_book(data_dir, reference, ocr_default):
    upright = reference["paddleocr_tests/book.jpg"]["rec_texts"]
    res = ocr_default.predict(str(data_dir / "paddleocr_tests" / "book_rot180.jpg"))[0]
    assert res["doc_preprocessor_res"]["angle"] == 180
    assert _similar(res["rec_texts"], upright) >= 0.6


@pytest.fixture(scope="module")
def book(data_dir, ocr_default):
    """book.jpg as read from disk, and the default pipeline's result on it (read once)."""
    page = cv2.imread(str(data_dir / "paddleocr_tests" / "book.jpg"))
    return page, ocr_default.predict(page)[0]


@pytest.fixture(scope="module")
def turned_book(book, ocr_default):
    """rotation -> (book.jpg turned by it, the default pipeline's result), each run once."""
    results = {}

    def get(rotation):
        if rotation not in results:
            rotated = cv2.rotate(book[0], rotation)
            results[rotation] = rotated, ocr_default.predict(rotated)[0]
        return results[rotation]
    return get


@pytest.mark.parametrize("rotation, angle", [
    # PaddleOCR's angle is how far the content was turned clockwise.
    (cv2.ROTATE_90_CLOCKWISE, 90),
    (cv2.ROTATE_180, 180),
    (cv2.ROTATE_90_COUNTERCLOCKWISE, 270),
])
def test_rotated_page_is_turned_upright(book, turned_book, reference, rotation, angle):
    page, straight = book
    upright = reference["paddleocr_tests/book.jpg"]["rec_texts"]
    rotated, res = turned_book(rotation)
    assert res["doc_preprocessor_res"]["angle"] == angle
    assert _similar(res["rec_texts"], upright) >= 0.6
    # A quarter turn loses no pixel, so turned back upright the page must read exactly as
    # the upright page does through the same pipeline.
    assert res["rec_texts"] == straight["rec_texts"]
    # The page turned upright has the upright page's size, and the boxes mapped back land
    # inside the rotated input (where exactly: the next test).
    assert res["doc_preprocessor_res"]["output_img"].shape[:2] == page.shape[:2]
    on_input = res["rec_polys_on_input"]
    rotated_h, rotated_w = rotated.shape[:2]
    assert on_input[..., 0].max() <= rotated_w + 1 and on_input[..., 1].max() <= rotated_h + 1


def test_polys_on_input_follow_the_rotation(book, turned_book):
    page, straight = book
    turned = turned_book(cv2.ROTATE_90_CLOCKWISE)[1]
    h = page.shape[0]
    # A point (x, y) of the upright page sits at (h - y, x) after a clockwise turn.
    expected = {t: np.stack([h - p[:, 1], p[:, 0]], axis=1)
                for t, p in zip(straight["rec_texts"], straight["rec_polys"].astype(float))}
    compared = 0
    for text, poly in zip(turned["rec_texts"], turned["rec_polys_on_input"]):
        if text in expected and len(text) > 8:
            ref = expected[text]
            # same corners as a set (corner order restarts at the new top-left)
            d = max(np.abs(ref - c).sum(axis=1).min() for c in poly)
            assert d <= 6, (text, poly, ref)
            compared += 1
    assert compared >= 5


def test_text_line_rotated_180(data_dir, reference, ocr_default):
    line = cv2.imread(str(data_dir / "paddleocr_tests" / "textline.png"))
    expected = reference["paddleocr_tests/textline.png"]["rec_texts"]
    res = ocr_default.predict(cv2.rotate(line, cv2.ROTATE_180))[0]
    assert res["rec_texts"] == expected
    # textline_rot180.jpg is a different photo (an upside-down street sign), not textline.png
    # turned: it must come out as the sign's text.
    res = ocr_default.predict(str(data_dir / "paddleocr_tests" / "textline_rot180.jpg"))[0]
    assert res["rec_texts"][0].startswith("ZHOUZHUJIANG")


def test_unwarping_on_still_reads_a_page(data_dir, reference):
    from ppocr_native import PaddleOCR

    ocr = PaddleOCR(use_doc_unwarping=True, cpu_threads=THREADS)
    res = ocr.predict(str(data_dir / "paddleocr_tests" / "book.jpg"))[0]
    assert res["doc_preprocessor_res"]["model_settings"]["use_doc_unwarping"] is True
    page = res["doc_preprocessor_res"]["output_img"]
    assert page.shape == cv2.imread(str(data_dir / "paddleocr_tests" / "book.jpg")).shape
    upright = reference["paddleocr_tests/book.jpg"]["rec_texts"]
    assert _similar(res["rec_texts"], upright) >= 0.5
    # Boxes mapped through the grid stay on the input image.
    h, w = page.shape[:2]
    polys = res["rec_polys_on_input"]
    assert polys.shape[0] == len(res["rec_texts"])
    assert (polys[..., 0] >= -1).all() and (polys[..., 0] <= w + 1).all()


def test_per_call_overrides_do_not_leak(data_dir, ocr_default):
    path = str(data_dir / "paddleocr_tests" / "book.jpg")
    before = ocr_default.predict(path)[0]
    strict = ocr_default.predict(path, text_rec_score_thresh=0.99, use_doc_orientation_classify=False,
                                 text_det_box_thresh=0.9)[0]
    after = ocr_default.predict(path)[0]
    assert len(strict["rec_texts"]) < len(before["rec_texts"])
    assert all(s >= 0.99 for s in strict["rec_scores"])
    assert strict["model_settings"]["use_doc_preprocessor"] is False
    assert strict["text_det_params"]["box_thresh"] == 0.9
    assert after["rec_texts"] == before["rec_texts"]
    assert after["text_det_params"]["box_thresh"] == 0.6


def test_default_models_are_pp_ocrv6_small(ocr_default):
    models = ocr_default.models
    assert models["text_det"].name == "PP-OCRv6_small_det"
    assert models["text_rec"].name == "PP-OCRv6_small_rec"
    assert "doc_unwarping" not in models  # off by default: not loaded


def test_batch_input_list_and_directory(data_dir, ocr_reference_config, tmp_path):
    src = data_dir / "mmocr_rec_toy" / "imgs"
    names = sorted(p.name for p in src.iterdir())[:3]
    for n in names:
        (tmp_path / n).write_bytes((src / n).read_bytes())
    (tmp_path / "notes.txt").write_text("not an image")
    from_dir = ocr_reference_config.predict(str(tmp_path))
    from_list = ocr_reference_config.predict([str(tmp_path / n) for n in names])
    assert [r["input_path"] for r in from_dir] == [str(tmp_path / n) for n in names]
    assert [r["rec_texts"] for r in from_dir] == [r["rec_texts"] for r in from_list]
