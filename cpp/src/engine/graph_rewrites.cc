#include "engine/graph_rewrites.h"

#include "ppocr/error.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <openvino/core/graph_util.hpp>
#include <openvino/op/add.hpp>
#include <openvino/op/batch_norm.hpp>
#include <openvino/op/concat.hpp>
#include <openvino/op/clamp.hpp>
#include <openvino/op/constant.hpp>
#include <openvino/op/convert.hpp>
#include <openvino/op/convolution.hpp>
#include <openvino/op/depth_to_space.hpp>
#include <openvino/op/hard_sigmoid.hpp>
#include <openvino/op/hsigmoid.hpp>
#include <openvino/op/hswish.hpp>
#include <openvino/op/multiply.hpp>
#include <openvino/op/relu.hpp>
#include <openvino/op/sigmoid.hpp>
#include <openvino/op/softmax.hpp>
#include <openvino/op/topk.hpp>

namespace ppocr {
namespace {

bool is_type(const std::shared_ptr<ov::Node>& node, const char* type) {
  return std::string(node->get_type_name()) == type;
}

// True when input `index` of `node` is a one-element constant equal to `expected`.
bool scalar_input_equals(const std::shared_ptr<ov::Node>& node, size_t index, float expected) {
  const auto constant =
      ov::as_type_ptr<ov::op::v0::Constant>(node->input_value(index).get_node_shared_ptr());
  if (!constant || ov::shape_size(constant->get_shape()) != 1) return false;
  const std::vector<float> values = constant->cast_vector<float>();
  return std::fabs(values[0] - expected) <= 1e-6f;
}

// HSigmoid(x) is relu6(x + 3) / 6, i.e. HardSigmoid with alpha 1/6 and beta 1/2.
bool is_pytorch_hard_sigmoid(const std::shared_ptr<ov::Node>& node) {
  return scalar_input_equals(node, 1, 1.0f / 6.0f) && scalar_input_equals(node, 2, 0.5f);
}

// The Multiply consuming `hard_sigmoid` whose other operand is the hard-sigmoid's own input,
// or nullptr.
std::shared_ptr<ov::Node> swish_product(const ov::Input<ov::Node>& consumer_input,
                                        const ov::Output<ov::Node>& x) {
  const auto consumer = consumer_input.get_node()->shared_from_this();
  if (!is_type(consumer, "Multiply")) return nullptr;
  const size_t other = consumer_input.get_index() == 0 ? 1 : 0;
  return consumer->input_value(other) == x ? consumer : nullptr;
}

void replace_pytorch_hard_sigmoid(const std::shared_ptr<ov::Node>& node,
                                  HardSigmoidRewrites& counts) {
  const ov::Output<ov::Node> x = node->input_value(0);
  std::shared_ptr<ov::Node> hsigmoid;  // made only if some consumer is not a swish product
  for (const auto& target : node->output(0).get_target_inputs()) {
    if (const auto product = swish_product(target, x)) {
      const auto hswish = std::make_shared<ov::op::v4::HSwish>(x);
      hswish->set_friendly_name(product->get_friendly_name());
      ov::replace_node(product, hswish);
      ++counts.hswish;
      continue;
    }
    if (!hsigmoid) {
      hsigmoid = std::make_shared<ov::op::v5::HSigmoid>(x);
      hsigmoid->set_friendly_name(node->get_friendly_name());
      ++counts.hsigmoid;
    }
    target.replace_source_output(hsigmoid);
  }
}

void decompose_hard_sigmoid(const std::shared_ptr<ov::Node>& node, HardSigmoidRewrites& counts) {
  const auto scaled =
      std::make_shared<ov::op::v1::Multiply>(node->input_value(0), node->input_value(1));
  const auto shifted = std::make_shared<ov::op::v1::Add>(scaled, node->input_value(2));
  const auto clamped = std::make_shared<ov::op::v0::Clamp>(shifted, 0.0, 1.0);
  clamped->set_friendly_name(node->get_friendly_name());
  ov::replace_node(node, clamped);
  ++counts.clamp;
}

// ---- transposed convolution -> 1x1 convolution + DepthToSpace ----

std::shared_ptr<ov::op::v0::Constant> f32_constant(const ov::Output<ov::Node>& value) {
  const auto constant = ov::as_type_ptr<ov::op::v0::Constant>(value.get_node_shared_ptr());
  if (!constant || constant->get_element_type() != ov::element::f32) return nullptr;
  return constant;
}

// A k x k / stride k transposed convolution without padding, whose weights are f32 constants.
std::shared_ptr<ov::op::v1::ConvolutionBackpropData> as_block_deconvolution(
    const std::shared_ptr<ov::Node>& node) {
  const auto deconv = ov::as_type_ptr<ov::op::v1::ConvolutionBackpropData>(node);
  if (!deconv || deconv->get_input_size() != 2 || !f32_constant(deconv->input_value(1))) {
    return nullptr;
  }
  const ov::Shape weights = deconv->get_input_shape(1);  // [C_in, C_out, kH, kW]
  if (weights.size() != 4 || weights[2] != weights[3]) return nullptr;
  const size_t k = weights[2];
  const auto zero = [](const ov::CoordinateDiff& pads) {
    return std::all_of(pads.begin(), pads.end(), [](std::ptrdiff_t p) { return p == 0; });
  };
  const bool block = deconv->get_strides() == ov::Strides{k, k} &&
                     deconv->get_dilations() == ov::Strides{1, 1} &&
                     zero(deconv->get_pads_begin()) && zero(deconv->get_pads_end()) &&
                     zero(deconv->get_output_padding()) &&
                     (deconv->get_auto_pad() == ov::op::PadType::EXPLICIT ||
                      deconv->get_auto_pad() == ov::op::PadType::NOTSET);
  return block ? deconv : nullptr;
}

// The deconvolution's weights [C_in, C_out, k, k] as 1x1 convolution weights
// [C_out*k*k, C_in, 1, 1]: output channel o*k*k + dy*k + dx paints offset (dy, dx) of
// channel o, which is what DepthToSpace's DEPTH_FIRST mode expects.
std::shared_ptr<ov::op::v0::Constant> block_weights(const ov::op::v0::Constant& weights) {
  const ov::Shape shape = weights.get_shape();
  const size_t in = shape[0], out = shape[1], kk = shape[2] * shape[3];
  const float* w = weights.get_data_ptr<float>();
  std::vector<float> result(out * kk * in);
  for (size_t c = 0; c < in; ++c) {
    for (size_t o = 0; o < out; ++o) {
      for (size_t j = 0; j < kk; ++j) result[(o * kk + j) * in + c] = w[(c * out + o) * kk + j];
    }
  }
  return ov::op::v0::Constant::create(ov::element::f32, {out * kk, in, 1, 1}, result);
}

// `values` (one per channel) with each value repeated `times` times, in `shape`.
std::shared_ptr<ov::op::v0::Constant> repeat_per_channel(const ov::op::v0::Constant& values,
                                                         size_t times, ov::Shape shape) {
  const std::vector<float> v = values.cast_vector<float>();
  std::vector<float> repeated;
  repeated.reserve(v.size() * times);
  for (float x : v) repeated.insert(repeated.end(), times, x);
  return ov::op::v0::Constant::create(ov::element::f32, shape, repeated);
}

// A constant broadcast per channel of an NCHW tensor with `channels` channels: [1,C,1,1] or
// [C,1,1] (a bare [C] would broadcast along the width, not the channels).
bool is_per_channel(const ov::op::v0::Constant& constant, size_t channels) {
  const ov::Shape shape = constant.get_shape();
  if (shape.size() < 3 || shape.size() > 4 || ov::shape_size(shape) != channels) return false;
  return shape[shape.size() - 3] == channels;
}

// Rebuilds `op` (a per-channel op that followed the deconvolution) on `input`, which has
// k*k times the channels; nullptr when `op` is not one that commutes with DepthToSpace.
std::shared_ptr<ov::Node> per_channel_op_on_blocks(const std::shared_ptr<ov::Node>& op,
                                                   const ov::Output<ov::Node>& previous,
                                                   const ov::Output<ov::Node>& input,
                                                   size_t channels, size_t kk) {
  if (ov::is_type<ov::op::v0::Relu>(op)) return std::make_shared<ov::op::v0::Relu>(input);
  if (ov::is_type<ov::op::v0::Sigmoid>(op)) return std::make_shared<ov::op::v0::Sigmoid>(input);
  if (ov::is_type<ov::op::v1::Add>(op) || ov::is_type<ov::op::v1::Multiply>(op)) {
    const size_t other = op->input_value(0) == previous ? 1 : 0;
    const auto constant = f32_constant(op->input_value(other));
    if (!constant) return nullptr;
    std::shared_ptr<ov::Node> operand = constant;  // a scalar applies to every channel as is
    if (ov::shape_size(constant->get_shape()) != 1) {
      if (!is_per_channel(*constant, channels)) return nullptr;
      operand = repeat_per_channel(*constant, kk, {1, channels * kk, 1, 1});
    }
    if (ov::is_type<ov::op::v1::Add>(op)) return std::make_shared<ov::op::v1::Add>(input, operand);
    return std::make_shared<ov::op::v1::Multiply>(input, operand);
  }
  if (const auto norm = ov::as_type_ptr<ov::op::v5::BatchNormInference>(op)) {
    ov::OutputVector parameters{input};
    for (size_t i = 1; i < 5; ++i) {  // gamma, beta, mean, variance: [C]
      const auto constant = f32_constant(norm->input_value(i));
      if (!constant || ov::shape_size(constant->get_shape()) != channels) return nullptr;
      parameters.push_back(repeat_per_channel(*constant, kk, {channels * kk}));
    }
    return std::make_shared<ov::op::v5::BatchNormInference>(
        parameters[0], parameters[1], parameters[2], parameters[3], parameters[4],
        norm->get_eps_value());
  }
  return nullptr;
}

void replace_block_deconvolution(const std::shared_ptr<ov::op::v1::ConvolutionBackpropData>& deconv) {
  const auto weights = f32_constant(deconv->input_value(1));
  const size_t channels = weights->get_shape()[1];
  const size_t k = weights->get_shape()[2];
  ov::Output<ov::Node> blocks = std::make_shared<ov::op::v1::Convolution>(
      deconv->input_value(0), block_weights(*weights), ov::Strides{1, 1},
      ov::CoordinateDiff{0, 0}, ov::CoordinateDiff{0, 0}, ov::Strides{1, 1});
  // Move the per-channel ops that follow (through no-op Identity nodes) before DepthToSpace.
  std::shared_ptr<ov::Node> last = deconv;
  for (;;) {
    const auto targets = last->output(0).get_target_inputs();
    if (targets.size() != 1) break;
    const auto next = targets.begin()->get_node()->shared_from_this();
    if (std::string(next->get_type_name()) == "Identity") {
      last = next;
      continue;
    }
    const auto moved = per_channel_op_on_blocks(next, last->output(0), blocks, channels, k * k);
    if (!moved) break;
    blocks = moved;
    last = next;
  }
  const auto pixels = std::make_shared<ov::op::v0::DepthToSpace>(
      blocks, ov::op::v0::DepthToSpace::DepthToSpaceMode::DEPTH_FIRST, k);
  pixels->set_friendly_name(last->get_friendly_name());
  ov::replace_node(last, pixels);
}

// The softmax axis as a non-negative index, or -1 when `node` is not a Softmax.
int64_t softmax_axis(const std::shared_ptr<ov::Node>& node, int64_t rank) {
  if (const auto v1 = ov::as_type_ptr<ov::op::v1::Softmax>(node)) {
    return static_cast<int64_t>(v1->get_axis());
  }
  if (const auto v8 = ov::as_type_ptr<ov::op::v8::Softmax>(node)) {
    return v8->get_axis() < 0 ? v8->get_axis() + rank : v8->get_axis();
  }
  return -1;
}

}  // namespace

std::shared_ptr<ov::Model> append_top1_over_classes(const std::shared_ptr<ov::Model>& model,
                                                    int64_t expected_classes) {
  if (model->get_results().size() != 1) return model;
  const auto result = model->get_results()[0];
  const ov::Output<ov::Node> probabilities = result->input_value(0);
  const ov::PartialShape& shape = probabilities.get_partial_shape();
  if (shape.rank().is_dynamic() || shape.rank().get_length() != 3 || shape[2].is_dynamic() ||
      shape[2].get_length() <= 2 || probabilities.get_element_type() != ov::element::f32 ||
      softmax_axis(probabilities.get_node_shared_ptr(), 3) != 2) {
    return model;
  }
  if (shape[2].get_length() != expected_classes) {
    throw Error(ErrorCode::kInvalidArgument,
                "recognition model has " + std::to_string(shape[2].get_length()) +
                    " classes but the dictionary has " + std::to_string(expected_classes) +
                    " entries (blank and space included)");
  }
  const auto k = ov::op::v0::Constant::create(ov::element::i64, {}, {1});
  // Not `stable`: with k = 1 the CPU plugin's plain kernel already returns the first of equal
  // maxima, as CTC decoding expects (tests plant ties in 18,385-wide rows), and the stable
  // one cost 2.3x as much: 16 % of the recogniser's time for a [6, 40] batch.
  const auto top = std::make_shared<ov::op::v11::TopK>(
      probabilities, k, -1, ov::op::TopKMode::MAX, ov::op::TopKSortType::SORT_VALUES,
      ov::element::i32, /*stable=*/false);
  const auto index = std::make_shared<ov::op::v0::Convert>(top->output(1), ov::element::f32);
  const auto pairs =
      std::make_shared<ov::op::v0::Concat>(ov::OutputVector{top->output(0), index}, -1);
  return std::make_shared<ov::Model>(ov::OutputVector{pairs}, model->get_parameters(),
                                     model->get_friendly_name());
}

int rewrite_strided_deconvolution(ov::Model& model) {
  int replaced = 0;
  for (const auto& node : model.get_ordered_ops()) {
    if (const auto deconv = as_block_deconvolution(node)) {
      replace_block_deconvolution(deconv);
      ++replaced;
    }
  }
  if (replaced > 0) model.validate_nodes_and_infer_types();
  return replaced;
}

HardSigmoidRewrites rewrite_hard_sigmoid(ov::Model& model) {
  HardSigmoidRewrites counts;
  for (const auto& node : model.get_ordered_ops()) {
    if (!is_type(node, "HardSigmoid")) continue;
    if (is_pytorch_hard_sigmoid(node)) {
      replace_pytorch_hard_sigmoid(node, counts);
    } else {
      decompose_hard_sigmoid(node, counts);
    }
  }
  if (counts.total() > 0) model.validate_nodes_and_infer_types();
  return counts;
}

GraphRewrites apply_engine_rewrites(std::shared_ptr<ov::Model>& model, int64_t top1_classes) {
  GraphRewrites done;
  done.hard_sigmoid = rewrite_hard_sigmoid(*model);
  done.block_deconvolution = rewrite_strided_deconvolution(*model);
  if (top1_classes > 0) {
    const auto reduced = append_top1_over_classes(model, top1_classes);
    done.top1_output = reduced != model;
    model = reduced;
  }
  return done;
}

}  // namespace ppocr
