"""A plain Python/numpy version of PaddleOCR's pre- and post-processing, for benchmarks only.

It does what the official PaddleOCR 3.x pipeline does around its two models, in the same
style (numpy arrays, OpenCV's Python bindings, pyclipper for the polygon offset), so that
the C++ core can be timed against it stage by stage (``bench_stages.py``) and end to end
(``pipeline.PurePythonOCR`` in ``bench_e2e.py``). Written from the published algorithms;
not part of the ppocr-native package.

Needs numpy, opencv-python(-headless) and pyclipper (``make bench`` installs pyclipper).
"""

from .crop import get_minarea_rect_crop, get_rotate_crop_image, sorted_boxes
from .det import db_postprocess, det_input_size, det_preprocess, mini_box, unclip
from .rec import REC_HEIGHT, ctc_decode, rec_batch_tensor, rec_resize_norm, rec_widths

__all__ = [
    "REC_HEIGHT", "ctc_decode", "db_postprocess", "det_input_size", "det_preprocess",
    "get_minarea_rect_crop", "get_rotate_crop_image", "mini_box", "rec_batch_tensor",
    "rec_resize_norm", "rec_widths", "sorted_boxes", "unclip",
]
