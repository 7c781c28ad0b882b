#pragma once
// Tells a busy pipeline when its engines' buffers have outgrown the pages that come now.
//
// Why: OpenVINO keeps each infer request's buffers sized for the largest input since they
// were last released, and the pipeline releases them only once it goes idle
// (idle_release_ms). Under continuous load — a batch job, a busy service — it never goes
// idle, so one outsized page pinned its hundreds of MB for the rest of the run: a 1,920 x
// 2,560 page among small ones took a default pipeline from 707 to 1,665 MB, and it stayed at
// 1,677 MB through the 30 small pages after (739 MB with this). Releasing after every call
// (idle_release_ms = 0) costs ~10 % in page faults; releasing once the buffers are at least
// twice what each of the last kCalls calls needed costs one re-fault per outsized page that
// has passed, and nothing while pages of that size keep coming.
#include <cstdint>
#include <mutex>

namespace ppocr {

class OversizedBuffers {
 public:
  // How many calls in a row must need at most half of what the buffers are sized for.
  static constexpr int kCalls = 16;

  // Records a call on a page of `pixels`; true when the buffers should go back now.
  bool note_call(std::int64_t pixels);
  // The buffers went back: the calls from now on size them afresh.
  void released();

 private:
  std::mutex mutex_;
  std::int64_t sized_for_ = 0;  // the largest page since the last release
  int small_calls_ = 0;         // calls in a row that needed at most half of it
};

}  // namespace ppocr
