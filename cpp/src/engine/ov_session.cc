#include "engine/ov_session.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "engine/call_context.h"
#include "engine/graph_rewrites.h"
#include "image/tensor_ops.h"
#include "ppocr/error.h"

namespace ppocr {
namespace {

// One ov::Core per process: it owns plugin state and is safe for concurrent use.
ov::Core& shared_core() {
  static ov::Core core;
  return core;
}

ov::element::Type to_ov(Precision precision) {
  switch (precision) {
    case Precision::kBf16: return ov::element::bf16;
    case Precision::kFp16: return ov::element::f16;
    case Precision::kFp32: break;
  }
  return ov::element::f32;
}

std::shared_ptr<ov::Model> read_model(const std::string& path, const EngineOptions& options) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorCode::kNotFound, "model file not found: " + path);
  }
  try {
    auto model = shared_core().read_model(path);
    apply_engine_rewrites(model, options.top1_classes);
    // Feed and read float32 whatever the graph uses inside (UVDoc takes fp16): the
    // conversion becomes part of the compiled graph instead of a copy on our side.
    ov::preprocess::PrePostProcessor ppp(model);
    ppp.input(0).tensor().set_element_type(ov::element::f32);
    ppp.output(0).tensor().set_element_type(ov::element::f32);
    return ppp.build();
  } catch (const ov::Exception& e) {
    throw Error(ErrorCode::kRuntime, "openvino: cannot read model " + path + ": " + e.what());
  }
}

// Low precision only where the CPU has kernels for it: OpenVINO would otherwise quietly run
// fp32 (or emulate), and the caller would believe they got what they asked for.
void check_precision_supported(const std::string& device, Precision precision) {
  if (precision == Precision::kFp32) return;
  const std::string wanted = precision == Precision::kBf16 ? "BF16" : "FP16";
  const auto caps = shared_core().get_property(device, ov::device::capabilities);
  if (std::find(caps.begin(), caps.end(), wanted) != caps.end()) return;
  std::string have;
  for (const auto& c : caps) have += (have.empty() ? "" : ", ") + c;
  throw_invalid("precision '" + wanted + "' is not supported by this " + device + " (it offers: " +
                have + "); use precision='fp32'");
}

int throughput_stream_count(const EngineOptions& options) {
  const int threads = std::max(1, options.cpu_threads);
  const int streams = options.throughput_streams > 0 ? options.throughput_streams : threads;
  return std::min(streams, threads);
}

ov::AnyMap compile_properties(const std::string& device, const EngineOptions& options,
                              Schedule schedule) {
  ov::AnyMap properties;
  if (!options.cache_dir.empty()) properties.emplace(ov::cache_dir(options.cache_dir));
  if (device != "CPU") return properties;
  if (options.cpu_threads > 0) properties.emplace(ov::inference_num_threads(options.cpu_threads));
  if (options.runtime_cache_capacity >= 0) {
    // No typed property for it in the public headers; the plugin reads this key.
    properties.emplace("CPU_RUNTIME_CACHE_CAPACITY", options.runtime_cache_capacity);
  }
  // Pin the precision: left alone, the CPU plugin silently picks bf16 on AMX/AVX512-BF16
  // machines, which changes recognised text.
  properties.emplace(ov::hint::inference_precision(to_ov(options.precision)));
  if (schedule == Schedule::kLatency) {
    properties.emplace(ov::hint::performance_mode(ov::hint::PerformanceMode::LATENCY));
  } else {
    properties.emplace(ov::hint::performance_mode(ov::hint::PerformanceMode::THROUGHPUT));
    properties.emplace(ov::num_streams(throughput_stream_count(options)));
  }
  return properties;
}

}  // namespace

// A compiled model plus its idle infer requests.
class OvSession::CompiledVariant {
 public:
  CompiledVariant(const std::shared_ptr<ov::Model>& model, const std::string& model_path,
                  const std::string& device, const ov::AnyMap& properties) {
    try {
      compiled_ = shared_core().compile_model(model, device, properties);
    } catch (const ov::Exception& e) {
      throw Error(ErrorCode::kRuntime,
                  "openvino: cannot compile " + model_path + " for " + device + ": " + e.what());
    }
  }

  ov::InferRequest acquire() const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        ov::InferRequest request = std::move(idle_.back());
        idle_.pop_back();
        return request;
      }
    }
    return compiled_.create_infer_request();
  }

  void release_memory() const {
    try {
      compiled_.release_memory();
    } catch (const ov::Exception&) {
      // Nothing to release on this device: not an error, memory just stays cached.
    }
  }

  void release(ov::InferRequest request) const {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(request));
  }

 private:
  // create_infer_request() is thread-safe but not const in the API.
  mutable ov::CompiledModel compiled_;
  mutable std::mutex mutex_;
  mutable std::vector<ov::InferRequest> idle_;
};

namespace {

// Borrows a request and returns it to its pool however the inference leaves.
template <typename Variant>
class RequestLease {
 public:
  explicit RequestLease(const Variant& pool) : pool_(pool), request_(pool.acquire()) {}
  ~RequestLease() { pool_.release(std::move(request_)); }
  RequestLease(const RequestLease&) = delete;
  RequestLease& operator=(const RequestLease&) = delete;
  ov::InferRequest& get() { return request_; }

 private:
  const Variant& pool_;
  ov::InferRequest request_;
};

}  // namespace

OvSession::OvSession(const std::string& model_path, const EngineOptions& options)
    : model_path_(model_path), device_(options.device), options_(options) {
  std::transform(device_.begin(), device_.end(), device_.begin(), ::toupper);
  if (device_ == "CPU") check_precision_supported(device_, options.precision);
  latency_ = std::make_unique<CompiledVariant>(read_model(model_path, options), model_path, device_,
                                               compile_properties(device_, options, Schedule::kLatency));
}

OvSession::~OvSession() {
  if (throughput_compile_.valid()) throughput_compile_.wait();
}

void OvSession::release_memory() const {
  std::unique_lock<std::shared_mutex> idle(busy_, std::try_to_lock);
  if (!idle.owns_lock()) return;
  latency_->release_memory();
  if (const CompiledVariant* throughput = throughput_ready_.load()) throughput->release_memory();
}

void OvSession::compile_throughput_variant() const {
  try {
    // Read again rather than keep the graph (and its weights) alive for a compile that may
    // never come; with cache_dir set this is a file read.
    throughput_ = std::make_unique<CompiledVariant>(
        read_model(model_path_, options_), model_path_, device_,
        compile_properties(device_, options_, Schedule::kThroughput));
    throughput_ready_.store(throughput_.get());
  } catch (...) {
    // Calls stay on the latency compilation, which already works: slower, never wrong.
  }
}

const OvSession::CompiledVariant& OvSession::variant_for(Schedule schedule) const {
  // Streams are a CPU-plugin notion here, and one stream is what the latency compilation is.
  if (schedule == Schedule::kLatency || device_ != "CPU" || throughput_stream_count(options_) <= 1) {
    return *latency_;
  }
  if (const CompiledVariant* ready = throughput_ready_.load()) return *ready;
  std::call_once(throughput_started_, [this] {
    throughput_compile_ = std::async(std::launch::async, [this] { compile_throughput_variant(); });
  });
  return *latency_;
}

Tensor OvSession::infer(const Tensor& input) const {
  const CallContext* context = current_call_context();
  const CompiledVariant& variant =
      variant_for(context != nullptr ? context->schedule : Schedule::kLatency);
  ov::Shape shape(input.shape.begin(), input.shape.end());
  const ScopedInference timed;
  const std::shared_lock<std::shared_mutex> running(busy_);
  RequestLease<CompiledVariant> lease(variant);
  Tensor result;
  try {
    // Wrap our buffer without copying; it outlives the synchronous infer() call.
    ov::Tensor in(ov::element::f32, shape, const_cast<float*>(input.data.data()));
    lease.get().set_input_tensor(in);
    lease.get().infer();
    const ov::Tensor out = lease.get().get_output_tensor(0);
    const ov::Shape out_shape = out.get_shape();  // returned by value
    result.shape.assign(out_shape.begin(), out_shape.end());
    assign_zeros(result.data, out.get_size());  // huge pages: a page-sized map is megabytes
    std::memcpy(result.data.data(), out.data<const float>(), out.get_byte_size());
  } catch (const ov::Exception& e) {
    throw Error(ErrorCode::kRuntime, "openvino: inference failed for " + model_path_ + ": " + e.what());
  }
  return result;
}

std::shared_ptr<const Engine> make_openvino_engine(const std::string& model_path,
                                                   const EngineOptions& options) {
  return std::make_shared<OvSession>(model_path, options);
}

}  // namespace ppocr
