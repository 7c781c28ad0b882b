"""--pdf-text-layer: searchable PDFs whose hidden text sits on the recognised lines."""

from __future__ import annotations

import re

import numpy as np
import pypdfium2 as pdfium
import pytest

from ppocr_native.batch import BatchOptions, read_records, run_batch

from test_batch_support import LIGHT_KWARGS, SAMPLE, make_pdf


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pixel_box_of_match(textpage, start: int, count: int, page_h: float, px_per_pt: float):
    """The union of the matched characters' boxes, in the page image's pixels."""
    boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
    left = min(b[0] for b in boxes) * px_per_pt
    right = max(b[2] for b in boxes) * px_per_pt
    top = (page_h - max(b[3] for b in boxes)) * px_per_pt
    bottom = (page_h - min(b[1] for b in boxes)) * px_per_pt
    return left, top, right, bottom


def _check_page(page, record, px_per_pt: float) -> None:
    """Every recognised line is found by pdfium's text search, inside its box."""
    textpage = page.get_textpage()
    page_h = page.get_height()
    # Every recognised character, once (pdfium orders lines by position, not by record).
    assert sorted(_squash(textpage.get_text_bounded())) == sorted(_squash("".join(record["texts"])))
    for text, box in zip(record["texts"], record["boxes"]):
        if not text.strip():
            continue
        word = text.split()[0]
        search = textpage.search(word, match_case=True)
        centres = []
        while (found := search.get_next()) is not None:
            left, top, right, bottom = _pixel_box_of_match(textpage, *found, page_h, px_per_pt)
            centres.append(((left + right) / 2, (top + bottom) / 2))
        search.close()
        assert centres, f"{word!r} not found"
        # One of the word's matches (a word can repeat on a page) lies on its line: inside
        # the box horizontally, within a third of the line's height of its middle.
        line_h = box[3] - box[1]
        assert any(box[0] - 2 <= cx <= box[2] + 2
                   and abs(cy - (box[1] + box[3]) / 2) <= line_h / 3
                   for cx, cy in centres), (text, box, centres)
    textpage.close()


def test_searchable_pdf_and_image_have_the_text_on_the_lines(tmp_path, data_dir):
    inputs = tmp_path / "in"
    inputs.mkdir()
    source_pdf = make_pdf([SAMPLE, data_dir / "rapidocr_tests" / "ch_en_num.jpg"],
                          inputs / "scan.pdf")
    (inputs / "photo.png").write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "out"
    options = BatchOptions(workers=1, pdf_text_layer="all", progress=False)
    summary = run_batch([str(inputs)], out, options, **LIGHT_KWARGS)
    assert summary.failed == 0
    records = {(r["source"].rsplit("/", 1)[-1], r["page_index"]): r for r in read_records(out)}
    assert any(re.search("[\u4e00-\u9fff]", t) for t in records[("scan.pdf", 1)]["texts"])

    # The PDF: original pages kept (same look: the text is invisible), text on the lines.
    original, searchable = pdfium.PdfDocument(source_pdf), pdfium.PdfDocument(out / "pdf" / "scan.pdf")
    assert len(searchable) == len(original) == 2
    for index in range(2):
        page, before = searchable[index], original[index]
        assert page.get_size() == before.get_size()
        drawn = page.render(scale=1).to_numpy().astype(int)
        assert np.abs(drawn - before.render(scale=1).to_numpy().astype(int)).max() == 0
        record = records[("scan.pdf", index)]
        _check_page(page, record, px_per_pt=record["width"] / page.get_width())

    # The image: a page at 144 dpi (PNG without a resolution) with the same text layer.
    photo = pdfium.PdfDocument(out / "pdf" / "photo.pdf")
    record = records[("photo.png", None)]
    assert photo[0].get_size() == pytest.approx((record["width"] / 2, record["height"] / 2))
    _check_page(photo[0], record, px_per_pt=2.0)
    assert (out / "pdf" / "scan.pdf").stat().st_size < source_pdf.stat().st_size + 200_000
