#pragma once
// Equivalent rewrites of a model graph before it is compiled, for speed only.
#include <memory>

#include <openvino/core/model.hpp>

namespace ppocr {

// How many nodes rewrite_hard_sigmoid replaced, by what.
struct HardSigmoidRewrites {
  int hswish = 0;    // x * HardSigmoid(x) with PyTorch's constants -> HSwish(x)
  int hsigmoid = 0;  // other HardSigmoid(x) with those constants -> HSigmoid(x)
  int clamp = 0;     // HardSigmoid(x) with other constants -> Clamp(x * alpha + beta, 0, 1)
  int total() const { return hswish + hsigmoid + clamp; }
};

// Replaces every HardSigmoid by an op computing the same function that the CPU plugin runs
// fused into the neighbouring convolution. Why: OpenVINO 2026.4's CPU plugin runs
// HardSigmoid with a reference kernel and converts the tensor layout back and forth around
// each one, and PP-OCR's LCNet backbones have dozens. Paddle exports hard-swish as
// `x * HardSigmoid(x, 1/6, 1/2)`: the product has a fork the plugin cannot fuse, so it stays
// a separate pass over the tensor (plus the scalar affine blocks around it) unless it
// becomes one HSwish node, which fuses into the convolution as a post-op. Measured on
// PP-OCRv5 mobile: 1.8x less detection op time and 1.25x less recognition op time than the
// plain Clamp decomposition, probability maps equal to ~1e-10.
HardSigmoidRewrites rewrite_hard_sigmoid(ov::Model& model);

// Replaces every transposed convolution whose kernel equals its stride (no overlap, no
// padding: each input pixel paints its own k x k block) by the same arithmetic as a 1x1
// convolution to C_out*k*k channels followed by DepthToSpace; returns how many. The per-channel
// ops that follow (bias Add/Multiply, BatchNorm, Relu, Sigmoid) move before the DepthToSpace,
// with their constants repeated k*k times, so they fuse into the 1x1 convolution. Why: the
// DB detection head ends with two 2x2/stride-2 transposed convolutions; the CPU plugin runs
// them with a slow kernel and the last one has a single output channel, which also leaves the
// full-resolution Sigmoid and the Relu before it as separate passes over the largest tensors.
// Measured on PP-OCRv5 mobile detection at 736x1280: ~19% less op time, maps equal to ~1e-11.
int rewrite_strided_deconvolution(ov::Model& model);

// When the model's only output is a softmax over the last axis of a [N, T, C] tensor with
// C > 2 classes, returns the model with TopK(k = 1) appended over that axis, output
// [N, T, 2]: the top probability and its class index (exact in float up to 2^24 classes);
// otherwise returns `model` unchanged. Throws ppocr::Error when C differs from
// `expected_classes`. TopK picks the first of equal maxima, as the CTC decoder's arg-max
// does, and the values are the softmax's own, so decoding gives the same texts and scores.
// Why: the recogniser's full output is T x 18,385 floats per line, most of a recognition
// call's memory, copied out and scanned once more by the decoder.
std::shared_ptr<ov::Model> append_top1_over_classes(const std::shared_ptr<ov::Model>& model,
                                                    int64_t expected_classes);

// What apply_engine_rewrites changed.
struct GraphRewrites {
  HardSigmoidRewrites hard_sigmoid;
  int block_deconvolution = 0;
  bool top1_output = false;
};

// Every rewrite the OpenVINO engine applies before compiling, in order (the one list both the
// engine and ops.graph_rewrites use). `top1_classes` as EngineOptions::top1_classes: > 0 also
// appends the top-1 output; `model` may then be replaced.
GraphRewrites apply_engine_rewrites(std::shared_ptr<ov::Model>& model, int64_t top1_classes);

}  // namespace ppocr
