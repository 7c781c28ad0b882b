"""The GPU / TensorRT engine path (issue #6), tested without a GPU.

The GPU path is ONNX Runtime driven from Python (engines/onnxruntime_engine.py) and injected
into the C++ core through its engine factory. Here the very same path runs on ONNX Runtime's
CPU provider (``inference_engine="onnxruntime", device="cpu"``) against the core's OpenVINO engines:

1. device / use_tensorrt / precision decisions: clear errors, never a silent CPU run when a
   GPU was asked for; device=None falls back to the CPU with a log line (PaddleOCR's rule);
2. the provider options built for a GPU (TensorRT fp16, engine caches, shape profiles),
   inspected as built and as handed to ONNX Runtime;
3. end to end: the same texts as OpenVINO on the sample and real images, unwarping's fp16
   model, Python errors crossing the core, and threads sharing one pipeline.

No GPU is visible on the machines these run on; the GPU-only lines (the CUDA and TensorRT
providers really starting) are covered by their decisions and options, not by a run.
"""

from __future__ import annotations

import logging
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import onnxruntime
import pytest

from conftest import REFERENCE_KWARGS, THREADS
from ppocr_native import PaddleOCR, _core
from ppocr_native.config import OcrConfig, to_core_config
from ppocr_native.engines import onnxruntime_engine as ort_engine
from ppocr_native.engines.cuda_devices import visible_cuda_devices
from ppocr_native.engines.selection import EnginePlan, plan_engine
from ppocr_native.errors import DeviceUnavailableError, InvalidArgumentError, PpocrError
from ppocr_native.image_io import load_image
from ppocr_native.models import resolve_model

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests" / "assets" / "sample.png"
ORT_CPU = dict(inference_engine="onnxruntime", device="cpu")
CUDA, TRT, CPU = "CUDAExecutionProvider", "TensorrtExecutionProvider", "CPUExecutionProvider"
# Measured on an H200 (README "GPU / TensorRT"): no per-shape exhaustive search, no TF32.
CUDA_OPTIONS = {"cudnn_conv_algo_search": "HEURISTIC", "use_tf32": 0}
# Reference configuration (PP-OCRv5 mobile, optional modules off): mixed real images.
REFERENCE_SET = ("icdar2015_subset/imgs/img_1.jpg", "icdar2015_subset/imgs/img_2.jpg",
                 "rapidocr_tests/ch_en_num.jpg", "rapidocr_tests/japan.jpg",
                 "paddleocr_tests/textline.png", "mmocr_rec_toy/imgs/1036169.jpg")
# Default pipeline: a page upside down (document orientation turns it), a text line.
DEFAULT_SET = ("paddleocr_tests/textline_rot180.jpg", "rapidocr_tests/text_rec.jpg")


def _model(stage: str, name: str) -> str:
    return resolve_model(stage, name).model_path


def _gpu_plan(**changes: Any) -> EnginePlan:
    base = dict(engine="onnxruntime", device="gpu", device_id=0, use_tensorrt=True,
                precision="fp16", cpu_threads=2, min_subgraph_size=3)
    base.update(changes)
    return EnginePlan(**base)


class _FakeOrt:
    """onnxruntime as a GPU build would look: the providers it lists and starts are chosen."""

    def __init__(self, available=(TRT, CUDA, CPU), started=None):
        self.available = list(available)
        self.started = started
        self.sessions: List[Any] = []
        self.SessionOptions = onnxruntime.SessionOptions
        self.ExecutionMode = onnxruntime.ExecutionMode
        self.GraphOptimizationLevel = onnxruntime.GraphOptimizationLevel
        self.__version__ = "fake-gpu"

    def get_available_providers(self) -> List[str]:
        return list(self.available)

    def InferenceSession(self, path, sess_options, providers, provider_options):  # noqa: N802
        fake = self

        class Session:
            def __init__(self) -> None:
                self.path, self.options = path, sess_options
                self.providers, self.provider_options = providers, provider_options
                # What really started: the asked-for list unless the test says otherwise
                # (ONNX Runtime drops providers whose libraries fail to load).
                self.active = providers if fake.started is None else fake.started
                # Inputs/outputs come from a real CPU session of the same model.
                self.real = onnxruntime.InferenceSession(path, providers=[CPU])

            def get_providers(self):
                return list(self.active)

            def get_inputs(self):
                return self.real.get_inputs()

            def get_outputs(self):
                return self.real.get_outputs()

            def run(self, names, feeds):
                return self.real.run(names, feeds)

        session = Session()
        self.sessions.append(session)
        return session


def _plan(probe=(0, "no NVIDIA driver"), ort=None, **kwargs) -> EnginePlan:
    return plan_engine(OcrConfig(**kwargs), gpu_probe=lambda: probe,
                       onnxruntime_loader=lambda: ort)


# -- 1. device / engine decisions ------------------------------------------------------------

def test_gpu_without_a_gpu_is_a_clear_error_before_any_model_loads(monkeypatch):
    """This machine has no NVIDIA driver: the real probe says so, nothing runs on the CPU."""
    assert visible_cuda_devices()[0] == 0

    def no_fetch(*args, **kwargs):
        raise AssertionError("no model may be resolved once the device is known to be missing")

    monkeypatch.setattr("ppocr_native.pipeline.resolve_model", no_fetch)
    for device in ("gpu", "gpu:0", "GPU:1"):
        with pytest.raises(DeviceUnavailableError, match="no NVIDIA GPU is visible"):
            PaddleOCR(device=device, cpu_threads=THREADS)
    with pytest.raises(InvalidArgumentError):  # DeviceUnavailableError is one
        PaddleOCR(device="gpu:0", use_tensorrt=True, precision="fp16")


@pytest.mark.parametrize("probe, ort, message", [
    ((0, "no NVIDIA driver (libcuda.so.1 cannot be loaded)"), onnxruntime,
     "no NVIDIA GPU is visible: no NVIDIA driver"),
    ((1, "1 GPU(s) visible"), None, r"onnxruntime-gpu is not installed \(pip install"),
    ((1, "1 GPU(s) visible"), onnxruntime, "has no CUDA provider \\(it is the CPU build\\)"),
    ((1, "1 GPU(s) visible"), _FakeOrt(available=(CUDA, CPU)), "no TensorRT provider"),
])
def test_each_missing_piece_is_named(probe, ort, message):
    with pytest.raises(DeviceUnavailableError, match=message):
        _plan(probe, ort, device="gpu:0", use_tensorrt=True)


def test_a_card_that_does_not_exist():
    with pytest.raises(DeviceUnavailableError, match="GPU 2 does not exist: 2 GPU"):
        _plan((2, "2 GPU(s) visible"), _FakeOrt(), device="gpu:2")
    plan = _plan((2, "2 GPU(s) visible"), _FakeOrt(), device="gpu:1")
    assert (plan.engine, plan.device, plan.device_id, plan.cpu_fallback) == \
        ("onnxruntime", "gpu", 1, False)


def test_gpu_plan_carries_tensorrt_precision_and_threads():
    plan = _plan((1, "1"), _FakeOrt(), device="gpu", use_tensorrt=True, precision="fp16",
                 cpu_threads=3, min_subgraph_size=5)
    assert plan == EnginePlan("onnxruntime", "gpu", 0, True, "fp16", 3, 5, False)
    assert plan.describe() == "onnxruntime on gpu:0 (fp16, TensorRT)"


def test_fp16_without_tensorrt_runs_fp32_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        plan = _plan((1, "1"), _FakeOrt(), device="gpu", precision="fp16")
    assert plan.precision == "fp32" and not plan.use_tensorrt
    assert "precision='fp16' is available with TensorRT only" in caplog.text


def test_device_none_prefers_the_gpu_and_may_fall_back(caplog):
    with caplog.at_level(logging.INFO, logger="ppocr_native"):
        plan = _plan((1, "1 GPU(s) visible"), _FakeOrt())
    assert (plan.device, plan.engine, plan.cpu_fallback) == ("gpu", "onnxruntime", True)
    assert "device=None: using GPU 0" in caplog.text


def test_device_none_without_a_gpu_runs_on_the_cpu_with_a_log_line(caplog):
    with caplog.at_level(logging.INFO, logger="ppocr_native"):
        plan = _plan((0, "no NVIDIA driver (libcuda.so.1 cannot be loaded)"), onnxruntime)
        ocr = PaddleOCR(cpu_threads=THREADS, use_doc_orientation_classify=False,
                        use_textline_orientation=False)
    assert (plan.engine, plan.device) == ("openvino", "cpu")
    assert ocr.engine == "openvino on cpu (fp32)"
    lines = [r.getMessage() for r in caplog.records if "device=None" in r.getMessage()]
    assert lines and all("running on the CPU (no NVIDIA GPU is visible" in m for m in lines)


def test_tensorrt_on_the_cpu_has_no_effect_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        plan = _plan(device="cpu", use_tensorrt=True, ort=onnxruntime,
                     inference_engine="onnxruntime")
    assert (plan.device, plan.use_tensorrt) == ("cpu", False)
    assert "use_tensorrt=True has no effect" in caplog.text


def test_engine_and_device_values_are_checked():
    for bad in (dict(device="npu:0"), dict(device="gpu:x"), dict(device="cuda"),
                dict(inference_engine="tensorrt"), dict(inference_engine=1)):
        with pytest.raises(InvalidArgumentError):
            OcrConfig(**bad)
    with pytest.raises(InvalidArgumentError,
                       match="inference_engine=.openvino. runs on the CPU only"):
        _plan((1, "1"), _FakeOrt(), device="gpu", inference_engine="openvino")
    with pytest.raises(InvalidArgumentError, match="needs the onnxruntime package"):
        _plan(device="cpu", inference_engine="onnxruntime", ort=None)


# -- 2. what is handed to ONNX Runtime --------------------------------------------------------

@pytest.fixture
def trt_home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PPOCR_NATIVE_HOME", str(tmp_path))
    return tmp_path


def test_tensorrt_options_for_detection(trt_home):
    det = _model("text_det", "PP-OCRv5_mobile_det")
    providers = ort_engine.provider_settings("text_det", det, _gpu_plan(min_subgraph_size=4),
                                             ort_engine.ShapeLimits())
    assert [name for name, _ in providers] == [TRT, CUDA]  # no CPU: the user asked for gpu
    trt = providers[0][1]
    assert trt == {
        "device_id": 0, "trt_fp16_enable": True,
        "trt_engine_cache_enable": True, "trt_engine_cache_path": str(trt_home / "trt" / "fp16"),
        "trt_timing_cache_enable": True, "trt_timing_cache_path": str(trt_home / "trt" / "fp16"),
        "trt_min_subgraph_size": 4,
        "trt_profile_min_shapes": "x:1x3x32x32",
        "trt_profile_opt_shapes": "x:1x3x736x736",
        "trt_profile_max_shapes": "x:1x3x4000x4000",
    }
    assert providers[1] == (CUDA, dict(CUDA_OPTIONS, device_id=0))


def test_profiles_follow_the_pipeline_configuration(trt_home):
    """Recognition: N x 3 x height x (min .. max width), N up to the batch size."""
    cfg = OcrConfig(text_recognition_batch_size=8, textline_orientation_batch_size=4,
                    text_rec_input_shape=(3, 48, 256), text_det_input_shape=(3, 4480, 640))
    fake = types.SimpleNamespace(model_path="m.onnx", character_dict=("blank", "a", " "))
    limits = ort_engine.ShapeLimits.from_core_config(
        to_core_config(cfg, {"text_det": fake, "text_rec": fake}, _core))
    assert limits == ort_engine.ShapeLimits(4480, 48, 256, 3200, 8, 4)
    plan = _gpu_plan(precision="fp32", device_id=1)

    def trt(stage: str, name: str) -> Dict[str, Any]:
        providers = ort_engine.provider_settings(stage, _model(stage, name), plan, limits)
        assert providers[1] == (CUDA, dict(CUDA_OPTIONS, device_id=1))
        return providers[0][1]

    rec = trt("text_rec", "PP-OCRv6_small_rec")
    assert (rec["trt_profile_min_shapes"], rec["trt_profile_opt_shapes"],
            rec["trt_profile_max_shapes"]) == ("x:1x3x48x256", "x:8x3x48x512", "x:8x3x48x3200")
    assert rec["trt_fp16_enable"] is False and rec["device_id"] == 1
    assert rec["trt_engine_cache_path"] == str(trt_home / "trt" / "fp32")
    assert trt("text_det", "PP-OCRv6_small_det")["trt_profile_max_shapes"] == "x:1x3x4480x4480"
    line = trt("textline_orientation", "PP-LCNet_x1_0_textline_ori")
    assert (line["trt_profile_min_shapes"], line["trt_profile_max_shapes"]) == \
        ("x:1x3x80x160", "x:4x3x80x160")
    page = trt("doc_orientation", "PP-LCNet_x1_0_doc_ori")
    assert page["trt_profile_max_shapes"] == "x:1x3x224x224"
    # UVDoc's input is named "input" (and is float16)
    assert trt("doc_unwarping", "UVDoc")["trt_profile_opt_shapes"] == "input:1x3x712x488"


def test_shape_profile_keeps_what_the_model_fixes():
    limits = ort_engine.ShapeLimits()
    assert ort_engine.shape_profile("text_rec", (None, 3, 48, None), limits) == (
        (1, 3, 48, 320), (6, 3, 48, 640), (6, 3, 48, 3200))
    assert ort_engine.shape_profile("text_rec", (None, 3, 32, None), limits)[2] == (6, 3, 32, 3200)
    assert ort_engine.shape_profile("text_det", (1, 3, 640, 640), limits) is None  # all static
    assert ort_engine.shape_profile("text_det", (None, 3, None), limits) is None   # not NCHW


def test_cpu_and_fallback_provider_lists():
    det = _model("text_det", "PP-OCRv5_mobile_det")
    cpu = EnginePlan("onnxruntime", "cpu", cpu_threads=2)
    assert ort_engine.provider_settings("text_det", det, cpu, ort_engine.ShapeLimits()) == \
        [(CPU, {})]
    auto = _gpu_plan(use_tensorrt=False, precision="fp32", cpu_fallback=True)
    assert ort_engine.provider_settings("text_det", det, auto, ort_engine.ShapeLimits()) == \
        [(CUDA, dict(CUDA_OPTIONS, device_id=0)), (CPU, {})]


def test_sessions_get_the_options_and_a_dropped_gpu_provider_fails(trt_home, caplog):
    det = _model("text_det", "PP-OCRv5_mobile_det")
    limits = ort_engine.ShapeLimits()
    fake = _FakeOrt()
    engine = ort_engine.OnnxRuntimeEngine("text_det", det, _gpu_plan(cpu_threads=3), limits, fake)
    session = fake.sessions[0]
    assert session.providers == [TRT, CUDA]
    assert session.provider_options[0]["trt_profile_max_shapes"] == "x:1x3x4000x4000"
    assert session.options.intra_op_num_threads == 3 and session.options.log_severity_level == 3
    assert (trt_home / "trt" / "fp16").is_dir()  # the engine cache exists before TensorRT writes
    out = engine.infer(np.zeros((1, 3, 64, 96), np.float32))
    assert out.shape == (1, 1, 64, 96) and out.dtype == np.float32

    # ONNX Runtime quietly drops providers whose libraries fail to load: never accepted.
    for started, message in (([CPU], "the CUDA provider is not active"),
                             ([CUDA, CPU], "the TensorRT provider is not active")):
        with pytest.raises(DeviceUnavailableError, match=message):
            ort_engine.OnnxRuntimeEngine("text_det", det, _gpu_plan(), limits,
                                         _FakeOrt(started=started))
    # ... except that device=None allowed the CPU: then it is a warning.
    auto = _gpu_plan(use_tensorrt=False, precision="fp32", cpu_fallback=True)
    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        ort_engine.OnnxRuntimeEngine("text_det", det, auto, limits, _FakeOrt(started=[CPU]))
    assert "runs on ONNX Runtime's CPU provider" in caplog.text


def test_gpu_factories_preload_cuda_libraries_once(caplog):
    """onnxruntime-gpu's pip CUDA / cuDNN libraries are outside the loader's path: the GPU
    factory asks onnxruntime to preload them, once per process; a CPU plan never does."""
    calls: List[str] = []

    def preload() -> None:
        calls.append("preload")

    fake = types.SimpleNamespace(preload_dlls=preload)
    limits = ort_engine.ShapeLimits()
    ort_engine.make_engine_factory(EnginePlan("onnxruntime", "cpu", cpu_threads=2), limits, fake)
    assert calls == []
    ort_engine.make_engine_factory(_gpu_plan(), limits, fake)
    ort_engine.make_engine_factory(_gpu_plan(use_tensorrt=False, precision="fp32"), limits, fake)
    assert calls == ["preload"]

    def broken() -> None:
        raise OSError("libcudnn.so.9: cannot open shared object file")

    with caplog.at_level(logging.WARNING, logger="ppocr_native"):
        ort_engine.make_engine_factory(_gpu_plan(), limits, types.SimpleNamespace(preload_dlls=broken))
    assert "preload_dlls() failed" in caplog.text and "libcudnn.so.9" in caplog.text
    # An onnxruntime without preload_dlls (< 1.21) is left to the system's library path.
    ort_engine.make_engine_factory(_gpu_plan(), limits, types.SimpleNamespace())


def test_a_real_cpu_session_is_configured_as_built():
    engine = ort_engine.OnnxRuntimeEngine(
        "text_rec", _model("text_rec", "PP-OCRv5_mobile_rec"),
        EnginePlan("onnxruntime", "cpu", cpu_threads=2), ort_engine.ShapeLimits(), onnxruntime)
    assert engine.providers == [CPU]
    assert engine.session_options.intra_op_num_threads == 2
    assert engine.session_options.inter_op_num_threads == 1


# -- 3. end to end on ONNX Runtime's CPU provider -----------------------------------------------

def _same_results(a: Dict[str, Any], b: Dict[str, Any]) -> None:
    assert a["rec_texts"] == b["rec_texts"]
    assert np.array_equal(a["textline_orientation_angles"], b["textline_orientation_angles"])
    assert len(a["dt_polys"]) == len(b["dt_polys"])
    if len(a["dt_polys"]):
        # Both engines read the same fp32 weights; boxes may move by a rounding pixel.
        assert np.abs(np.asarray(a["dt_polys"]) - np.asarray(b["dt_polys"])).max() <= 1
        assert np.allclose(a["rec_scores"], b["rec_scores"], atol=1e-3)


@pytest.fixture(scope="module")
def ort_reference_config():
    ocr = PaddleOCR(**REFERENCE_KWARGS, **ORT_CPU)
    assert ocr.engine == "onnxruntime on cpu (fp32)"
    return ocr


@pytest.fixture(scope="module")
def ort_default():
    return PaddleOCR(cpu_threads=THREADS, **ORT_CPU)


def test_reference_images_match_openvino(data_dir, ocr_reference_config, ort_reference_config):
    lines = 0
    for name in REFERENCE_SET:
        image = load_image(data_dir / name)
        expected = ocr_reference_config.predict(image)[0]
        _same_results(expected, ort_reference_config.predict(image)[0])
        lines += len(expected["rec_texts"])
    assert lines >= 20  # the comparison covered real text


def test_default_pipeline_matches_openvino(data_dir, ocr_default, ort_default):
    sample = ort_default.predict(str(SAMPLE))[0]
    _same_results(ocr_default.predict(str(SAMPLE))[0], sample)
    assert sample["rec_texts"][0] == "ppocr-native quick start"
    for name in DEFAULT_SET:
        image = load_image(data_dir / name)
        _same_results(ocr_default.predict(image)[0], ort_default.predict(image)[0])
    # the orientation models ran on ONNX Runtime: a page upside down, a line upside down
    turned = ort_default.predict(np.ascontiguousarray(np.rot90(load_image(SAMPLE), 2)))[0]
    assert turned["doc_preprocessor_res"]["angle"] == 180
    assert turned["rec_texts"] == sample["rec_texts"]
    line = ort_default.predict(load_image(data_dir / DEFAULT_SET[0]))[0]
    assert 1 in list(line["textline_orientation_angles"])


def test_unwarping_fp16_model_runs(data_dir):
    """UVDoc takes float16: the engine converts; texts as with OpenVINO."""
    kwargs = dict(cpu_threads=THREADS, use_doc_unwarping=True, use_doc_orientation_classify=False,
                  use_textline_orientation=False)
    image = load_image(data_dir / "rapidocr_tests" / "ch_en_num.jpg")
    ov = PaddleOCR(**kwargs).predict(image)[0]
    ort = PaddleOCR(**kwargs, **ORT_CPU).predict(image)[0]
    assert ov["rec_texts"] == ort["rec_texts"] and len(ort["rec_texts"]) >= 5


def test_openvino_ir_is_refused_by_onnxruntime(tmp_path):
    ir = tmp_path / "det"
    ir.mkdir()
    (ir / "inference.xml").write_text("<net/>")
    (ir / "inference.bin").write_bytes(b"\0")
    # raised in Python inside the core's constructor: crosses C++ unchanged
    with pytest.raises(InvalidArgumentError, match="is not ONNX: ONNX Runtime"):
        PaddleOCR(text_detection_model_dir=str(ir), use_doc_orientation_classify=False,
                  use_textline_orientation=False, **ORT_CPU)


def test_engine_failures_are_ppocr_errors():
    """A Python engine that fails or answers nonsense: PpocrError from predict, no crash."""
    class Broken:
        def __init__(self, answer):
            self.answer = answer

        def infer(self, batch):
            assert not batch.flags.writeable  # a view of the core's tensor, not a copy
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    cfg = OcrConfig(**REFERENCE_KWARGS)
    models = {"text_det": resolve_model("text_det", "PP-OCRv5_mobile_det"),
              "text_rec": resolve_model("text_rec", "PP-OCRv5_mobile_rec")}
    core_config = to_core_config(cfg, models, _core)
    image = load_image(SAMPLE)
    for answer, message in ((PpocrError("onnxruntime: boom"), "onnxruntime: boom"),
                            (ValueError("bad"), "ValueError: bad"),
                            ("text", "not a float array")):
        pipeline = _core.OcrPipeline(core_config, lambda stage, path, options: Broken(answer))
        with pytest.raises(PpocrError, match=message):
            pipeline.run(image, _core.RunOptions())
    with pytest.raises(PpocrError, match="no infer"):
        _core.OcrPipeline(core_config, lambda stage, path, options: object())
    with pytest.raises(InvalidArgumentError, match="callable"):
        _core.OcrPipeline(core_config, 42)
    stages: List[str] = []

    def recording(stage, path, options):
        stages.append(stage)
        return Broken(np.zeros((1, 1, 8, 8), np.float32))

    _core.OcrPipeline(core_config, recording)
    assert stages == ["text_det", "text_rec"]


def test_threads_share_one_pipeline(data_dir, ort_reference_config):
    """4 threads on one ONNX Runtime pipeline: the results of sequential runs, exactly."""
    images = [load_image(data_dir / name) for name in REFERENCE_SET[:4]]
    expected = [ort_reference_config.predict(image)[0] for image in images]
    barrier = threading.Barrier(4)

    def worker(offset: int) -> List[Any]:
        barrier.wait(timeout=60)
        order = [(offset + k) % len(images) for k in range(len(images))]
        return [(i, ort_reference_config.predict(images[i])[0]) for i in order]

    with ThreadPoolExecutor(4) as pool:
        runs = [f.result(timeout=300) for f in [pool.submit(worker, t) for t in range(4)]]
    for run in runs:
        for i, got in run:
            assert got["rec_texts"] == expected[i]["rec_texts"]
            assert np.array_equal(np.asarray(got["dt_polys"]), np.asarray(expected[i]["dt_polys"]))
            assert np.array_equal(np.asarray(got["rec_scores"], np.float32),
                                  np.asarray(expected[i]["rec_scores"], np.float32))


def test_the_gil_is_free_while_onnxruntime_computes(data_dir, ort_reference_config):
    """A heartbeat thread keeps ticking during a predict on ONNX Runtime (test_robustness's
    check for OpenVINO): the engine holds the GIL only to hand tensors over."""
    image = load_image(data_dir / "wildreceipt_toy" / "1.jpeg")
    ort_reference_config.predict(image)  # warm up
    ticks: List[float] = []
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    beat = threading.Thread(target=heartbeat)
    beat.start()
    start = time.perf_counter()
    try:
        ort_reference_config.predict(image)
    finally:
        elapsed = time.perf_counter() - start
        stop.set()
        beat.join(10)
    during = [t for t in ticks if start <= t <= start + elapsed]
    assert elapsed > 0.1
    assert len(during) >= 0.3 * elapsed / 0.005, (len(during), elapsed)
