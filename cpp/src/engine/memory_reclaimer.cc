#include "engine/memory_reclaimer.h"

#include <unistd.h>

namespace ppocr {

namespace {

void run_quietly(const std::function<void()>& job) {
  try {
    job();
  } catch (...) {
    // Memory just stays cached until the next release.
  }
}

}  // namespace

MemoryReclaimer::~MemoryReclaimer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    jobs_.clear();
    delayed_job_ = nullptr;
  }
  changed_.notify_all();
  if (!worker_) return;
  if (worker_pid_ == ::getpid()) {
    worker_->join();
  } else {
    // A forked child's copy of the handle names a thread that does not exist here: joining
    // would block forever and destroying a joinable std::thread terminates. Leave it be.
    static_cast<void>(worker_.release());
  }
}

void MemoryReclaimer::start_worker_locked() {
  if (worker_) return;
  worker_pid_ = ::getpid();
  worker_ = std::make_unique<std::thread>([this] { work(); });
}

void MemoryReclaimer::post(std::function<void()> job) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) return;
  if (worker_ && worker_pid_ != ::getpid()) {
    lock.unlock();
    run_quietly(job);  // forked child: no worker thread here
    return;
  }
  start_worker_locked();
  jobs_.push_back(std::move(job));
  lock.unlock();
  changed_.notify_all();
}

void MemoryReclaimer::post_after(std::chrono::milliseconds delay, std::function<void()> job) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) return;
  if (worker_ && worker_pid_ != ::getpid()) return;  // forked child: memory stays cached
  start_worker_locked();
  delayed_job_ = std::move(job);
  delayed_at_ = Clock::now() + delay;
  lock.unlock();
  changed_.notify_all();
}

void MemoryReclaimer::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    const bool delayed_due = delayed_job_ && Clock::now() >= delayed_at_;
    if (stopping_) return;
    if (jobs_.empty() && !delayed_due) {
      if (delayed_job_) {
        changed_.wait_until(lock, delayed_at_);
      } else {
        changed_.wait(lock);
      }
      continue;
    }
    std::function<void()> job;
    if (!jobs_.empty()) {
      job = std::move(jobs_.front());
      jobs_.pop_front();
    } else {
      job = std::move(delayed_job_);
      delayed_job_ = nullptr;
    }
    lock.unlock();
    run_quietly(job);
    lock.lock();
  }
}

}  // namespace ppocr
