"""The text-line orientation stage reads each model family's own input.

PaddleX's PP-LCNet textline models take the line stretched to 80 x 160 (ImageNet mean/std);
PaddleOCR 2.x's ch_ppocr_mobile_v2.0_cls takes it resized to height 48 with its aspect ratio
kept (at most 192 wide, zero-padded), scaled to [-1, 1], and PaddleOCR 2.x turns a line only
when the 180-degree class scores above 0.9. Fed the PP-LCNet input, the 2.x classifier turned
18 of the 33 upright lines of book.jpg upside down (silently wrong texts).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import onnxruntime
import pytest

from conftest import REFERENCE_KWARGS
from ppocr_native import PaddleOCR, _core
from ppocr_native.config import textline_input
from ppocr_native.models import resolve_model

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
from reference_python.crop import get_minarea_rect_crop  # noqa: E402

V2_CLASSIFIER = "ch_ppocr_mobile_v2.0_cls"
PAGES = ("paddleocr_tests/book.jpg", "paddleocr_tests/book_rot180.jpg",
         "paddleocr_tests/textline_rot180.jpg", "rapidocr_tests/text_cls.jpg")


def paddleocr2_classifier_input(line: np.ndarray) -> np.ndarray:
    """PaddleOCR 2.x's ClsResizeImg + normalisation, written from its description."""
    h, w = line.shape[:2]
    width = 192 if math.ceil(48 * (w / float(h))) > 192 else int(math.ceil(48 * (w / float(h))))
    resized = cv2.resize(line, (width, 48)).astype("float32").transpose(2, 0, 1) / 255
    resized -= 0.5
    resized /= 0.5
    out = np.zeros((3, 48, 192), np.float32)
    out[:, :, :width] = resized
    return out


@pytest.fixture(scope="module")
def v2_pipeline():
    kwargs = dict(REFERENCE_KWARGS, use_textline_orientation=True,
                  textline_orientation_model_name=V2_CLASSIFIER)
    return PaddleOCR(**kwargs)


@pytest.mark.parametrize("page", PAGES)
def test_paddleocr2_classifier_turns_the_lines_paddleocr_2_would(v2_pipeline, data_dir, page):
    path = data_dir / page
    result = v2_pipeline.predict(str(path))[0]
    image = cv2.imread(str(path))
    session = onnxruntime.InferenceSession(resolve_model("textline_orientation", V2_CLASSIFIER).model_path,
                                           providers=["CPUExecutionProvider"])
    expected = []
    for poly in result["dt_polys"]:
        line = get_minarea_rect_crop(image, poly)   # the crop of PaddleOCR 3.x quad boxes
        probs = session.run(None, {session.get_inputs()[0].name: paddleocr2_classifier_input(line)[None]})[0][0]
        expected.append(1 if probs.argmax() == 1 and probs[1] > 0.9 else 0)
    assert list(result["textline_orientation_angles"]) == expected
    if page == "paddleocr_tests/book.jpg":   # upright: only the lines the model is sure of
        assert sum(expected) <= 2


def test_upside_down_page_is_read_with_the_paddleocr2_classifier(v2_pipeline, data_dir):
    upright = PaddleOCR(**REFERENCE_KWARGS).predict(str(data_dir / "paddleocr_tests/book.jpg"))[0]
    turned = v2_pipeline.predict(str(data_dir / "paddleocr_tests/book_rot180.jpg"))[0]
    # Measured: 18 of 32 lines turned, 11 of the upright page's 33 texts read back (none
    # without the classifier; 7 with PP-LCNet, trained for single lines, not whole pages).
    assert sum(turned["textline_orientation_angles"]) >= 0.5 * len(turned["rec_texts"])
    read = set(upright["rec_texts"]) & set(turned["rec_texts"])
    assert len(read) >= 0.25 * len(upright["rec_texts"])


def test_the_input_follows_the_model_family(tmp_path):
    lcnet = resolve_model("textline_orientation", "PP-LCNet_x1_0_textline_ori")
    v2 = resolve_model("textline_orientation", V2_CLASSIFIER)
    assert textline_input(lcnet, _core) == _core.TextlineInput.stretched
    assert textline_input(v2, _core) == _core.TextlineInput.aspect_padded
    # A user's OpenVINO IR under another name: the 48 x 192 input it declares decides.
    ir = tmp_path / "inference.xml"
    ir.write_text('<net><layers><layer id="0" name="x" type="Parameter" version="opset1">'
                  '<data shape="?,3,48,192" element_type="f32"/></layer></layers></net>')
    assert textline_input(SimpleNamespace(name="my_cls", model_path=str(ir)), _core) == \
        _core.TextlineInput.aspect_padded
    ir.write_text(ir.read_text().replace("48,192", "80,160"))
    assert textline_input(SimpleNamespace(name="my_cls", model_path=str(ir)), _core) == \
        _core.TextlineInput.stretched
