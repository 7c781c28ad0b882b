"""The exceptions ppocr-native raises.

The C++ core throws one error type with a code; the binding maps the code to one of these,
so callers can catch ppocr-native's failures by meaning and still catch them as the
built-in they derive from.
"""


class PpocrError(RuntimeError):
    """Inference or internal failure (OpenVINO, OpenCV, a model that misbehaves)."""


class InvalidArgumentError(ValueError):
    """A bad input image or parameter value."""


class DeviceUnavailableError(InvalidArgumentError):
    """The requested device cannot be used here: no GPU visible, no CUDA/TensorRT provider.

    An InvalidArgumentError, because ``device=`` (or ``use_tensorrt=``) asked for it; it is
    raised instead of silently running somewhere else.
    """


class ModelNotFoundError(FileNotFoundError):
    """A model that is missing, unknown, or cannot be downloaded here."""


class InputFetchError(OSError):
    """An input URL could not be downloaded: unreachable, timed out, or an HTTP error."""

    def __init__(self, message: str, url: str = "", status: "int | None" = None):
        super().__init__(message)
        self.url = url
        self.status = status
