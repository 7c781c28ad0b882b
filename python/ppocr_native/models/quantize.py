"""``precision="int8"``: the detector and recogniser quantised once with NNCF, then cached.

Recipe (each step measured, README "Precision"):

1. the engine's own graph rewrites first (hard-swish as one node, strided transposed
   convolutions as convolution + DepthToSpace), so int8 kernels meet the graph the engine
   runs: quantising the original ONNX graph made the recogniser slower than fp32 (0.83x);
2. OpenVINO's offline transformations with constant folding: Paddle2ONNX computes depthwise
   weights' shapes at run time (ShapeOf -> Reshape), which NNCF cannot quantise correctly;
   folded, the detector's int8 output stops losing whole text regions;
3. NNCF post-training quantisation, ``MIXED`` preset (asymmetric activations: the
   hard-swish outputs are not symmetric around zero), calibrated on pages drawn by
   ``calibration``; left in floating point: the detector's head (everything after the last
   feature concatenation, whose output is thresholded at 0.3) and the recogniser's first three
   convolutions (the stem sees raw pixels: quantised, 35 % of lines read otherwise, 19 % when
   kept).

The result is an OpenVINO IR under ``<cache root>/int8/<stage>-<digest>/``, the digest covering
the source model's bytes, this recipe and the NNCF/OpenVINO versions, so a changed model or
recipe is quantised anew; entries no process has loaded for 30 days are removed.
Quantising takes about a minute per model on two cores (``ppocr models download --int8``
does it ahead of time, e.g. while building a service's image).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import random
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, List

from ..errors import InvalidArgumentError
from . import calibration
from .cache import cache_dir, file_sha256
from .resolve import ResolvedModel

_log = logging.getLogger("ppocr_native")

RECIPE = "1"  # bump on any change to the steps above: earlier entries are then ignored
DET_PAGES = 60
REC_PAGES = 40  # about 700 text lines
REC_STEM_CONVOLUTIONS = 3
QUANTISED_STAGES = ("text_det", "text_rec")
UNUSED_AFTER_S = 30 * 24 * 3600  # an int8 entry no process has loaded for this long is removed
SCRATCH_AFTER_S = 24 * 3600  # a build's scratch folder this old was left by a killed build
_LAST_USED = "last-used"


def int8_model(model: ResolvedModel, kind: str) -> ResolvedModel:
    """`model` with its file replaced by the cached int8 IR (built on first use)."""
    if kind not in QUANTISED_STAGES:
        raise ValueError(f"int8 covers {QUANTISED_STAGES}, not {kind}")
    nncf = _import_nncf()
    import openvino as ov

    pages = DET_PAGES if kind == "text_det" else REC_PAGES
    digest = _digest(Path(model.model_path), pages, nncf.__version__, ov.__version__)
    target = int8_cache_root() / f"{kind}-{digest}"
    xml = target / "inference.xml"
    if not xml.is_file():
        _log.info("precision='int8': quantising %s %s once (about a minute)", kind, model.name)
        _build(nncf, model, kind, pages, target)
    _mark_used(target)
    drop_unused_entries(target.parent, keep=target)
    return replace(model, model_path=str(xml))


def int8_cache_root() -> Path:
    return cache_dir().parent / "int8"


def _mark_used(entry: Path) -> None:
    # Best effort: a read-only cache still works, its entries just never expire.
    with contextlib.suppress(OSError):
        (entry / _LAST_USED).touch()


def drop_unused_entries(root: Path, keep: Path) -> None:
    """Removes int8 entries no process has used for UNUSED_AFTER_S (a new package, NNCF or
    OpenVINO version, or an updated model, makes a new entry and leaves the old one behind)
    and scratch folders of builds that were killed. An entry is only ever removed whole, by
    renaming it aside first, so a process never loads half of one; one in use has been
    marked within the period and stays."""
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in root.iterdir():
            if entry == keep or not entry.is_dir():
                continue
            if entry.name.startswith("."):
                stale = now - entry.stat().st_mtime > SCRATCH_AFTER_S
            else:
                marker = entry / _LAST_USED
                stale = now - (marker if marker.exists() else entry).stat().st_mtime \
                    > UNUSED_AFTER_S
            if stale:
                _remove_entry(entry)


def _remove_entry(entry: Path) -> None:
    doomed = entry.with_name(f".removing-{entry.name}-{os.getpid()}")
    with contextlib.suppress(OSError):
        if not entry.name.startswith("."):
            os.rename(entry, doomed)
            entry = doomed
        shutil.rmtree(entry, ignore_errors=True)


def _import_nncf() -> Any:
    try:
        import nncf
    except ImportError as exc:
        raise InvalidArgumentError(
            "precision='int8' quantises the models with NNCF, which is not installed: "
            "pip install 'ppocr-native[int8]'") from exc
    nncf.set_log_level(logging.ERROR)
    return nncf


def _digest(model_path: Path, pages: int, *versions: str) -> str:
    files = (model_path, model_path.with_suffix(".bin")) if model_path.suffix == ".xml" \
        else (model_path,)
    key = "|".join((RECIPE, str(pages), *versions, *(file_sha256(f) for f in files)))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _build(nncf: Any, model: ResolvedModel, kind: str, pages: int, target: Path) -> None:
    """Quantises into a scratch folder beside `target`, then renames it into place: a
    process that finds `target` never sees half a model, and of two racing builders the
    second simply drops its copy."""
    import openvino as ov

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        graph = _engine_graph(model.model_path, scratch / "rewritten.xml")
        quantised = _quantise(nncf, graph, kind, _samples(kind, pages, model.character_dict))
        out = scratch / "model"
        out.mkdir()
        ov.save_model(quantised, str(out / "inference.xml"), compress_to_fp16=False)
        try:
            os.rename(out, target)
        except OSError:
            if not (target / "inference.xml").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _engine_graph(model_path: str, rewritten: Path) -> Any:
    import openvino as ov
    # The public API has no constant folding of partly dynamic shape sub-graphs; this is the
    # pass set OpenVINO's own model converter runs.
    from openvino._offline_transformations import apply_moc_transformations

    from .. import _core

    _core.ops.graph_rewrites(model_path, str(rewritten), 0)
    graph = ov.Core().read_model(str(rewritten))
    apply_moc_transformations(graph, cf=True)
    return graph


def _kept_in_float(graph: Any, kind: str) -> List[str]:
    ops = graph.get_ordered_ops()
    convolutions = ("Convolution", "GroupConvolution", "ConvolutionBackpropData")
    if kind == "text_rec":
        return [op.get_friendly_name() for op in ops
                if op.get_type_name() in convolutions][:REC_STEM_CONVOLUTIONS]
    last_concat = max((i for i, op in enumerate(ops) if op.get_type_name() == "Concat"
                       and op.get_output_partial_shape(0).rank.get_length() == 4), default=len(ops))
    return [op.get_friendly_name() for op in ops[last_concat:] if op.get_type_name() in convolutions]


def _quantise(nncf: Any, graph: Any, kind: str, samples: List[Any]) -> Any:
    # NNCF draws progress bars on the console whatever its log level; library code must
    # not print, so they go nowhere.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return nncf.quantize(
            graph, nncf.Dataset(samples), subset_size=len(samples),
            preset=nncf.QuantizationPreset.MIXED,
            ignored_scope=nncf.IgnoredScope(names=_kept_in_float(graph, kind)))


def _samples(kind: str, pages: int, dictionary: Any) -> List[Any]:
    """The model's input tensors for the calibration pages, made by the core's own
    pre-processing (PaddleOCR's default detection limits: shorter side >= 64)."""
    from .. import _core

    ops = _core.ops
    if kind == "text_det":
        options = _core.TextDetOptions()
        options.limit_type = _core.parse_limit_type("min")
        options.limit_side_len = 64
        return [ops.det_input_tensor(page, options)
                for page, _ in calibration.pages(pages, dictionary)]
    options = _core.TextRecOptions()
    rng = random.Random(7)
    return [ops.rec_batch_tensor([line], options)
            for page, boxes in calibration.pages(pages, dictionary)
            for line in calibration.line_crops(page, boxes, rng)]
