"""The engine's speed-only rewrite of HardSigmoid (cpp/src/engine/graph_rewrites.cc).

That the rewritten models compute the same results is covered end to end elsewhere: the
OpenVINO pipeline (rewritten) against ONNX Runtime on the original graphs
(test_gpu_engine.py) and against the official PaddleOCR outputs (test_parity.py). Here: the
rewrite finds every HardSigmoid, and turns each hard-swish product into one HSwish node.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset13 as opset
import pytest

from ppocr_native import _core
from ppocr_native.models import resolve_model


def _hard_sigmoid(x, alpha: float, beta: float):
    return opset.hard_sigmoid(x, np.float32(alpha), np.float32(beta))


def _save(tmp_path, outputs, parameter) -> str:
    path = tmp_path / "model.xml"
    ov.save_model(ov.Model(outputs, [parameter]), str(path), compress_to_fp16=False)
    return str(path)


def test_each_hard_sigmoid_use_gets_its_replacement(tmp_path):
    x = opset.parameter([1, 4, 8, 8], np.float32, name="x")
    y = opset.relu(x)
    swish_gate = _hard_sigmoid(x, 1 / 6, 0.5)
    swish = opset.multiply(x, swish_gate)             # hard-swish as Paddle exports it
    swish_reversed = opset.multiply(swish_gate, x)    # same, operands swapped
    gated_other = opset.multiply(y, swish_gate)       # a gate on another tensor: not a swish
    se_gate = _hard_sigmoid(x, 0.2, 0.5)              # other constants: Clamp decomposition
    path = _save(tmp_path, [swish, swish_reversed, gated_other, se_gate], x)

    assert _core.ops.hard_sigmoid_rewrites(path) == {"hswish": 2, "hsigmoid": 1, "clamp": 1}


def test_a_model_without_hard_sigmoid_is_left_alone(tmp_path):
    x = opset.parameter([1, 3, 4, 4], np.float32, name="x")
    path = _save(tmp_path, [opset.sigmoid(x)], x)
    assert _core.ops.hard_sigmoid_rewrites(path) == {"hswish": 0, "hsigmoid": 0, "clamp": 0}


@pytest.mark.parametrize("kind,name", [
    ("text_det", "PP-OCRv5_mobile_det"),
    ("text_rec", "PP-OCRv5_mobile_rec"),
    ("text_det", "PP-OCRv6_small_det"),
    ("text_rec", "PP-OCRv6_small_rec"),
])
def test_every_hard_sigmoid_of_the_pp_ocr_models_is_rewritten(kind, name):
    path = str(resolve_model(kind, name).model_path)
    model = ov.Core().read_model(path)
    hard_sigmoids = [op for op in model.get_ordered_ops() if op.get_type_name() == "HardSigmoid"]
    swish_products = sum(
        1 for op in hard_sigmoids for target in op.output(0).get_target_inputs()
        if target.get_node().get_type_name() == "Multiply"
        and any(v == op.input_value(0) for v in target.get_node().input_values())
    )
    counts = _core.ops.hard_sigmoid_rewrites(path)
    assert counts["hswish"] == swish_products
    if "v5_mobile" in name:  # LCNetV3 backbones: hard-swish after almost every convolution
        assert swish_products >= 20
    # each HardSigmoid became HSwish products, one HSigmoid or one Clamp (or a mix)
    assert counts["hsigmoid"] + counts["clamp"] <= len(hard_sigmoids)
    assert counts["hswish"] + counts["hsigmoid"] + counts["clamp"] >= len(hard_sigmoids)
