"""The engine's speed-only graph rewrites (cpp/src/engine/graph_rewrites.cc).

Each rewrite must compute the same function: here the rewritten graph (saved by
``ops.graph_rewrites``) is run against the original with OpenVINO's Python API, on small
hand-built graphs and on the real PP-OCR models. End to end, the rewritten OpenVINO pipeline
is also compared with ONNX Runtime on the original graphs (test_gpu_engine.py) and with the
official PaddleOCR outputs (test_parity.py). The recogniser's top-1 output is decoded by
the pipeline; the full probabilities by ONNX Runtime there: same texts and scores.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset13 as opset
import pytest

from ppocr_native import _core
from ppocr_native.errors import InvalidArgumentError
from ppocr_native.models import resolve_model

CORE = ov.Core()


def _save(tmp_path, outputs, parameter) -> str:
    path = tmp_path / "model.xml"
    ov.save_model(ov.Model(outputs, [parameter]), str(path), compress_to_fp16=False)
    return str(path)


def _rewrite(tmp_path, path: str) -> tuple[dict, str]:
    rewritten = str(tmp_path / "rewritten.xml")
    return _core.ops.graph_rewrites(path, rewritten), rewritten


def _outputs(path: str, data: np.ndarray) -> list[np.ndarray]:
    compiled = CORE.compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled.create_infer_request().infer({0: data})
    return [result[out] for out in compiled.outputs]


def _op_types(path: str) -> list[str]:
    return [op.get_type_name() for op in CORE.read_model(path).get_ordered_ops()]


def _assert_same_function(original: str, rewritten: str, data: np.ndarray, atol: float) -> None:
    for before, after in zip(_outputs(original, data), _outputs(rewritten, data), strict=True):
        assert before.shape == after.shape
        np.testing.assert_allclose(after, before, rtol=0, atol=atol)


def _hard_sigmoid(x, alpha: float, beta: float):
    return opset.hard_sigmoid(x, np.float32(alpha), np.float32(beta))


def test_each_hard_sigmoid_use_gets_its_replacement(tmp_path):
    x = opset.parameter([1, 4, 8, 8], np.float32, name="x")
    swish_gate = _hard_sigmoid(x, 1 / 6, 0.5)
    swish = opset.multiply(x, swish_gate)             # hard-swish as Paddle exports it
    swish_reversed = opset.multiply(swish_gate, x)    # same, operands swapped
    gated_other = opset.multiply(opset.relu(x), swish_gate)  # a gate on another tensor
    se_gate = _hard_sigmoid(x, 0.2, 0.5)              # other constants: Clamp decomposition
    path = _save(tmp_path, [swish, swish_reversed, gated_other, se_gate], x)

    counts, rewritten = _rewrite(tmp_path, path)

    assert counts == {"hswish": 2, "hsigmoid": 1, "clamp": 1, "block_deconvolution": 0,
                      "top1_output": False}
    assert "HardSigmoid" not in _op_types(rewritten)
    data = np.random.default_rng(0).uniform(-8, 8, (1, 4, 8, 8)).astype(np.float32)
    _assert_same_function(path, rewritten, data, atol=1e-6)


def _deconvolution(x, in_channels: int, out_channels: int, k: int, rng):
    weights = rng.normal(size=(in_channels, out_channels, k, k)).astype(np.float32)
    return opset.convolution_backprop_data(x, opset.constant(weights), strides=[k, k],
                                           pads_begin=[0, 0], pads_end=[0, 0], dilations=[1, 1])


def test_block_deconvolution_and_the_per_channel_ops_after_it(tmp_path):
    rng = np.random.default_rng(1)
    x = opset.parameter([1, 6, 5, 7], np.float32, name="x")
    # DB head shape: deconv -> bias -> BatchNorm -> Relu -> deconv to 1 channel -> bias -> Sigmoid
    y = _deconvolution(x, 6, 4, 2, rng)
    y = opset.add(y, opset.constant(rng.normal(size=(1, 4, 1, 1)).astype(np.float32)))
    y = opset.batch_norm_inference(y, *(opset.constant(v.astype(np.float32)) for v in (
        rng.uniform(0.5, 2, 4), rng.normal(size=4), rng.normal(size=4), rng.uniform(0.5, 2, 4))),
        epsilon=1e-5)
    y = opset.relu(y)
    y = _deconvolution(y, 4, 1, 2, rng)
    y = opset.add(y, opset.constant(np.float32([[[[0.25]]]])))
    head = opset.sigmoid(y)
    # kernel 3 / stride 3 works the same way
    wide = _deconvolution(x, 6, 7, 3, rng)
    wide = opset.multiply(wide, opset.constant(rng.normal(size=(7, 1, 1)).astype(np.float32)))
    path = _save(tmp_path, [head, wide], x)

    counts, rewritten = _rewrite(tmp_path, path)

    assert counts["block_deconvolution"] == 3
    types = _op_types(rewritten)
    assert "ConvolutionBackpropData" not in types and types.count("DepthToSpace") == 3
    data = rng.normal(size=(1, 6, 5, 7)).astype(np.float32)
    _assert_same_function(path, rewritten, data, atol=1e-5)


def test_overlapping_or_padded_deconvolutions_are_left_alone(tmp_path):
    rng = np.random.default_rng(2)
    x = opset.parameter([1, 3, 6, 6], np.float32, name="x")
    weights = opset.constant(rng.normal(size=(3, 2, 4, 4)).astype(np.float32))
    overlapping = opset.convolution_backprop_data(x, weights, strides=[2, 2], pads_begin=[0, 0],
                                                  pads_end=[0, 0], dilations=[1, 1])
    padded = opset.convolution_backprop_data(x, weights, strides=[4, 4], pads_begin=[1, 1],
                                             pads_end=[1, 1], dilations=[1, 1])
    counts, _ = _rewrite(tmp_path, _save(tmp_path, [overlapping, padded], x))
    assert counts["block_deconvolution"] == 0


@pytest.mark.parametrize("kind,name,shape", [
    ("text_det", "PP-OCRv5_mobile_det", (1, 3, 96, 160)),
    ("text_rec", "PP-OCRv5_mobile_rec", (2, 3, 48, 160)),
    ("text_det", "PP-OCRv6_small_det", (1, 3, 96, 160)),
    ("text_rec", "PP-OCRv6_small_rec", (2, 3, 48, 160)),
])
def test_the_pp_ocr_models_compute_the_same_after_rewriting(tmp_path, kind, name, shape):
    path = str(resolve_model(kind, name).model_path)
    counts, rewritten = _rewrite(tmp_path, path)

    assert "HardSigmoid" not in _op_types(rewritten)
    if "v5_mobile" in name:  # LCNetV3: hard-swish after almost every convolution
        assert counts["hswish"] >= 20
    if kind == "text_det":  # the DB head's two 2x2/stride-2 upsamplings
        assert counts["block_deconvolution"] == 2
        # the final Sigmoid now runs before the last DepthToSpace (fused into the convolution)
        producer = CORE.read_model(rewritten).get_results()[0].input_value(0).get_node()
        assert producer.get_type_name() == "DepthToSpace"
        assert producer.input_value(0).get_node().get_type_name() == "Sigmoid"
    data = np.random.default_rng(3).uniform(-1, 1, shape).astype(np.float32)
    _assert_same_function(path, rewritten, data, atol=2e-5)


def _recogniser_like(tmp_path, classes: int, softmax_last: bool = True) -> str:
    x = opset.parameter([2, 3, 5], np.float32, name="x")  # [N, T, features]
    weights = np.random.default_rng(4).normal(size=(5, classes)).astype(np.float32)
    logits = opset.matmul(x, opset.constant(weights), False, False)
    out = opset.softmax(logits, -1) if softmax_last else opset.relu(logits)
    return _save(tmp_path, [out], x)


def test_top1_output_is_the_softmax_maximum_and_its_first_index(tmp_path):
    path = _recogniser_like(tmp_path, classes=7)
    plain_path = tmp_path / "plain.xml"
    plain = _core.ops.graph_rewrites(path, str(plain_path))
    counts = _core.ops.graph_rewrites(path, str(tmp_path / "top1.xml"), top1_classes=7)
    assert counts["top1_output"] and not plain["top1_output"]
    data = np.random.default_rng(5).normal(size=(2, 3, 5)).astype(np.float32)
    data[1, 2] = 0  # equal logits: every class ties, the first must win
    probs = _outputs(str(plain_path), data)[0]
    top = _outputs(str(tmp_path / "top1.xml"), data)[0]
    assert top.shape == (2, 3, 2)
    np.testing.assert_array_equal(top[..., 0], probs.max(-1))           # bit for bit
    np.testing.assert_array_equal(top[..., 1], probs.argmax(-1).astype(np.float32))
    assert top[1, 2, 1] == 0


@pytest.mark.parametrize("threads", [1, 2])
def test_top1_output_picks_the_first_of_tied_maxima_in_dictionary_wide_rows(tmp_path, threads):
    """The TopK is not 'stable' (2.3x faster); CTC decoding still needs the first index of
    equal maxima, anywhere in an 18,385-wide row: planted ties, then all-equal rows."""
    classes = 18385
    logits = opset.parameter([-1, -1, classes], np.float32, name="logits")
    path = _save(tmp_path, [opset.softmax(logits, -1)], logits)
    reduced = str(tmp_path / "top1.xml")
    assert _core.ops.graph_rewrites(path, reduced, top1_classes=classes)["top1_output"]
    compiled = CORE.compile_model(reduced, "CPU", {"INFERENCE_PRECISION_HINT": "f32",
                                                   "INFERENCE_NUM_THREADS": threads})
    request = compiled.create_infer_request()
    rng = np.random.default_rng(6)
    for trial in range(8):
        data = rng.normal(size=(6, 40, classes)).astype(np.float32)
        for row in data.reshape(-1, classes):
            row[rng.choice(classes, size=rng.integers(2, 6), replace=False)] = 10.0
        if trial == 0:
            data[:] = 1.0
        top = request.infer({0: data})[compiled.outputs[0]]
        first = data.argmax(-1)  # numpy: the first of equal maxima
        np.testing.assert_array_equal(top[..., 1], first.astype(np.float32))


def test_top1_output_needs_a_final_softmax_and_the_dictionary_size(tmp_path):
    no_softmax = _recogniser_like(tmp_path, classes=7, softmax_last=False)
    assert not _core.ops.graph_rewrites(no_softmax, top1_classes=7)["top1_output"]
    two_classes = _recogniser_like(tmp_path, classes=2)
    assert not _core.ops.graph_rewrites(two_classes, top1_classes=2)["top1_output"]
    with pytest.raises(InvalidArgumentError, match="7 classes but the dictionary has 9"):
        _core.ops.graph_rewrites(_recogniser_like(tmp_path, classes=7), top1_classes=9)

