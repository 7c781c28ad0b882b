"""precision='int8': NNCF quantises the detector and recogniser once, on pages drawn by the
package itself; the IRs are cached and really quantised; a missing NNCF is a clear error."""

from __future__ import annotations

import hashlib
import os
import random
import sys
import time

import numpy as np
import openvino as ov
import pytest

from ppocr_native import InvalidArgumentError, PaddleOCR, models
from ppocr_native.models import calibration, quantize
from ppocr_native.models.cache import _is_verified, _stamp_path, file_sha256

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


def test_text_lines_are_the_upright_pages_of_the_same_seed_with_their_text():
    """calibration.text_lines (the benchmarks' synthetic recognition set): deterministic, each
    crop holding the text recorded for it, Latin and CJK; and leaving a page upright draws
    the same page otherwise (the rotation's random draws are still made)."""
    dictionary = ["blank", "a", "中", "文", "字", " "]
    lines = list(calibration.text_lines(4, dictionary, seed=11))
    again = list(calibration.text_lines(4, dictionary, seed=11))
    assert [text for _, text in lines] == [text for _, text in again]
    for (crop, text), (crop_again, _) in zip(lines, again):
        np.testing.assert_array_equal(crop, crop_again)
        assert text.strip() and crop.std() > 5
    assert any(c in "中文字" for _, text in lines for c in text)
    assert any(c.isascii() and c.isalnum() for _, text in lines for c in text)

    fonts, cjk = calibration._Fonts(), calibration.cjk_characters(dictionary)
    tilted, upright = random.Random(5), random.Random(5)
    rotated = 0
    for _ in range(12):
        page, page_lines = calibration._page(tilted, cjk, fonts)
        straight, straight_lines = calibration._page(upright, cjk, fonts, upright=True)
        assert page_lines == straight_lines and page.shape == straight.shape
        rotated += not np.array_equal(page, straight)
    assert rotated >= 1  # some of these pages are tilted, and only those differ


def test_models_download_int8_builds_what_the_pipeline_loads(ocr_int8, capsys):
    """`ppocr models download --int8` (a service image's build step) makes exactly the IRs an
    int8 pipeline then loads; --int8 without a det or rec model is an error, not a no-op."""
    names = [ocr_int8.models[kind].name for kind in ("text_det", "text_rec")]
    assert models.main(["download", *names, "--int8"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if line.strip()]
    built = {row[0]: row[-1] for row in rows if row[2] == "int8"}
    assert built == {kind: ocr_int8.models[kind].model_path for kind in ("text_det", "text_rec")}
    assert models.main(["download", "PP-LCNet_x1_0_doc_ori", "--int8"]) == 1
    assert "--int8 quantises text_det and text_rec models" in capsys.readouterr().err


def test_unused_int8_entries_and_dead_scratch_folders_are_removed(tmp_path):
    day = 24 * 3600
    now = time.time()

    def entry(name, age_s, marker_age_s=None):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "inference.xml").write_text("<net/>")
        if marker_age_s is not None:
            (folder / "last-used").touch()
            os.utime(folder / "last-used", (now - marker_age_s,) * 2)
        os.utime(folder, (now - age_s,) * 2)
        return folder

    keep = entry("text_rec-keep", 90 * day)  # the one being loaded: never removed
    used = entry("text_det-used", 90 * day, marker_age_s=2 * day)  # old, but loaded lately
    unused = entry("text_det-unused", 90 * day, marker_age_s=40 * day)
    unmarked_new = entry("text_rec-new", 1 * day)  # built lately, no marker yet
    unmarked_old = entry("text_rec-old", 40 * day)
    building = entry(".text_det-abc-tmp", 3600)  # a build in progress elsewhere
    killed = entry(".text_det-def-tmp", 2 * day)
    quantize.drop_unused_entries(tmp_path, keep=keep)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (keep, used, unmarked_new, building))
    assert not unused.exists() and not unmarked_old.exists() and not killed.exists()


def test_file_sha256_trusts_only_an_up_to_date_stamp(tmp_path):
    """int8 start-up keys its cache on the source model's sha256: taken from the model
    cache's verification stamp while the file is unchanged, re-hashed once it changes."""
    model = tmp_path / "inference.onnx"
    model.write_bytes(b"weights" * 1000)
    real = file_sha256(model)  # no stamp: hashed
    assert _is_verified(model, real) and _stamp_path(model).is_file()
    stamp = _stamp_path(model).read_text().split()
    _stamp_path(model).write_text(" ".join(["f" * 64, *stamp[1:]]) + "\n")
    assert file_sha256(model) == "f" * 64  # read from the stamp, not hashed
    model.write_bytes(b"other" * 1000)  # changed: size and mtime no longer match
    assert file_sha256(model) == hashlib.sha256(b"other" * 1000).hexdigest()
