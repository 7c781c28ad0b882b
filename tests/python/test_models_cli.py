"""`ppocr models download [NAME ...] [--dir DIR]` and `ppocr models list` (issue #6).

``--dir`` exports models for programs that do not use this package (the C++ library):
``DIR/<name>/inference.onnx`` and, for recognition models, ``DIR/<name>/dict.txt`` with the
full class list (line i = class i). Offline tests use test_models.py's fake wheel; the
real-model tests export from the model cache that the set-up filled (no download) and read
the export back as model dirs.
"""

from __future__ import annotations

from pathlib import Path

import onnxruntime
import pytest

from ppocr_native import PaddleOCR, cli, models
from test_models import fake_wheel, home  # noqa: F401  (fixtures: fake registry + wheel)

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "assets" / "sample.png"


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_list_names_every_model_with_kind_default_and_cache_state(fake_wheel, capsys):
    assert cli.main(["models", "list"]) == 0
    out = _lines(capsys.readouterr().out)
    assert out[0].split() == ["kind", "name", "default", "cached", "package"]
    rows = {line.split()[1]: line.split() for line in out[1:]}
    assert set(rows) == set(models.available_models())
    assert rows["PP-OCRv6_small_det"][:3] == ["text_det", "PP-OCRv6_small_det", "yes"]
    assert rows["Fake_rec"] == ["text_rec", "Fake_rec", "fakepkg==1.0"]  # not default, not cached
    assert models.main(["download", "Fake_rec"]) == 0
    capsys.readouterr()
    models.main(["list"])
    rows = {line.split()[1]: line.split() for line in _lines(capsys.readouterr().out)[1:]}
    assert rows["Fake_rec"] == ["text_rec", "Fake_rec", "yes", "fakepkg==1.0"]  # now cached


def test_download_dir_writes_model_and_class_list(fake_wheel, tmp_path, capsys):
    out_dir = tmp_path / "export"
    assert models.main(["download", "Fake_det", "Fake_rec", "--dir", str(out_dir)]) == 0
    printed = _lines(capsys.readouterr().out)
    assert [line.split() for line in printed] == [
        ["text_det", "Fake_det", str(out_dir / "Fake_det")],
        ["text_rec", "Fake_rec", str(out_dir / "Fake_rec")]]
    assert sorted(p.name for p in (out_dir / "Fake_det").iterdir()) == ["inference.onnx"]
    assert (out_dir / "Fake_det" / "inference.onnx").read_bytes() == fake_wheel["det_bytes"]
    assert sorted(p.name for p in (out_dir / "Fake_rec").iterdir()) == ["dict.txt",
                                                                         "inference.onnx"]
    # the network's classes: CTC blank, the metadata's a b c, the appended space
    assert (out_dir / "Fake_rec" / "dict.txt").read_text(encoding="utf-8") == \
        "blank\na\nb\nc\n \n"
    rec = models.resolve_model("text_rec", None, out_dir / "Fake_rec")  # a valid model dir
    assert rec.character_dict == ("blank", "a", "b", "c", " ")
    # again: an up-to-date export is left as it is
    stamp = (out_dir / "Fake_det" / "inference.onnx").stat().st_mtime_ns
    assert models.main(["download", "Fake_det", "--dir", str(out_dir)]) == 0
    assert (out_dir / "Fake_det" / "inference.onnx").stat().st_mtime_ns == stamp


def test_download_errors_exit_1_with_a_message(fake_wheel, tmp_path, capsys):
    assert models.main(["download", "No_such_model", "--dir", str(tmp_path)]) == 1
    assert "error: unknown model 'No_such_model'" in capsys.readouterr().err
    assert models.main(["download", "PP-OCRv5_server_rec"]) == 1
    assert "not downloadable here" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        models.main(["download", "--bogus"])
    assert exit_info.value.code == 2


def test_old_form_still_works_and_points_to_the_new_one(fake_wheel, capsys):
    assert models.main(["--list"]) == 0
    captured = capsys.readouterr()
    assert "'ppocr models --list' is deprecated; use 'ppocr models list'" in captured.err
    assert "Fake_rec" in captured.out
    assert models.main(["Fake_det"]) == 0
    captured = capsys.readouterr()
    assert "use 'ppocr models download NAME ...'" in captured.err
    assert captured.out.split()[:2] == ["text_det", "Fake_det"]


def test_help_describes_the_export_layout(capsys):
    with pytest.raises(SystemExit) as exit_info:
        models.main(["download", "--help"])
    assert exit_info.value.code == 0
    assert "DIR/<name>/dict.txt" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        cli.main(["models", "--help"])
    assert "{download,list}" in capsys.readouterr().out


def test_bare_command_fetches_the_defaults_into_the_cache(capsys):
    """`ppocr models` (what `make models` runs): the five defaults, no deprecation note."""
    assert models.main([]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    rows = [line.split() for line in _lines(captured.out)]
    assert sorted(row[1] for row in rows) == sorted(
        models.default_model_name(kind) for kind in models.KINDS)
    assert all(Path(row[2]).is_file() for row in rows)


def test_real_export_is_what_the_pipeline_reads(tmp_path, capsys):
    """Export PP-OCRv5 mobile det + rec and PP-OCRv6 small rec; OCR from the exported dirs."""
    out_dir = tmp_path / "models"
    names = ["PP-OCRv5_mobile_det", "PP-OCRv5_mobile_rec", "PP-OCRv6_small_rec"]
    assert models.main(["download", *names, "--dir", str(out_dir)]) == 0
    for name in names[1:]:
        lines = (out_dir / name / "dict.txt").read_text(encoding="utf-8").split("\n")
        assert lines[-1] == ""  # every entry ends with a newline
        cached = models.resolve_model("text_rec", name)
        assert tuple(lines[:-1]) == cached.character_dict  # line i is class i
        session = onnxruntime.InferenceSession(str(out_dir / name / "inference.onnx"),
                                               providers=["CPUExecutionProvider"])
        classes = session.get_outputs()[0].shape[-1]  # the network's class count
        assert len(lines) - 1 == classes and lines[0] == "blank" and lines[-2] == " "
    light = dict(cpu_threads=2, use_doc_orientation_classify=False,
                 use_textline_orientation=False)
    from_export = PaddleOCR(text_detection_model_dir=str(out_dir / "PP-OCRv5_mobile_det"),
                            text_recognition_model_dir=str(out_dir / "PP-OCRv5_mobile_rec"),
                            **light)
    by_name = PaddleOCR(text_detection_model_name="PP-OCRv5_mobile_det",
                        text_recognition_model_name="PP-OCRv5_mobile_rec", **light)
    assert from_export.models["text_rec"].character_dict == \
        by_name.models["text_rec"].character_dict
    texts = from_export.predict(str(SAMPLE))[0]["rec_texts"]
    assert texts == by_name.predict(str(SAMPLE))[0]["rec_texts"]
    assert texts[0] == "ppocr-native quick start"
