#pragma once
#include <vector>

#include "ppocr/types.h"

namespace ppocr {

// Reading order, as PaddleOCR sorts quads: by the top-left corner (y, then x), then a
// bubble pass that puts boxes whose top-left y differs by less than 10 px left-to-right.
// Returns the permutation: order[i] is the index of the i-th box in reading order.
std::vector<size_t> reading_order(const std::vector<Quad>& quads);

}  // namespace ppocr
