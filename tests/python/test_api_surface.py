"""Issue #3 (API): every PaddleOCR 3.x constructor parameter, 2.x aliases, lang/ocr_version,
predict/predict_iter, PaddleX config files and the CLI flag table."""

from __future__ import annotations

import dataclasses
import inspect
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ppocr_native import InvalidArgumentError, ModelNotFoundError, OcrConfig, PaddleOCR, _core
from ppocr_native.config import DEPRECATED_ALIASES, to_core_config
from ppocr_native.lang import model_names, paddleocr_model_names
from ppocr_native.models import REGISTRY, UNOBTAINABLE_MODELS
from ppocr_native.paddlex_config import load_paddlex_config

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "assets" / "sample.png"
SAMPLE_LINES = ["ppocr-native quick start", "Invoice No. 2026-1127",
                "Total amount: 1,234.50 EUR", "Thank you for reading!"]
LIGHT = dict(cpu_threads=2, use_doc_orientation_classify=False, use_textline_orientation=False)

# Every constructor parameter in the usage guide's Python table (besides return_word_box).
GUIDE_PARAMS = """doc_orientation_classify_model_name doc_orientation_classify_model_dir
doc_unwarping_model_name doc_unwarping_model_dir text_detection_model_name
text_detection_model_dir textline_orientation_model_name textline_orientation_model_dir
textline_orientation_batch_size text_recognition_model_name text_recognition_model_dir
text_recognition_batch_size use_doc_orientation_classify use_doc_unwarping
use_textline_orientation text_det_limit_side_len text_det_limit_type text_det_thresh
text_det_box_thresh text_det_unclip_ratio text_det_input_shape text_rec_score_thresh
text_rec_input_shape lang ocr_version device enable_hpi use_tensorrt min_subgraph_size
precision enable_mkldnn cpu_threads paddlex_config""".split()
GUIDE_CLI = ["input", "save_path"] + GUIDE_PARAMS + list(DEPRECATED_ALIASES)


class _FakeModel:
    model_path = "m.onnx"
    character_dict = ("blank", "a", " ")


# -- 1. every constructor parameter ----------------------------------------------------------

def test_every_guide_parameter_is_a_config_field():
    assert set(GUIDE_PARAMS) <= {f.name for f in dataclasses.fields(OcrConfig)}
    for f in dataclasses.fields(OcrConfig):
        assert f.metadata.get("help"), f"{f.name} has no help text"


def test_text_rec_input_shape_sets_height_and_min_width():
    cfg = OcrConfig(text_rec_input_shape=[3, 32, 400])
    assert cfg.text_rec_input_shape == (3, 32, 400)
    core = to_core_config(cfg, {"text_det": _FakeModel(), "text_rec": _FakeModel()}, _core)
    assert core.text_rec.image_height == 32 and core.text_rec.min_image_width == 400
    with pytest.raises(InvalidArgumentError, match="text_rec_input_shape"):
        OcrConfig(text_rec_input_shape=(3, 48))
    with pytest.raises(InvalidArgumentError, match="text_det_input_shape"):
        OcrConfig(text_det_input_shape=(3, 0, 640))


def test_inert_options_are_accepted_and_say_so(caplog):
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        ocr = PaddleOCR(enable_hpi=True, use_tensorrt=True, min_subgraph_size=5, **LIGHT)
    text = caplog.text
    assert "enable_hpi=True has no effect" in text and "use_tensorrt=True has no effect" in text
    assert "min_subgraph_size" not in text
    assert ocr.predict(str(SAMPLE))[0]["rec_texts"] == SAMPLE_LINES


def test_text_det_input_shape_resizes_every_page_to_it():
    from ppocr_native._core import ops

    cfg = OcrConfig(text_det_input_shape=(3, 640, 960))
    core = to_core_config(cfg, {"text_det": _FakeModel(), "text_rec": _FakeModel()}, _core)
    assert (core.text_det.input_height, core.text_det.input_width) == (640, 960)
    # the limit rule is bypassed: any page goes to exactly 640 x 960
    assert ops.det_input_size(100, 3000, core.text_det) == (640, 960)
    ocr = PaddleOCR(text_det_input_shape=(3, 480, 960), **LIGHT)
    assert ocr.predict(str(SAMPLE))[0]["rec_texts"] == SAMPLE_LINES


# -- 2. deprecated aliases -------------------------------------------------------------------

def test_aliases_map_with_a_deprecation_warning():
    values = dict(det_model_dir="/d", det_limit_side_len=960, det_limit_type="max",
                  det_db_thresh=0.2, det_db_box_thresh=0.5, det_db_unclip_ratio=2.0,
                  rec_model_dir="/r", rec_batch_num=3, use_angle_cls=False, cls_model_dir="/c",
                  cls_batch_num=4)
    assert set(values) == set(DEPRECATED_ALIASES)
    with pytest.warns(DeprecationWarning) as record:
        cfg = OcrConfig.from_kwargs(values)
    assert len(record) == len(values)
    for old, new in DEPRECATED_ALIASES.items():
        assert getattr(cfg, new) == values[old]


def test_alias_and_new_name_together_is_an_error():
    with pytest.warns(DeprecationWarning), pytest.raises(InvalidArgumentError,
                                                         match="mutually exclusive"):
        PaddleOCR(det_db_thresh=0.2, text_det_thresh=0.3, cpu_threads=2)


def test_alias_drives_a_real_pipeline():
    with pytest.warns(DeprecationWarning):
        ocr = PaddleOCR(use_angle_cls=False, rec_batch_num=2, cpu_threads=2,
                        use_doc_orientation_classify=False)
    assert "textline_orientation" not in ocr.models
    assert ocr.config.text_recognition_batch_size == 2


# -- 3. lang / ocr_version -------------------------------------------------------------------

def test_lang_table_matches_paddleocr_and_substitutes_only_downloadables():
    assert paddleocr_model_names(None, None) == ("PP-OCRv6_medium_det", "PP-OCRv6_medium_rec")
    assert model_names(None, "PP-OCRv6") == ("PP-OCRv6_small_det", "PP-OCRv6_small_rec")
    assert model_names("fr", None) == ("PP-OCRv6_small_det", "PP-OCRv6_small_rec")
    for lang in ("ch", "japan", "chinese_cht", "en"):
        assert model_names(lang, "PP-OCRv5") == ("PP-OCRv5_mobile_det", "PP-OCRv5_mobile_rec")
    assert model_names("ch", "PP-OCRv4") == ("PP-OCRv4_mobile_det", "PP-OCRv4_mobile_rec")
    assert model_names("ch", "PP-OCRv3") == ("PP-OCRv3_mobile_det", "PP-OCRv3_mobile_rec")
    assert model_names("ru", None)[1] == "eslav_PP-OCRv5_mobile_rec"
    assert model_names("korean", None)[1] == "korean_PP-OCRv5_mobile_rec"
    assert model_names("ka", None) == ("PP-OCRv3_mobile_det", "ka_PP-OCRv3_mobile_rec")
    for lang in ("ch", "en", "fr", "ru", "ar", "hi", "korean", "te", "ka", "ta", "japan"):
        for version in (None, "PP-OCRv3", "PP-OCRv4", "PP-OCRv5", "PP-OCRv6"):
            try:
                names = model_names(lang, version)
            except InvalidArgumentError:
                continue  # PaddleOCR has no model for it either
            for name in names:
                assert name in REGISTRY or name in UNOBTAINABLE_MODELS, (lang, version, name)


def test_bad_version_or_language_is_invalid_argument():
    with pytest.raises(InvalidArgumentError, match="PP-OCRv2"):
        PaddleOCR(ocr_version="PP-OCRv2", cpu_threads=2)
    with pytest.raises(InvalidArgumentError, match="No models are available"):
        PaddleOCR(lang="klingon", cpu_threads=2)


def test_lang_en_v5_reads_the_sample(caplog):
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        ocr = PaddleOCR(lang="en", ocr_version="PP-OCRv5", **LIGHT)
    assert {k: m.name for k, m in ocr.models.items()} == {
        "text_det": "PP-OCRv5_mobile_det", "text_rec": "PP-OCRv5_mobile_rec"}
    assert ocr.predict(str(SAMPLE))[0]["rec_texts"] == SAMPLE_LINES


def test_ocr_version_v4_loads_the_v4_models():
    ocr = PaddleOCR(ocr_version="PP-OCRv4", **LIGHT)
    assert (ocr.models["text_det"].name, ocr.models["text_rec"].name) == (
        "PP-OCRv4_mobile_det", "PP-OCRv4_mobile_rec")
    assert len(ocr.predict(str(SAMPLE))[0]["rec_texts"]) == 4


@pytest.mark.parametrize("kwargs, model", [
    (dict(lang="fr", ocr_version="PP-OCRv5"), "latin_PP-OCRv5_mobile_rec"),
    (dict(lang="en", ocr_version="PP-OCRv4"), "en_PP-OCRv4_mobile_rec"),
    (dict(lang="korean"), "korean_PP-OCRv5_mobile_rec"),
])
def test_unobtainable_language_model_names_the_model_dir(kwargs, model):
    with pytest.raises(ModelNotFoundError) as info:
        PaddleOCR(**kwargs, **LIGHT)
    assert model in str(info.value) and "text_recognition_model_dir" in str(info.value)


def test_explicit_model_names_win_over_lang():
    with pytest.warns(UserWarning, match="will be ignored"):
        ocr = PaddleOCR(lang="korean", text_recognition_model_name="PP-OCRv5_mobile_rec",
                        text_detection_model_name="PP-OCRv5_mobile_det", **LIGHT)
    assert ocr.models["text_rec"].name == "PP-OCRv5_mobile_rec"


# -- 4. predict / predict_iter ---------------------------------------------------------------

def test_unknown_overrides_error_and_predict_iter_is_a_generator(ocr_reference_config):
    with pytest.raises(InvalidArgumentError, match="bogus"):
        ocr_reference_config.predict(str(SAMPLE), bogus=1)
    with pytest.raises(InvalidArgumentError, match="bogus"):
        ocr_reference_config.predict_iter(str(SAMPLE), bogus=1)  # eagerly, before iterating
    gen = ocr_reference_config.predict_iter([str(SAMPLE), str(SAMPLE)], text_rec_score_thresh=0.5)
    assert inspect.isgenerator(gen)
    first = next(gen)
    assert first["text_rec_score_thresh"] == 0.5 and first["rec_texts"] == SAMPLE_LINES
    assert len(list(gen)) == 1
    with pytest.raises(InvalidArgumentError, match="text_det_thresh"):
        ocr_reference_config.predict(str(SAMPLE), text_det_thresh=-1)


# -- 5. PaddleX config files -----------------------------------------------------------------

EXPLICIT = dict(
    use_doc_orientation_classify=False, use_doc_unwarping=False, use_textline_orientation=True,
    text_det_limit_side_len=736, text_det_limit_type="max", text_det_thresh=0.25,
    text_det_box_thresh=0.55, text_det_unclip_ratio=1.8, text_rec_score_thresh=0.1,
    doc_orientation_classify_model_name="PP-LCNet_x1_0_doc_ori", doc_unwarping_model_name="UVDoc",
    text_detection_model_name="PP-OCRv5_mobile_det", text_recognition_model_name="PP-OCRv5_mobile_rec",
    textline_orientation_model_name="PP-LCNet_x1_0_textline_ori",
    textline_orientation_batch_size=3, text_recognition_batch_size=4,
    text_rec_input_shape=(3, 48, 320), cpu_threads=2)


def test_export_then_load_round_trip(tmp_path):
    ocr = PaddleOCR(**EXPLICIT)
    path = tmp_path / "ocr.yaml"
    ocr.export_paddlex_config_to_yaml(str(path))
    tree = load_paddlex_config(path)
    assert tree["pipeline_name"] == "OCR"
    assert set(tree["SubModules"]) == {"TextDetection", "TextLineOrientation", "TextRecognition"}
    det = tree["SubModules"]["TextDetection"]
    assert det["module_name"] == "text_detection" and det["max_side_limit"] == 4000
    assert det["limit_type"] == "max" and det["box_thresh"] == 0.55
    doc = tree["SubPipelines"]["DocPreprocessor"]
    assert set(doc["SubModules"]) == {"DocOrientationClassify", "DocUnwarping"}
    assert doc["use_doc_unwarping"] is False and tree["use_doc_preprocessor"] is False

    loaded = PaddleOCR(paddlex_config=str(path), cpu_threads=2)
    assert dataclasses.replace(loaded.config, paddlex_config=None) == ocr.config
    assert loaded.predict(str(SAMPLE))[0]["rec_texts"] == SAMPLE_LINES
    from_dict = OcrConfig.from_kwargs(dict(paddlex_config=tree, cpu_threads=2))
    assert dataclasses.replace(from_dict, paddlex_config=None) == ocr.config


def test_explicit_arguments_win_over_the_file(tmp_path):
    path = tmp_path / "ocr.yaml"
    PaddleOCR(**EXPLICIT).export_paddlex_config_to_yaml(path)
    cfg = OcrConfig.from_kwargs(dict(paddlex_config=str(path), text_det_thresh=0.4,
                                     use_textline_orientation=False))
    assert cfg.text_det_thresh == 0.4 and cfg.use_textline_orientation is False
    assert cfg.text_det_box_thresh == 0.55  # from the file
    with pytest.warns(DeprecationWarning):
        cfg = OcrConfig.from_kwargs(dict(paddlex_config=str(path), det_db_box_thresh=0.7))
    assert cfg.text_det_box_thresh == 0.7
    # lang picks the text models over the file's, as in PaddleOCR
    cfg = OcrConfig.from_kwargs(dict(paddlex_config=str(path), lang="en"))
    assert cfg.text_recognition_model_name is None and cfg.lang == "en"


def test_reads_paddlex_own_layout():
    tree = {"pipeline_name": "OCR", "use_doc_preprocessor": False,
            "SubPipelines": {"DocPreprocessor": {"use_doc_orientation_classify": True,
                                                 "use_doc_unwarping": True}},
            "SubModules": {"TextDetection": {"limit_side_len": 960, "limit_type": "max"},
                           "TextRecognition": {"score_thresh": 0.5}}}
    cfg = OcrConfig.from_kwargs(dict(paddlex_config=tree))
    assert (cfg.use_doc_orientation_classify, cfg.use_doc_unwarping) == (False, False)
    assert (cfg.text_det_limit_side_len, cfg.text_det_limit_type) == (960, "max")
    assert cfg.text_rec_score_thresh == 0.5
    with pytest.raises(InvalidArgumentError, match="pipeline_name"):
        OcrConfig.from_kwargs(dict(paddlex_config={"pipeline_name": "layout_parsing"}))
    with pytest.raises(FileNotFoundError):
        OcrConfig.from_kwargs(dict(paddlex_config="/nonexistent/ocr.yaml"))


# -- 6. CLI ----------------------------------------------------------------------------------

def _cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "ppocr_native.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_cli_help_lists_every_flag_of_the_guide():
    out = _cli("ocr", "--help")
    assert out.returncode == 0
    flags = set(re.findall(r"--([a-z_]+)", out.stdout))
    assert set(GUIDE_CLI) <= flags, set(GUIDE_CLI) - flags
    assert "(default: 0.3)" in out.stdout and "[Deprecated]" in out.stdout
    top = _cli("--help")
    assert top.returncode == 0 and "ocr" in top.stdout and "models" in top.stdout


def test_cli_aliases_shapes_and_paddlex_config(tmp_path):
    path = tmp_path / "ocr.yaml"
    PaddleOCR(**EXPLICIT).export_paddlex_config_to_yaml(path)
    out = _cli("ocr", "-i", str(SAMPLE), "--paddlex_config", str(path), "--use_angle_cls",
               "False", "--text_rec_input_shape", "3", "48", "320", "--lang", "en",
               "--ocr_version", "PP-OCRv5", "--enable_hpi", "False")
    assert out.returncode == 0, out.stderr
    assert "--use_angle_cls is deprecated" in out.stderr
    assert '"rec_texts"' in out.stdout and "Invoice No. 2026-1127" in out.stdout


def test_cli_errors_are_one_line():
    out = _cli("ocr", "-i", str(SAMPLE), "--det_db_thresh", "0.2", "--text_det_thresh", "0.3")
    assert out.returncode == 2 and "mutually exclusive" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 2  # the deprecation note + the error
    out = _cli("ocr", "-i", str(SAMPLE), "--lang", "fr", "--ocr_version", "PP-OCRv5",
               "--cpu_threads", "2")
    assert out.returncode == 2 and "text_recognition_model_dir" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_progress_line_without_tqdm(capsys, tmp_path, monkeypatch):
    from ppocr_native import cli

    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if tqdm were not installed
    bar = cli._Progress(3, enabled=True)
    bar.step()
    bar.step()
    bar.close()
    assert capsys.readouterr().err == "\rppocr: 1/3 done\rppocr: 2/3 done\n"
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("x")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert cli._progress_for(str(tmp_path)).total == 1
    assert cli._progress_for(str(tmp_path)).enabled
    assert cli._progress_for("scan.pdf").enabled and not cli._progress_for(str(SAMPLE)).enabled


def test_deprecated_ocr_method(ocr_reference_config):
    with pytest.warns(DeprecationWarning, match="predict"):
        res = ocr_reference_config.ocr(str(SAMPLE))
    assert res[0]["rec_texts"] == SAMPLE_LINES


def test_constructor_signature_names_every_parameter():
    params = inspect.signature(PaddleOCR).parameters
    assert set(GUIDE_PARAMS) <= set(params)
