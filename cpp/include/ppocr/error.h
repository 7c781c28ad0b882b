#pragma once
// The one exception type the core throws. Library code never prints or exits: every
// failure reaches the caller as a ppocr::Error whose code tells the binding which Python
// exception to raise.
#include <stdexcept>
#include <string>

namespace ppocr {

enum class ErrorCode {
  kInvalidArgument,  // bad image, bad parameter value -> ValueError
  kNotFound,         // missing model file -> FileNotFoundError
  kRuntime,          // inference or internal failure -> RuntimeError
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

[[noreturn]] inline void throw_invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

}  // namespace ppocr
