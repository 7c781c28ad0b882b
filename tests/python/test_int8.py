"""precision='int8': NNCF quantises the detector and recogniser once, on pages drawn by the
package itself; the IRs are cached and really quantised; a missing NNCF is a clear error."""

from __future__ import annotations

import sys

import numpy as np
import openvino as ov
import pytest

from ppocr_native import InvalidArgumentError, PaddleOCR
from ppocr_native.models import calibration

from conftest import REFERENCE_KWARGS

pytest.importorskip("nncf", reason="the [int8] extra is part of the test install (make install)")


@pytest.fixture(scope="module")
def ocr_int8():
    return PaddleOCR(**REFERENCE_KWARGS, precision="int8")


def _fake_quantize_count(xml_path: str) -> int:
    model = ov.Core().read_model(xml_path)
    return sum(op.get_type_name() == "FakeQuantize" for op in model.get_ordered_ops())


def test_int8_models_are_quantised_cached_and_reused(ocr_int8):
    paths = {kind: ocr_int8.models[kind].model_path for kind in ("text_det", "text_rec")}
    for kind, path in paths.items():
        assert "/int8/" in path.replace("\\", "/") and path.endswith("inference.xml"), path
        assert _fake_quantize_count(path) > 20, kind  # int8 through most of the network
    # The recogniser keeps its dictionary; a second pipeline finds the cache, quantises nothing.
    assert ocr_int8.models["text_rec"].character_dict[0] == "blank"
    again = PaddleOCR(**REFERENCE_KWARGS, precision="int8")
    assert {kind: again.models[kind].model_path for kind in paths} == paths


def test_int8_reads_clean_text_like_fp32(ocr_int8, ocr_reference_config, data_dir):
    line = str(data_dir / "mmocr_rec_toy" / "imgs" / "1036169.jpg")
    assert ocr_int8.predict(line)[0]["rec_texts"] == ["03/09/2009"]
    # A printed page: int8 moves some box edges and characters (README "Precision"), but most
    # lines must still read exactly as fp32 reads them.
    page = str(data_dir / "paddleocr_tests" / "table.jpg")
    fp32 = ocr_reference_config.predict(page)[0]["rec_texts"]
    int8 = ocr_int8.predict(page)[0]["rec_texts"]
    same = sum(min(fp32.count(t), int8.count(t)) for t in set(fp32))
    assert len(fp32) >= 10 and same >= 0.6 * len(fp32), (fp32, int8)


def test_int8_without_nncf_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "nncf", None)  # import nncf -> ImportError
    with pytest.raises(InvalidArgumentError, match=r"pip install 'ppocr-native\[int8\]'"):
        PaddleOCR(**REFERENCE_KWARGS, precision="int8")


def test_calibration_pages_are_seeded_text_pages():
    dictionary = ["blank", "a", "中", "文", "字", " "]
    first = list(calibration.pages(3, dictionary))
    second = list(calibration.pages(3, dictionary))
    for (page, boxes), (again, again_boxes) in zip(first, second):
        assert page.dtype == np.uint8 and page.ndim == 3 and page.shape[2] == 3
        np.testing.assert_array_equal(page, again)
        assert boxes == again_boxes
        for x0, y0, x1, y1 in boxes:  # every box holds drawn text, not background
            assert 0 <= x0 < x1 <= page.shape[1] and 0 <= y0 < y1 <= page.shape[0]
            assert page[y0:y1, x0:x1].std() > 5
    assert sum(len(boxes) for _, boxes in first) >= 5
