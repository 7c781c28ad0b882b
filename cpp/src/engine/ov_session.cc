#include "engine/ov_session.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

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

std::shared_ptr<ov::Model> read_model(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw Error(ErrorCode::kNotFound, "model file not found: " + path);
  }
  try {
    auto model = shared_core().read_model(path);
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

}  // namespace

OvSession::OvSession(const std::string& model_path, const EngineOptions& options)
    : model_path_(model_path) {
  auto model = read_model(model_path);
  std::string device = options.device;
  std::transform(device.begin(), device.end(), device.begin(), ::toupper);
  ov::AnyMap properties;
  if (device == "CPU") {
    check_precision_supported(device, options.precision);
    if (options.cpu_threads > 0) {
      properties.emplace(ov::inference_num_threads(options.cpu_threads));
    }
    // Pin the precision: left alone, the CPU plugin silently picks bf16 on AMX/AVX512-BF16
    // machines, which changes recognised text.
    properties.emplace(ov::hint::inference_precision(to_ov(options.precision)));
    properties.emplace(ov::hint::performance_mode(ov::hint::PerformanceMode::LATENCY));
  }
  try {
    compiled_ = shared_core().compile_model(model, device, properties);
  } catch (const ov::Exception& e) {
    throw Error(ErrorCode::kRuntime,
                "openvino: cannot compile " + model_path + " for " + device + ": " + e.what());
  }
}

ov::InferRequest OvSession::acquire() const {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!idle_requests_.empty()) {
      ov::InferRequest request = std::move(idle_requests_.back());
      idle_requests_.pop_back();
      return request;
    }
  }
  return compiled_.create_infer_request();
}

void OvSession::release(ov::InferRequest request) const {
  std::lock_guard<std::mutex> lock(pool_mutex_);
  idle_requests_.push_back(std::move(request));
}

// Returns the borrowed request to the pool however infer() leaves.
class OvSession::RequestLease {
 public:
  explicit RequestLease(const OvSession& owner) : owner_(owner), request_(owner.acquire()) {}
  ~RequestLease() { owner_.release(std::move(request_)); }
  RequestLease(const RequestLease&) = delete;
  RequestLease& operator=(const RequestLease&) = delete;
  ov::InferRequest& get() { return request_; }

 private:
  const OvSession& owner_;
  ov::InferRequest request_;
};

Tensor OvSession::infer(const Tensor& input) const {
  ov::Shape shape(input.shape.begin(), input.shape.end());
  RequestLease lease(*this);
  try {
    // Wrap our buffer without copying; it outlives the synchronous infer() call.
    ov::Tensor in(ov::element::f32, shape, const_cast<float*>(input.data.data()));
    lease.get().set_input_tensor(in);
    lease.get().infer();
    const ov::Tensor out = lease.get().get_output_tensor(0);
    Tensor result;
    const ov::Shape out_shape = out.get_shape();  // returned by value
    result.shape.assign(out_shape.begin(), out_shape.end());
    result.data.resize(out.get_size());
    std::memcpy(result.data.data(), out.data<const float>(), out.get_byte_size());
    return result;
  } catch (const ov::Exception& e) {
    throw Error(ErrorCode::kRuntime, "openvino: inference failed for " + model_path_ + ": " + e.what());
  }
}

std::shared_ptr<const Engine> make_openvino_engine(const std::string& model_path,
                                                   const EngineOptions& options) {
  return std::make_shared<OvSession>(model_path, options);
}

}  // namespace ppocr
