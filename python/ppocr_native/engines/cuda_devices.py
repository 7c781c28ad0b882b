"""How many NVIDIA GPUs this process can see, asked of the CUDA driver directly.

Cheap (no ONNX Runtime import) so that ``device=None`` can look for a GPU on every start.
``CUDA_VISIBLE_DEVICES`` is honoured, as the driver applies it.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Tuple

_CUDA_SUCCESS = 0
_CUDA_ERROR_NO_DEVICE = 100


def _driver_library() -> str:
    return "nvcuda.dll" if sys.platform == "win32" else "libcuda.so.1"


def visible_cuda_devices() -> Tuple[int, str]:
    """(number of visible GPUs, why none when 0 / a short description otherwise)."""
    try:
        driver = ctypes.CDLL(_driver_library())
    except OSError:
        return 0, f"no NVIDIA driver ({_driver_library()} cannot be loaded)"
    status = driver.cuInit(0)
    if status == _CUDA_ERROR_NO_DEVICE:
        return 0, "the NVIDIA driver sees no GPU (check CUDA_VISIBLE_DEVICES)"
    if status != _CUDA_SUCCESS:
        return 0, f"the NVIDIA driver failed to start (cuInit error {status})"
    count = ctypes.c_int(0)
    status = driver.cuDeviceGetCount(ctypes.byref(count))
    if status != _CUDA_SUCCESS:
        return 0, f"the NVIDIA driver cannot count GPUs (cuDeviceGetCount error {status})"
    if count.value == 0:
        return 0, "the NVIDIA driver sees no GPU (check CUDA_VISIBLE_DEVICES)"
    return count.value, f"{count.value} GPU(s) visible"
