#pragma once
// Hands engines' working memory back to the system off the caller's path.
//
// Why: freeing a detector's buffers for a large page unmaps hundreds of MB, and the kernel's
// page-table teardown took ~3 % of single-image wall time on the calling thread (perf, 43
// shared images). The caller does not need to wait for it: the next inference on the same
// engine is serialised against a release by the engine itself (OvSession's busy lock), so the
// release can run on a worker of its own while the call goes on with recognition or returns.
// The same worker runs the pipeline's "idle for idle_release_ms" release (post_after).
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <sys/types.h>

namespace ppocr {

class MemoryReclaimer {
 public:
  MemoryReclaimer() = default;
  // Waits for the job running now; jobs not yet started are dropped (their engines go too).
  ~MemoryReclaimer();
  MemoryReclaimer(const MemoryReclaimer&) = delete;
  MemoryReclaimer& operator=(const MemoryReclaimer&) = delete;

  // Runs `job` on the worker thread after the jobs posted before it. A job that throws is
  // ignored: releasing memory is an optimisation, never a reason to fail a call.
  void post(std::function<void()> job);

  // Runs `job` once `delay` has passed, replacing a delayed job not yet run: only the latest
  // one matters (the pipeline's "idle for that long" release).
  void post_after(std::chrono::milliseconds delay, std::function<void()> job);

 private:
  using Clock = std::chrono::steady_clock;
  void start_worker_locked();
  void work();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  std::function<void()> delayed_job_;  // empty: none pending
  Clock::time_point delayed_at_;
  bool stopping_ = false;
  // Started on the first post, by the process that posts: a child forked after that has no
  // such thread and runs its jobs inline instead (see post()).
  std::unique_ptr<std::thread> worker_;
  pid_t worker_pid_ = 0;
};

}  // namespace ppocr
