"""OCRResult: one image's (or page's) result, shaped like PaddleOCR 3.x's result object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional

import cv2
import numpy as np

# Key order of PaddleOCR's printed / saved result.
_JSON_KEYS = (
    "input_path", "page_index", "model_settings", "doc_preprocessor_res", "dt_polys",
    "dt_scores", "text_det_params", "text_type", "textline_orientation_angles",
    "text_rec_score_thresh", "return_word_box", "rec_texts", "rec_scores", "rec_polys",
    "rec_boxes", "rec_polys_on_input",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class OCRResult(dict):
    """A dict of PaddleOCR's result fields with PaddleOCR's helper methods.

    Besides PaddleOCR's fields it carries ``rec_polys_on_input``: ``rec_polys`` mapped back
    onto the caller's image (``rec_polys`` are in the frame of the rotated / unwarped page,
    as in PaddleOCR), so boxes can be drawn on the original image directly.
    """

    def __init__(self, fields: Dict[str, Any], input_image: np.ndarray):
        super().__init__(fields)
        self._input_image = input_image

    # -- PaddleOCR's accessors ------------------------------------------------------------
    @property
    def json(self) -> Dict[str, Any]:
        """{'res': {...}} with numpy arrays as lists, as save_to_json writes it."""
        res = {}
        for key in _JSON_KEYS:
            if key not in self:
                continue
            value = self[key]
            if key == "doc_preprocessor_res":
                value = {k: v for k, v in value.items() if k != "output_img"}
            res[key] = _jsonable(value)
        return {"res": res}

    @property
    def img(self) -> Dict[str, Any]:
        """Visualisations as PIL images: 'ocr_res_img' (+ 'preprocessed_img' when used)."""
        from PIL import Image

        images = {"ocr_res_img": Image.fromarray(cv2.cvtColor(self._draw(), cv2.COLOR_BGR2RGB))}
        pre = self.get("doc_preprocessor_res")
        if pre is not None and pre.get("output_img") is not None:
            images["preprocessed_img"] = Image.fromarray(
                cv2.cvtColor(pre["output_img"], cv2.COLOR_BGR2RGB))
        return images

    def print(self, format_json: bool = True, indent: int = 4, ensure_ascii: bool = False) -> None:
        if format_json:
            print(json.dumps(self.json, indent=indent, ensure_ascii=ensure_ascii))
        else:
            print(self.json)

    def save_to_json(self, save_path: str, indent: int = 4, ensure_ascii: bool = False) -> Path:
        path = self._target(save_path, "_res.json")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.json, indent=indent, ensure_ascii=ensure_ascii),
                        encoding="utf-8")
        return path

    def save_to_img(self, save_path: str) -> Path:
        suffix = Path(self.get("input_path") or "x.png").suffix or ".png"
        path = self._target(save_path, "_ocr_res_img" + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        ok, encoded = cv2.imencode(path.suffix, self._draw())
        if not ok:
            raise OSError(f"cannot encode {path}")
        path.write_bytes(encoded.tobytes())
        return path

    # -- helpers --------------------------------------------------------------------------
    def _stem(self) -> str:
        input_path: Optional[str] = self.get("input_path")
        stem = Path(input_path).stem if input_path else "image"
        page = self.get("page_index")
        return stem if page is None else f"{stem}_{page}"

    def _target(self, save_path: str, suffix: str) -> Path:
        """A directory gets <input stem><suffix> inside it; a file path is used as is."""
        path = Path(save_path)
        if path.suffix and not path.is_dir():
            return path
        return path / (self._stem() + suffix)

    def _draw(self) -> np.ndarray:
        """The detector's page with every recognised box outlined and numbered."""
        pre = self.get("doc_preprocessor_res")
        page = pre["output_img"] if pre and pre.get("output_img") is not None else self._input_image
        canvas = page.copy()
        for i, poly in enumerate(np.asarray(self["rec_polys"]).reshape(-1, 4, 2)):
            pts = poly.astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(canvas, [pts], True, (0, 0, 255), 2)
            cv2.putText(canvas, str(i), tuple(int(v) for v in poly[0]), cv2.FONT_HERSHEY_SIMPLEX,
                        0.5, (255, 0, 0), 1, cv2.LINE_AA)
        return canvas
