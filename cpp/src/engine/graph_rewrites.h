#pragma once
// Equivalent rewrites of a model graph before it is compiled, for speed only.
#include <memory>

#include <openvino/core/model.hpp>

namespace ppocr {

// Replaces every HardSigmoid(x, alpha, beta) by Clamp(x * alpha + beta, 0, 1), the function
// it computes; returns how many were replaced. Why: OpenVINO 2026.4's CPU plugin runs
// HardSigmoid with a reference kernel and converts the tensor layout back and forth around
// each one; PP-OCR's LCNet backbones have dozens, so those conversions were about a third of
// the model time. Multiply/Add/Clamp fuse into the neighbouring convolutions instead.
// (Found while building the int8 preset, which applies the same rewrite before quantising.)
int decompose_hard_sigmoid(ov::Model& model);

}  // namespace ppocr
