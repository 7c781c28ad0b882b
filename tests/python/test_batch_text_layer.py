"""--pdf-text-layer: searchable PDFs whose hidden text sits on the recognised lines."""

from __future__ import annotations

import ctypes
import io
import re

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from ppocr_native.batch import BatchOptions, read_records, run_batch

from test_batch_support import LIGHT_KWARGS, SAMPLE, make_pdf


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _centre_in_pixels(page, textpage, start: int, count: int, image_size):
    """The matched characters' centre, in the page image's pixels (pdfium's own mapping from
    page space to the rendered page, /Rotate included)."""
    boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
    x = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
    y = (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
    dx, dy = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, image_size[0], image_size[1], 0, x, y, dx, dy)
    return dx.value, dy.value


def _on_line(centre, box) -> bool:
    """Inside the box (2 px slack) and within a third of the line's thickness of its axis."""
    (cx, cy), (x0, y0, x1, y1) = centre, box
    inside = x0 - 2 <= cx <= x1 + 2 and y0 - 2 <= cy <= y1 + 2
    if y1 - y0 >= 1.5 * (x1 - x0):  # a line running down the page
        return inside and abs(cx - (x0 + x1) / 2) <= (x1 - x0) / 3
    return inside and abs(cy - (y0 + y1) / 2) <= (y1 - y0) / 3


def _check_page(page, record) -> None:
    """Every recognised line is found by pdfium's text search, on its line."""
    textpage = page.get_textpage()
    size = (record["width"], record["height"])
    # Every recognised character, once (pdfium orders lines by position, not by record).
    assert sorted(_squash(textpage.get_text_bounded())) == sorted(_squash("".join(record["texts"])))
    for text, box in zip(record["texts"], record["boxes"]):
        if not text.strip():
            continue
        word = text.split()[0]
        search = textpage.search(word, match_case=True)
        centres = []
        while (found := search.get_next()) is not None:
            centres.append(_centre_in_pixels(page, textpage, *found, size))
        search.close()
        assert centres, f"{word!r} not found"
        # One of the word's matches (a word can repeat on a page) lies on its line.
        assert any(_on_line(c, box) for c in centres), (text, box, centres)
    textpage.close()


def test_searchable_pdf_and_image_have_the_text_on_the_lines(tmp_path, data_dir):
    inputs = tmp_path / "in"
    inputs.mkdir()
    source_pdf = make_pdf([SAMPLE, data_dir / "rapidocr_tests" / "ch_en_num.jpg", SAMPLE],
                          inputs / "scan.pdf")
    rotated, copy = pdfium.PdfDocument(source_pdf), io.BytesIO()
    rotated[2].set_rotation(90)  # shown turned: its lines run down the rendered page
    rotated.save(copy)
    rotated.close()
    source_pdf.write_bytes(copy.getvalue())
    (inputs / "photo.png").write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "out"
    options = BatchOptions(workers=1, pdf_text_layer="all", progress=False)
    summary = run_batch([str(inputs)], out, options, **LIGHT_KWARGS)
    assert summary.failed == 0
    records = {(r["source"].rsplit("/", 1)[-1], r["page_index"]): r for r in read_records(out)}
    assert any(re.search("[\u4e00-\u9fff]", t) for t in records[("scan.pdf", 1)]["texts"])

    # The PDF: original pages kept (same look: the text is invisible), text on the lines.
    original, searchable = pdfium.PdfDocument(source_pdf), pdfium.PdfDocument(out / "pdf" / "scan.pdf")
    assert len(searchable) == len(original) == 3
    assert records[("scan.pdf", 2)]["height"] > records[("scan.pdf", 2)]["width"]
    for index in range(3):
        page, before = searchable[index], original[index]
        assert page.get_size() == before.get_size()
        drawn = page.render(scale=1).to_numpy().astype(int)
        assert np.abs(drawn - before.render(scale=1).to_numpy().astype(int)).max() == 0
        record = records[("scan.pdf", index)]
        _check_page(page, record)

    # The image: a page at 144 dpi (PNG without a resolution) with the same text layer.
    photo = pdfium.PdfDocument(out / "pdf" / "photo.pdf")
    record = records[("photo.png", None)]
    assert photo[0].get_size() == pytest.approx((record["width"] / 2, record["height"] / 2))
    _check_page(photo[0], record)
    assert (out / "pdf" / "scan.pdf").stat().st_size < source_pdf.stat().st_size + 200_000
