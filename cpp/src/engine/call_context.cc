#include "engine/call_context.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>
#include <vector>

namespace ppocr {
namespace {
thread_local const CallContext* tls_context = nullptr;
}  // namespace

const CallContext* current_call_context() { return tls_context; }

ScopedCallContext::ScopedCallContext(const CallContext* context) : previous_(tls_context) {
  tls_context = context;
}

ScopedCallContext::~ScopedCallContext() { tls_context = previous_; }

void InferenceClock::begin() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_++ == 0) since_ = std::chrono::steady_clock::now();
}

void InferenceClock::end() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--running_ == 0) busy_ += std::chrono::steady_clock::now() - since_;
}

double InferenceClock::busy_seconds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::chrono::duration<double>(busy_).count();
}

ScopedInference::ScopedInference()
    : clock_(tls_context != nullptr ? tls_context->clock : nullptr) {
  if (clock_ != nullptr) clock_->begin();
}

ScopedInference::~ScopedInference() {
  if (clock_ != nullptr) clock_->end();
}

void run_on_workers(size_t count, size_t workers, const CallContext* context,
                    const std::function<void(size_t)>& task) {
  std::vector<std::exception_ptr> errors(count);
  std::atomic<size_t> next{0};
  auto work = [&] {
    const ScopedCallContext scope(context);
    for (size_t i = next++; i < count; i = next++) {
      try {
        task(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  workers = std::max<size_t>(1, std::min(workers, count));
  {
    std::vector<std::thread> threads;
    threads.reserve(workers - 1);
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
  }
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace ppocr
