"""Parity with the official PaddleOCR 3.7 on the same weights and parameters.

The reference JSONs in shared/data/reference were produced by PaddleOCR itself; with the
same PP-OCRv5 mobile weights, the same detection parameters and the optional modules off,
our texts and boxes should be the same. The figure is printed (run with -s to see it).
"""

from __future__ import annotations

import numpy as np
import pytest

BOX_TOLERANCE_PX = 3
MIN_IDENTICAL = 0.95

# Deliberate differences, excluded from the parity figure and checked in test_pipeline.py:
# PaddleOCR drops the alpha channel, so text on a transparent background is lost (it
# returns 0 lines); we flatten transparent images onto a contrasting background and read it.
DELIBERATE = {
    "rapidocr_tests/black_font_color_transparent.png",
    "rapidocr_tests/white_font_color_transparent.png",
}


def _match(ref_polys: np.ndarray, our_polys: np.ndarray) -> list:
    """For each reference box, the index of our box with the closest corners (or None)."""
    matches = []
    for ref in ref_polys:
        if len(our_polys) == 0:
            matches.append(None)
            continue
        dist = np.abs(our_polys.astype(int) - ref.astype(int)).max(axis=(1, 2))
        best = int(dist.argmin())
        matches.append(best if dist[best] <= BOX_TOLERANCE_PX else None)
    return matches


@pytest.fixture(scope="module")
def parity(data_dir, reference, ocr_reference_config):
    total = identical = matched_boxes = 0
    extra_lines = 0
    mismatches = []
    for rel, ref in reference.items():
        if rel in DELIBERATE:
            continue
        res = ocr_reference_config.predict(str(data_dir / rel))[0]
        ref_polys = np.asarray(ref["rec_polys"], dtype=int).reshape(-1, 4, 2)
        our_polys = np.asarray(res["rec_polys"]).reshape(-1, 4, 2)
        matches = _match(ref_polys, our_polys)
        for i, j in enumerate(matches):
            total += 1
            if j is None:
                mismatches.append((rel, ref["rec_texts"][i], None))
                continue
            matched_boxes += 1
            if res["rec_texts"][j] == ref["rec_texts"][i]:
                identical += 1
            else:
                mismatches.append((rel, ref["rec_texts"][i], res["rec_texts"][j]))
        extra_lines += max(0, len(our_polys) - sum(m is not None for m in matches))
    return dict(total=total, identical=identical, matched_boxes=matched_boxes,
                extra_lines=extra_lines, mismatches=mismatches)


def test_parity_figure(parity):
    rate = parity["identical"] / parity["total"]
    print(f"\nPARITY: {parity['identical']}/{parity['total']} reference lines identical "
          f"({100 * rate:.2f}%), {parity['matched_boxes']} boxes within {BOX_TOLERANCE_PX} px, "
          f"{parity['extra_lines']} extra lines")
    for rel, ref_text, ours in parity["mismatches"][:20]:
        print(f"  {rel}: reference {ref_text!r} ours {ours!r}")
    assert parity["total"] > 400, "the reference set shrank: check shared/data"
    assert rate >= MIN_IDENTICAL


def test_boxes_match_reference(parity):
    assert parity["matched_boxes"] / parity["total"] >= MIN_IDENTICAL
    assert parity["extra_lines"] <= 0.02 * parity["total"]


def test_result_fields_match_reference_schema(data_dir, reference, ocr_reference_config):
    rel = "paddleocr_tests/book.jpg"
    ours = ocr_reference_config.predict(str(data_dir / rel))[0].json["res"]
    ref = reference[rel]
    missing = set(ref) - set(ours)
    assert not missing, f"fields PaddleOCR writes that we do not: {missing}"
    assert ours["text_det_params"] == ref["text_det_params"]
    assert ours["model_settings"] == ref["model_settings"]
    assert ours["textline_orientation_angles"] == [-1] * len(ours["rec_texts"])
    assert ours["rec_boxes"] == ref["rec_boxes"]
