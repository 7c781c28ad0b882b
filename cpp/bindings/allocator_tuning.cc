#include "allocator_tuning.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ppocr_py {

// Why: glibc raises its mmap threshold each time a large mmapped block is freed (up to
// 32 MiB), so after a few pages the model's multi-megabyte activation buffers come from the
// heap instead, and freed heap memory is rarely returned: RSS climbs with every new input
// shape. Pinning the threshold at its initial 128 KiB keeps large buffers in mmap, which
// munmap gives back at once. Measured on the 43 shared images: peak RSS 1.7 GB -> 1.0 GB
// together with releasing OpenVINO's buffers between calls (README, "Memory").
// Process-wide, hence in the Python module only (the C++ library never changes the
// allocator settings of the program embedding it), and switchable off.
void tune_allocator() {
#if defined(__GLIBC__)
  const char* setting = std::getenv("PPOCR_NATIVE_MALLOC_TUNING");
  if (setting != nullptr && std::strcmp(setting, "0") == 0) return;
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

}  // namespace ppocr_py
