"""Bad input gets a clear Python exception, never a crash; threads and the GIL."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from ppocr_native import InvalidArgumentError, ModelNotFoundError, PaddleOCR, PpocrError
from ppocr_native.image_io import load_image

from conftest import REFERENCE_KWARGS, THREADS


@pytest.mark.parametrize("image, message", [
    (np.zeros((0, 0, 3), np.uint8), "empty"),
    (np.zeros((10, 10, 3), np.float32), "uint8"),
    (np.zeros((10, 10, 3), np.uint16), "uint8"),
    (np.zeros((10, 10, 2), np.uint8), "shape"),
    (np.zeros((2, 10, 10, 3), np.uint8), "shape"),
    (np.zeros((10,), np.uint8), "shape"),
])
def test_bad_arrays_raise_value_errors(ocr_reference_config, image, message):
    with pytest.raises(InvalidArgumentError, match=message):
        ocr_reference_config.predict(image)


def test_tiny_images_work(ocr_reference_config):
    for shape in [(1, 1, 3), (1, 500, 3), (500, 1, 3), (5, 5)]:
        res = ocr_reference_config.predict(np.full(shape, 255, np.uint8))[0]
        assert res["rec_texts"] == []


def test_non_contiguous_and_gray_arrays_are_accepted(data_dir, ocr_reference_config):
    import cv2

    page = cv2.imread(str(data_dir / "rapidocr_tests" / "test_without_det.jpg"))
    expected = ocr_reference_config.predict(page)[0]["rec_texts"]
    flipped_twice = page[:, ::-1][:, ::-1]  # a non-contiguous view
    assert ocr_reference_config.predict(flipped_twice)[0]["rec_texts"] == expected
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    assert ocr_reference_config.predict(gray)[0]["rec_texts"]


def test_corrupt_and_empty_files(tmp_path, ocr_reference_config):
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 100)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "text.jpg"
    text.write_text("hello")
    for path in (corrupt, empty, text):
        with pytest.raises(InvalidArgumentError):
            ocr_reference_config.predict(str(path))
    with pytest.raises(FileNotFoundError):
        ocr_reference_config.predict(str(tmp_path / "missing.png"))


def test_truncated_jpeg(data_dir, tmp_path, ocr_reference_config):
    data = (data_dir / "icdar2015_subset" / "imgs" / "img_1.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 3])
    # OpenCV decodes what is there (grey below the cut); it must not crash either way.
    try:
        ocr_reference_config.predict(str(cut))
    except InvalidArgumentError:
        pass


def test_huge_image_header_is_refused(tmp_path):
    from PIL import Image

    path = tmp_path / "huge.png"
    Image.new("1", (30000, 30000)).save(path)  # small file, 900 Mpixel image
    with pytest.raises(InvalidArgumentError, match="pixel limit"):
        load_image(path)


def test_bad_parameters():
    for kwargs in ({"text_det_thresh": -1}, {"text_det_limit_type": "middle"},
                   {"text_recognition_batch_size": 0}, {"cpu_threads": "many"},
                   {"use_textline_orientation": "yes"}, {"precision": "int4"},
                   {"device": "gpu:0"}, {"no_such_parameter": 1}):
        with pytest.raises(InvalidArgumentError):
            PaddleOCR(**kwargs)


def test_bad_predict_overrides(ocr_reference_config):
    image = np.full((64, 64, 3), 255, np.uint8)
    with pytest.raises(InvalidArgumentError):
        ocr_reference_config.predict(image, text_det_box_thresh=0)
    with pytest.raises(InvalidArgumentError):
        ocr_reference_config.predict(image, cpu_threads=4)  # not a per-call parameter
    with pytest.raises(InvalidArgumentError, match="without the"):
        ocr_reference_config.predict(image, use_doc_unwarping=True)  # module not loaded


def test_missing_and_unknown_models(tmp_path):
    with pytest.raises(FileNotFoundError):
        PaddleOCR(text_detection_model_dir=str(tmp_path / "nowhere"), cpu_threads=THREADS)
    with pytest.raises(ModelNotFoundError, match="text_detection_model_dir"):
        PaddleOCR(text_detection_model_name="PP-OCRv5_server_det", cpu_threads=THREADS)
    with pytest.raises(ValueError):
        PaddleOCR(text_recognition_model_name="no-such-model", cpu_threads=THREADS)


def test_corrupt_model_file(tmp_path):
    (tmp_path / "inference.onnx").write_bytes(b"not a model")
    with pytest.raises(RuntimeError, match="openvino"):
        PaddleOCR(text_detection_model_dir=str(tmp_path), use_doc_orientation_classify=False,
                  use_textline_orientation=False, cpu_threads=THREADS)


def test_concurrent_calls_give_the_same_results(data_dir, ocr_reference_config):
    paths = [str(data_dir / "icdar2015_subset" / "imgs" / f"img_{i}.jpg") for i in range(1, 7)]
    expected = {p: ocr_reference_config.predict(p)[0]["rec_texts"] for p in paths}
    failures = []

    def worker(order):
        for p in order:
            got = ocr_reference_config.predict(p)[0]["rec_texts"]
            if got != expected[p]:
                failures.append((p, got))

    threads = [threading.Thread(target=worker, args=(paths[i:] + paths[:i],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert failures == []


def test_gil_is_released_during_predict(data_dir, ocr_reference_config):
    """A Python heartbeat thread keeps ticking while the core works (sentencepiece's idea)."""
    path = str(data_dir / "wildreceipt_toy" / "1.jpeg")
    image = load_image(path)
    ocr_reference_config.predict(image)  # warm up shapes
    ticks = []
    stop = threading.Event()

    def heartbeat():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    t = threading.Thread(target=heartbeat)
    t.start()
    start = time.perf_counter()
    ocr_reference_config.predict(image)
    elapsed = time.perf_counter() - start
    stop.set()
    t.join()
    during = [x for x in ticks if start <= x <= start + elapsed]
    # With the GIL held the whole call, the heartbeat could not tick at all.
    assert elapsed > 0.1
    assert len(during) >= 0.3 * elapsed / 0.005, (len(during), elapsed)


def test_low_precision_only_where_the_cpu_has_it(data_dir, ocr_reference_config):
    """Refused where the CPU lacks the kernels; where it has them (AMX / AVX512-FP16 Xeons)
    it must still read a clean line as fp32 does, not just return."""
    import openvino as ov

    caps = ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    line = str(data_dir / "mmocr_rec_toy" / "imgs" / "1036169.jpg")  # 03/09/2009
    expected = ocr_reference_config.predict(line)[0]["rec_texts"]
    for precision in ("bf16", "fp16"):
        kwargs = dict(REFERENCE_KWARGS, precision=precision)
        if precision.upper() in caps:
            assert PaddleOCR(**kwargs).predict(line)[0]["rec_texts"] == expected
        else:
            with pytest.raises(InvalidArgumentError, match="not supported"):
                PaddleOCR(**kwargs)


def _overflowing_recogniser(directory) -> None:
    """A recogniser whose every probability is NaN, as a network that overflowed at low
    precision gives: [N, 3, 48, W] -> [N, W, 4] softmax over blank, 'a', 'b', space."""
    import openvino as ov
    import openvino.opset13 as opset

    x = opset.parameter([-1, 3, 48, -1], np.float32, name="x")
    columns = opset.transpose(opset.reduce_mean(x, np.int64([2]), False), np.int64([0, 2, 1]))
    logits = opset.matmul(columns, opset.constant(np.ones((3, 4), np.float32)), False, False)
    poisoned = opset.multiply(logits, opset.constant(np.float32(np.nan)))
    ov.save_model(ov.Model([opset.softmax(poisoned, -1)], [x]), str(directory / "inference.xml"),
                  compress_to_fp16=False)
    (directory / "dict.txt").write_text("a\nb\n", encoding="utf-8")


def test_a_recogniser_that_overflows_raises_instead_of_returning_blank_lines(data_dir, tmp_path):
    _overflowing_recogniser(tmp_path)
    ocr = PaddleOCR(**{**REFERENCE_KWARGS, "text_recognition_model_dir": str(tmp_path)})
    with pytest.raises(PpocrError, match="recognition model produced NaN"):
        ocr.predict(str(data_dir / "mmocr_rec_toy" / "imgs" / "1036169.jpg"))
