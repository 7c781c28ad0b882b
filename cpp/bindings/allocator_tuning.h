#pragma once

namespace ppocr_py {

// Keeps glibc from holding on to freed large buffers (see allocator_tuning.cc). Called once
// when the module loads; PPOCR_NATIVE_MALLOC_TUNING=0 leaves the allocator as it was.
void tune_allocator();

}  // namespace ppocr_py
