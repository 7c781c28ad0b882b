#include "engine/oversized_buffers.h"

#include <algorithm>

namespace ppocr {

bool OversizedBuffers::note_call(std::int64_t pixels) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Page area stands in for the buffers' size: the detector's dominate, and they scale with it.
  if (2 * pixels > sized_for_) {
    sized_for_ = std::max(sized_for_, pixels);
    small_calls_ = 0;
    return false;
  }
  return ++small_calls_ >= kCalls;
}

void OversizedBuffers::released() {
  std::lock_guard<std::mutex> lock(mutex_);
  sized_for_ = 0;
  small_calls_ = 0;
}

}  // namespace ppocr
