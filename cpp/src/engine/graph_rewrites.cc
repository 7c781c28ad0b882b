#include "engine/graph_rewrites.h"

#include <cmath>
#include <string>
#include <vector>

#include <openvino/core/graph_util.hpp>
#include <openvino/op/add.hpp>
#include <openvino/op/clamp.hpp>
#include <openvino/op/constant.hpp>
#include <openvino/op/hard_sigmoid.hpp>
#include <openvino/op/hsigmoid.hpp>
#include <openvino/op/hswish.hpp>
#include <openvino/op/multiply.hpp>

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

}  // namespace

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

}  // namespace ppocr
