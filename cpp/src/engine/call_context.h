#pragma once
// What one pipeline call tells the engines and stages it runs on, without threading a
// parameter through every stage: its schedule, and where to add the time spent inside models.
//
// Why thread-local: stages call Engine::infer deep inside; the engine interface stays
// "tensor in, tensor out" for every backend, and concurrent calls on other threads each see
// their own context, so one call's figures never mix with another's.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>

#include "ppocr/config.h"

namespace ppocr {

// Wall time during which at least one model of a call was running, so total - busy is exactly
// the time the call spent with no model running. A call runs its models one after another on
// its own thread today; overlapping ones (should a stage ever run some side by side) would
// count once.
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

}  // namespace ppocr
