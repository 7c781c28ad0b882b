"""One config type for API and CLI; results save and print like PaddleOCR's."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ppocr_native import OcrConfig, PredictOptions, _core
from ppocr_native.cli import build_parser
from ppocr_native.config import DEPRECATED_ALIASES, run_options, to_core_config

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "assets" / "sample.png"
SAMPLE_LINES = ["ppocr-native quick start", "Invoice No. 2026-1127",
                "Total amount: 1,234.50 EUR", "Thank you for reading!"]


def test_per_call_fields_match_the_core_run_options():
    python_fields = {f.name for f in dataclasses.fields(PredictOptions)}
    core_fields = {n for n in dir(_core.RunOptions()) if not n.startswith("_")}
    assert python_fields == core_fields


def test_every_engine_and_stage_field_reaches_the_core():
    class FakeModel:
        model_path = "m.onnx"
        character_dict = ("blank", "a", " ")

    cfg = OcrConfig(use_doc_orientation_classify=False, use_doc_unwarping=True,
                    use_textline_orientation=False, textline_orientation_batch_size=3,
                    text_recognition_batch_size=9, text_det_limit_side_len=960,
                    text_det_limit_type="max", text_det_thresh=0.25, text_det_box_thresh=0.5,
                    text_det_unclip_ratio=2.0, text_rec_score_thresh=0.4, cpu_threads=3,
                    precision="bf16", enable_mkldnn=False)
    core = to_core_config(cfg, {"text_det": FakeModel(), "text_rec": FakeModel()}, _core)
    assert (core.use_doc_orientation_classify, core.use_doc_unwarping,
            core.use_textline_orientation) == (False, True, False)
    assert core.textline_orientation_batch_size == 3 and core.text_rec.batch_size == 9
    assert core.text_det.limit_side_len == 960 and core.text_det.limit_type == _core.LimitType.max
    assert core.text_det.thresh == pytest.approx(0.25)
    assert core.text_det.box_thresh == pytest.approx(0.5)
    assert core.text_det.unclip_ratio == pytest.approx(2.0)
    assert core.text_rec.score_thresh == pytest.approx(0.4)
    assert core.engine.cpu_threads == 3 and core.engine.enable_mkldnn is False
    assert core.models.text_det == "m.onnx" and core.models.text_rec_characters == ["blank", "a", " "]


def test_overrides_are_copies():
    base = OcrConfig(text_det_thresh=0.3)
    changed = base.with_overrides(PredictOptions(text_det_thresh=0.5))
    assert base.text_det_thresh == 0.3 and changed.text_det_thresh == 0.5
    opts = run_options(PredictOptions(text_det_limit_type="max"), _core)
    assert opts.text_det_limit_type == _core.LimitType.max and opts.text_det_thresh is None


def test_cli_flags_are_the_config_fields():
    parser = build_parser()
    ocr = parser._subparsers._group_actions[0].choices["ocr"]
    flags = {a.dest for a in ocr._actions} - {"help", "input", "save_path"}
    assert flags == {f.name for f in dataclasses.fields(OcrConfig)} | set(DEPRECATED_ALIASES)
    args = parser.parse_args(["ocr", "-i", "x.png", "--use_textline_orientation", "False",
                              "--text_det_thresh", "0.4", "--cpu_threads", "2"])
    assert args.use_textline_orientation is False and args.text_det_thresh == 0.4


def test_cli_end_to_end(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "ppocr_native.cli", "ocr", "-i", str(SAMPLE), "--save_path",
         str(tmp_path), "--cpu_threads", "2", "--use_doc_orientation_classify", "False"],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    printed = json.loads(out.stdout)["res"]
    assert printed["rec_texts"] == SAMPLE_LINES
    saved = json.loads((tmp_path / "sample_res.json").read_text(encoding="utf-8"))
    assert saved["rec_texts"] == SAMPLE_LINES
    assert (tmp_path / "sample_ocr_res_img.png").stat().st_size > 1000


def test_cli_reports_bad_input_cleanly(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ppocr_native.cli", "ocr", "-i",
                          str(tmp_path / "missing.png"), "--cpu_threads", "2"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "not found" in out.stderr
    assert "Traceback" not in out.stderr


def test_result_methods(ocr_default, tmp_path, capsys):
    res = ocr_default.predict(str(SAMPLE))[0]
    assert res["rec_texts"] == SAMPLE_LINES
    assert res["rec_polys"].dtype == np.int16 and res["rec_boxes"].shape == (4, 4)
    res.print()
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(res.json))
    assert printed["res"]["doc_preprocessor_res"]["angle"] == 0
    path = res.save_to_json(str(tmp_path / "out"))
    assert path.name == "sample_res.json"
    images = res.img
    assert set(images) == {"ocr_res_img", "preprocessed_img"}
    assert images["ocr_res_img"].size == (1800, 360)  # input | text, side by side
    assert res.save_to_img(str(tmp_path / "out")).name == "sample_ocr_res_img.png"


def test_int8_keeps_more_prepared_kernels_unless_told_otherwise():
    class FakeModel:
        model_path = "m.onnx"
        character_dict = ("blank", "a", " ")

    models = {"text_det": FakeModel(), "text_rec": FakeModel()}
    default = to_core_config(OcrConfig(), models, _core).engine
    int8 = to_core_config(OcrConfig(precision="int8"), models, _core).engine
    given = to_core_config(OcrConfig(precision="int8", cpu_kernel_cache=100), models, _core).engine
    assert default.runtime_cache_capacity == 300 and default.precision == 0  # fp32
    assert int8.runtime_cache_capacity == 5000
    assert int8.precision == default.precision  # int8 lives in the model files
    assert given.runtime_cache_capacity == 100
    # ... and rounds recognition batch widths to 128 columns (fewer shapes to prepare)
    assert to_core_config(OcrConfig(), models, _core).text_rec.width_step == 0
    assert to_core_config(OcrConfig(precision="int8"), models, _core).text_rec.width_step == 128
