#include "python_engine.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "ppocr/error.h"

namespace py = pybind11;

namespace ppocr_py {
namespace {

// A Python reference that is dropped with the GIL held, whichever thread releases it: the core
// destroys engines with the GIL released (e.g. when building a pipeline fails half-way).
class GilSafeObject {
 public:
  explicit GilSafeObject(py::object object) : object_(std::move(object)) {}
  ~GilSafeObject() {
    py::gil_scoped_acquire gil;
    object_ = py::object();
  }
  GilSafeObject(const GilSafeObject&) = delete;
  GilSafeObject& operator=(const GilSafeObject&) = delete;

  // Only with the GIL held.
  const py::object& get() const { return object_; }

 private:
  py::object object_;
};

// A read-only ndarray over the tensor's own buffer: no copy. The tensor outlives the call
// that uses the view; the base object only stops numpy from copying or freeing the buffer.
py::array readonly_view(const ppocr::Tensor& tensor) {
  const std::vector<py::ssize_t> shape(tensor.shape.begin(), tensor.shape.end());
  py::array_t<float> view(shape, tensor.data.data(), py::none());
  view.attr("flags").attr("writeable") = false;
  return view;
}

// The output is copied once, into the Tensor that the core owns.
ppocr::Tensor to_tensor(const py::handle& output, const std::string& model_path) {
  auto array = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(output);
  if (!array) {
    throw ppocr::Error(ppocr::ErrorCode::kRuntime,
                       "the engine for " + model_path + " returned " +
                           std::string(py::str(py::type::of(output))) + ", not a float array");
  }
  ppocr::Tensor tensor;
  tensor.shape.assign(array.shape(), array.shape() + array.ndim());
  tensor.data.assign(array.data(), array.data() + array.size());
  return tensor;
}

// "Type: message" of a Python exception; ppocr_native's own PpocrError already carries a
// prefix naming the runtime ("onnxruntime: ..."), so its type is left out. GIL held.
std::string describe(const py::error_already_set& error) {
  const std::string type = py::str(error.type().attr("__name__"));
  const std::string message = py::str(error.value());
  return type == "PpocrError" ? message : type + ": " + message;
}

class PythonEngine final : public ppocr::Engine {
 public:
  PythonEngine(py::object session, std::string model_path)
      : session_(std::move(session)), model_path_(std::move(model_path)) {}

  // Takes the GIL (the core calls with it released); the Python session releases it again
  // for the inference itself, so concurrent calls overlap there.
  ppocr::Tensor infer(const ppocr::Tensor& input) const override {
    py::gil_scoped_acquire gil;
    std::string failure;
    try {
      const py::object output = session_.get().attr("infer")(readonly_view(input));
      return to_tensor(output, model_path_);
    } catch (py::error_already_set& e) {
      failure = describe(e);  // while the GIL is held; e dies here, under it too
    }
    throw ppocr::Error(ppocr::ErrorCode::kRuntime, failure);
  }

  const std::string& model_path() const override { return model_path_; }

 private:
  GilSafeObject session_;
  std::string model_path_;
};

}  // namespace

ppocr::EngineFactory python_engine_factory(py::object factory) {
  if (!PyCallable_Check(factory.ptr())) ppocr::throw_invalid("engine_factory must be callable");
  auto shared = std::make_shared<GilSafeObject>(std::move(factory));
  return [shared](const std::string& stage, const std::string& model_path,
                  const ppocr::EngineOptions& options) -> std::shared_ptr<const ppocr::Engine> {
    py::gil_scoped_acquire gil;
    // A Python exception (e.g. DeviceUnavailableError) propagates unchanged to the caller.
    py::object session = shared->get()(stage, model_path, options);
    if (!py::hasattr(session, "infer")) {
      throw ppocr::Error(ppocr::ErrorCode::kRuntime,
                         "engine_factory returned " + std::string(py::str(py::type::of(session))) +
                             " for " + model_path + ", which has no infer() method");
    }
    return std::make_shared<PythonEngine>(std::move(session), model_path);
  };
}

}  // namespace ppocr_py
