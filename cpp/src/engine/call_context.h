#pragma once
// What one pipeline call tells the engines and stages it runs on, without threading a
// parameter through every stage: its schedule, how many streams it may use, and where to add
// the time spent inside models.
//
// Why thread-local: stages call Engine::infer deep inside; the engine interface stays
// "tensor in, tensor out" for every backend, and concurrent calls on other threads each see
// their own context. Threads a call starts for itself install a context of their own that
// adds to the same counter (see for_each_batch), so one call's figures never mix with another's.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>

#include "ppocr/config.h"

namespace ppocr {

// Wall time during which at least one model of a call was running. Overlapping model calls
// (batches of one image on two streams) count once, so total - busy is exactly the time the
// call spent with no model running.
class InferenceClock {
 public:
  void begin();
  void end();
  double busy_seconds() const;

 private:
  mutable std::mutex mutex_;
  int running_ = 0;
  std::chrono::steady_clock::time_point since_;
  std::chrono::steady_clock::duration busy_{};
};

struct CallContext {
  Schedule schedule = Schedule::kLatency;
  int streams = 1;                   // throughput streams the engines compile
  InferenceClock* clock = nullptr;   // the call's model time
};

// Marks a model call on the current context's clock for the scope's lifetime.
class ScopedInference {
 public:
  ScopedInference();
  ~ScopedInference();
  ScopedInference(const ScopedInference&) = delete;
  ScopedInference& operator=(const ScopedInference&) = delete;

 private:
  InferenceClock* clock_;
};

// The context of the call running on this thread; nullptr outside a pipeline call.
const CallContext* current_call_context();

// Installs `context` on this thread for the scope's lifetime (restoring the previous one).
class ScopedCallContext {
 public:
  explicit ScopedCallContext(const CallContext* context);
  ~ScopedCallContext();
  ScopedCallContext(const ScopedCallContext&) = delete;
  ScopedCallContext& operator=(const ScopedCallContext&) = delete;

 private:
  const CallContext* previous_;
};

// Runs task(0 .. count-1) on `workers` threads, this one included, each taking the next index
// until none is left (so one long task never holds up the others), with `context` installed
// on every worker (nullptr: none). Waits for all, then rethrows the first failure by index.
void run_on_workers(size_t count, size_t workers, const CallContext* context,
                    const std::function<void(size_t)>& task);

// Runs run_batch(0 .. count-1). A latency call with several batches (one image's text lines)
// spreads them over the throughput streams, one batch per stream at a time: small batches
// keep two cores busier side by side than split across both. Otherwise (one batch, or a
// throughput call whose siblings already fill the other streams) they run here in order.
// Each batch must write only its own outputs. The first failure (by batch index) is rethrown
// after every started batch has finished.
void for_each_batch(size_t count, const std::function<void(size_t)>& run_batch);

}  // namespace ppocr
