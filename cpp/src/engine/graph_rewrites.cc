#include "engine/graph_rewrites.h"

#include <string>

#include <openvino/core/graph_util.hpp>
#include <openvino/op/add.hpp>
#include <openvino/op/clamp.hpp>
#include <openvino/op/hard_sigmoid.hpp>
#include <openvino/op/multiply.hpp>

namespace ppocr {

int decompose_hard_sigmoid(ov::Model& model) {
  int replaced = 0;
  for (const auto& node : model.get_ordered_ops()) {
    if (std::string(node->get_type_name()) != "HardSigmoid") continue;
    const auto scaled = std::make_shared<ov::op::v1::Multiply>(node->input_value(0),
                                                               node->input_value(1));
    const auto shifted = std::make_shared<ov::op::v1::Add>(scaled, node->input_value(2));
    const auto clamped = std::make_shared<ov::op::v0::Clamp>(shifted, 0.0, 1.0);
    clamped->set_friendly_name(node->get_friendly_name());
    ov::replace_node(node, clamped);
    ++replaced;
  }
  if (replaced > 0) model.validate_nodes_and_infer_types();
  return replaced;
}

}  // namespace ppocr
