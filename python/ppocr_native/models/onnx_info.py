"""A dependency-free ONNX reader: metadata, graph input and output shapes (no ``onnx``
package); and the input shape an OpenVINO IR declares."""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from types import MappingProxyType
import re
from typing import Iterator, Mapping, Optional, Tuple, Union

# Field numbers from onnx.proto:
#   ModelProto: graph=7, metadata_props=14 (StringStringEntryProto key=1 value=2)
#   GraphProto: initializer=5 (TensorProto name=8), input=11, output=12 (ValueInfoProto
#   name=1 type=2)
#   TypeProto: tensor_type=1 -> shape=2 -> dim=1 -> dim_value=1 | dim_param=2
# Everything else is skipped by its wire type; length-delimited fields
# (the weights) are skipped by moving an offset, never copied.

_VARINT, _FIXED64, _LEN, _FIXED32 = 0, 1, 2, 5

# typing.Union, not "|": these aliases are evaluated at runtime (Python 3.9).
_Buffer = Union[bytes, mmap.mmap]
_Shape = Tuple[Union[int, str, None], ...]
Dims = Tuple[Optional[int], ...]   # None: a dynamic dimension


@dataclass(frozen=True)
class OnnxInfo:
    """What the model manager needs from an ONNX file.

    ``outputs``: (name, dims) per graph output; a dim is an int, a symbolic
    name (str) or None when unknown.
    """

    metadata: Mapping[str, str]
    outputs: tuple[tuple[str, _Shape], ...]


def read_onnx_info(path: str | os.PathLike[str]) -> OnnxInfo:
    """Read metadata_props and output shapes of an ONNX file via mmap."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise ValueError(f"{path}: empty file")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            return parse_onnx_info(mm)


def parse_onnx_info(buf: _Buffer) -> OnnxInfo:
    """Parse a serialized ModelProto (``bytes`` or ``mmap``); ValueError if malformed."""
    metadata: dict[str, str] = {}
    outputs: tuple[tuple[str, _Shape], ...] = ()
    for field, wire, start, end in _fields(buf, 0, len(buf)):
        if wire != _LEN:
            continue
        if field == 14:
            key, value = _string_entry(buf, start, end)
            metadata[key] = value
        elif field == 7:
            outputs = _graph_outputs(buf, start, end)
    return OnnxInfo(MappingProxyType(metadata), outputs)


def _read_varint(buf: _Buffer, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end:
            raise ValueError("truncated protobuf varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("protobuf varint too long")


def _fields(buf: _Buffer, pos: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield (field number, wire type, a, b) for each field in buf[pos:end].

    For varints ``a`` is the value; otherwise buf[a:b] is the payload.
    """
    while pos < end:
        tag, pos = _read_varint(buf, pos, end)
        field, wire = tag >> 3, tag & 7
        if field == 0:
            raise ValueError("protobuf field number 0")
        if wire == _VARINT:
            value, pos = _read_varint(buf, pos, end)
            yield field, wire, value, pos
            continue
        if wire == _LEN:
            size, pos = _read_varint(buf, pos, end)
        elif wire == _FIXED64:
            size = 8
        elif wire == _FIXED32:
            size = 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos + size > end:
            raise ValueError("truncated protobuf field")
        yield field, wire, pos, pos + size
        pos += size


def _submessages(buf: _Buffer, start: int, end: int, number: int) -> Iterator[tuple[int, int]]:
    for field, wire, a, b in _fields(buf, start, end):
        if field == number and wire == _LEN:
            yield a, b


def _string_entry(buf: _Buffer, start: int, end: int) -> tuple[str, str]:
    key = value = ""
    for field, wire, a, b in _fields(buf, start, end):
        if wire == _LEN and field in (1, 2):
            text = bytes(buf[a:b]).decode("utf-8")
            key, value = (text, value) if field == 1 else (key, text)
    return key, value


def _graph_outputs(buf: _Buffer, start: int, end: int) -> tuple[tuple[str, _Shape], ...]:
    return tuple(_value_info(buf, a, b) for a, b in _submessages(buf, start, end, 12))


def _value_info(buf: _Buffer, start: int, end: int) -> tuple[str, _Shape]:
    name: str = ""
    dims: _Shape = ()
    for field, wire, a, b in _fields(buf, start, end):
        if wire != _LEN:
            continue
        if field == 1:
            name = bytes(buf[a:b]).decode("utf-8")
        elif field == 2:
            for ta, tb in _submessages(buf, a, b, 1):  # TypeProto.tensor_type
                for sa, sb in _submessages(buf, ta, tb, 2):  # Tensor.shape
                    dims = tuple(_dim(buf, da, db) for da, db in _submessages(buf, sa, sb, 1))
    return name, dims


def _dim(buf: _Buffer, start: int, end: int) -> int | str | None:
    for field, wire, a, b in _fields(buf, start, end):
        if field == 1 and wire == _VARINT:
            return a - (1 << 64) if a >= 1 << 63 else a  # int64 two's complement
        if field == 2 and wire == _LEN:
            return bytes(buf[a:b]).decode("utf-8")
    return None


def onnx_model_input(model_path: str | os.PathLike[str]) -> tuple[str, Dims]:
    """(name, dims) of the model's first real input (initializers listed as inputs skipped)."""
    with open(model_path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        for field, wire, start, end in _fields(buf, 0, len(buf)):
            if field != 7 or wire != _LEN:
                continue
            weights = {_tensor_name(buf, a, b) for a, b in _submessages(buf, start, end, 5)}
            for a, b in _submessages(buf, start, end, 11):
                name, dims = _value_info(buf, a, b)
                if name not in weights:
                    return name, tuple(d if isinstance(d, int) and d > 0 else None for d in dims)
    raise ValueError(f"{model_path} declares no graph input")


def _tensor_name(buf: _Buffer, start: int, end: int) -> str:
    for field, wire, a, b in _fields(buf, start, end):
        if field == 8 and wire == _LEN:
            return bytes(buf[a:b]).decode("utf-8")
    return ""


# <layer ... type="Parameter" ...> <data shape="?,3,48,192" .../>: the first Parameter.
_IR_PARAMETER_SHAPE = re.compile(
    r'<layer\b[^>]*\btype="Parameter"[^>]*>\s*<data\b[^>]*\bshape="([^"]*)"', re.S)


def model_input_dims(model_path: str | os.PathLike[str]) -> Dims | None:
    """The first input's dims of an ONNX file or OpenVINO IR (.xml), None if unreadable."""
    try:
        if str(model_path).lower().endswith(".xml"):
            with open(model_path, encoding="utf-8", errors="replace") as f:
                match = _IR_PARAMETER_SHAPE.search(f.read(1 << 20))  # the inputs come first
            if not match:
                return None
            parts = [p.strip() for p in match.group(1).split(",")]
            return tuple(int(p) if p.isdigit() and int(p) > 0 else None for p in parts)
        return onnx_model_input(model_path)[1]
    except (OSError, ValueError):
        return None
