"""ppocr-native: PaddleOCR 3.x's general OCR pipeline on a native C++/OpenVINO core.

    from ppocr_native import PaddleOCR
    ocr = PaddleOCR()
    for res in ocr.predict("page.png"):
        res.print()
"""

from .config import OcrConfig, PredictOptions
from .errors import InputFetchError, InvalidArgumentError, ModelNotFoundError, PpocrError
from .pipeline import PaddleOCR
from .result import OCRResult

__version__ = "0.1.0"

__all__ = [
    "PaddleOCR", "OCRResult", "OcrConfig", "PredictOptions",
    "PpocrError", "InvalidArgumentError", "InputFetchError", "ModelNotFoundError", "__version__",
]
