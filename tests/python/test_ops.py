"""Single-stage tests of ``ppocr_native._core.ops`` against PaddleOCR 3.x (PaddleX 3.7.2) semantics.

Every expectation is computed here, independently of the C++ core: by hand, with numpy, with
small Python re-implementations of PaddleX's reference code, or with the test environment's
own OpenCV (opencv-python-headless 4.10; the core links Debian's OpenCV 4.6, so comparisons
of resampled pixels allow a grey level or two).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from conftest import alpha_blend
from ppocr_native import _core
from ppocr_native.errors import InvalidArgumentError, PpocrError

ops = _core.ops
LT = _core.LimitType


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def det_opts(limit_side_len=64, limit_type="min", max_side_limit=4000, **kw):
    o = _core.TextDetOptions()
    o.limit_side_len = limit_side_len
    o.limit_type = _core.parse_limit_type(limit_type)
    o.max_side_limit = max_side_limit
    for k, v in kw.items():
        setattr(o, k, v)
    return o


def rec_opts(**kw):
    o = _core.TextRecOptions()
    for k, v in kw.items():
        setattr(o, k, v)
    return o


def ref_det_size(h, w, limit, limit_type, max_side_limit=4000):
    """PaddleX DetResizeForTest.resize_image_type0, transcribed (Python ints, floats, round)."""
    if limit_type == "max":
        ratio = (float(limit) / h if h > w else float(limit) / w) if max(h, w) > limit else 1.0
    elif limit_type == "min":
        ratio = (float(limit) / h if h < w else float(limit) / w) if min(h, w) < limit else 1.0
    else:
        ratio = float(limit) / max(h, w)
    rh, rw = int(h * ratio), int(w * ratio)
    if max(rh, rw) > max_side_limit:
        ratio = float(max_side_limit) / max(rh, rw)
        rh, rw = int(rh * ratio), int(rw * ratio)
    return max(int(round(rh / 32) * 32), 32), max(int(round(rw / 32) * 32), 32)


def ref_reading_order(tl_points):
    """PaddleX SortQuadBoxes on the top-left corners, returning indices."""
    idx = sorted(range(len(tl_points)), key=lambda i: (tl_points[i][1], tl_points[i][0]))
    for i in range(len(idx) - 1):
        for j in range(i, -1, -1):
            a, b = tl_points[idx[j]], tl_points[idx[j + 1]]
            if abs(b[1] - a[1]) < 10 and b[0] < a[0]:
                idx[j], idx[j + 1] = idx[j + 1], idx[j]
            else:
                break
    return idx


def rect_quad(x0, y0, x1, y1, dtype=np.int32):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=dtype)


def shoelace(points):
    p = np.asarray(points, dtype=np.float64)
    x, y = p[:, 0], p[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def dist_to_rect(points, x0, y0, x1, y1):
    """Euclidean distance of points outside/on an axis-aligned rectangle to it."""
    p = np.asarray(points, dtype=np.float64)
    dx = np.maximum(np.maximum(x0 - p[:, 0], 0), p[:, 0] - x1)
    dy = np.maximum(np.maximum(y0 - p[:, 1], 0), p[:, 1] - y1)
    return np.hypot(dx, dy)


def assert_corner_order(quad):
    """TL, TR, BR, BL as PaddleX's get_mini_boxes orders them."""
    q = np.asarray(quad, dtype=np.float64)
    # the two left corners are 0 and 3, the two right ones 1 and 2
    assert max(q[0, 0], q[3, 0]) <= min(q[1, 0], q[2, 0]), q
    assert q[0, 1] <= q[3, 1], q
    assert q[1, 1] <= q[2, 1], q


def normalise(p):
    return (np.asarray(p, dtype=np.float64) / 255.0 - 0.5) / 0.5


def smooth_image(h, w):
    """B = 2x, G = 3y, R = x + y (mod 256 kept away by the sizes used): linear ramps."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([2 * xx, 3 * yy, (xx + yy) % 256], axis=-1)
    assert img.max() < 256
    return np.ascontiguousarray(img.astype(np.uint8))


# --------------------------------------------------------------------------
# det_input_size
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "h, w, limit, limit_type, expected",
    [
        # min: 10x20 under 64 -> ratio 6.4 -> 64 x 128
        (10, 20, 64, "min", (64, 128)),
        # min, tiny image upscaled: ratio 736/5 = 147.2; 7*147.2 = 1030.4 -> 1030 -> 32.19*32 -> 1024
        (5, 7, 736, "min", (736, 1024)),
        # min, already large: untouched; 1000/32 = 31.25 -> 992; 2000/32 = 62.5 -> 62 (half even) -> 1984
        (1000, 2000, 64, "min", (992, 1984)),
        # min on the width side (w < h): ratio 64/10 = 6.4 -> 256 x 64
        (40, 10, 64, "min", (256, 64)),
        # max: nothing to shrink; 500/32 = 15.6 -> 512; 800 stays
        (500, 800, 960, "max", (512, 800)),
        # max: shrink 1920 -> 960 (ratio 0.5): 540/32 = 16.875 -> 544
        (1080, 1920, 960, "max", (544, 960)),
        (1920, 1080, 960, "max", (960, 544)),
        # resize_long: always scales the long side to the limit (up and down)
        (100, 200, 960, "resize_long", (480, 960)),
        (2000, 1000, 960, "resize_long", (960, 480)),
        # max_side_limit cap: 10000 x 300 under min 64 keeps ratio 1, then cap 4000/10000 = 0.4
        (10000, 300, 64, "min", (4000, 128)),
        (300, 10000, 64, "min", (128, 4000)),
        # rounding ties at x/32 = k + .5: 16 -> 0 -> 32 (floor), 48 -> 2, 80 -> 2 (not 3), 112 -> 4
        (16, 48, 4000, "max", (32, 64)),
        (80, 112, 4000, "max", (64, 128)),
        (208, 144, 4000, "max", (192, 128)),  # 6.5 -> 6, 4.5 -> 4
        # 1 x 1 image: floor of 32
        (1, 1, 10, "max", (32, 32)),
    ],
)
def test_det_input_size_hand_derived(h, w, limit, limit_type, expected):
    assert ref_det_size(h, w, limit, limit_type) == expected  # the reference agrees by hand
    assert ops.det_input_size(h, w, det_opts(limit, limit_type)) == expected


def test_det_input_size_max_side_cap_after_upscale():
    # min 736 on a 10 x 2000 strip: ratio 73.6 -> 736 x 147200, capped at 4000:
    # 4000/147200 -> h = int(736 * 0.02717...) = 19 -> round(0.59) = 1 -> 32; w = 4000
    assert ops.det_input_size(10, 2000, det_opts(736, "min")) == (32, 4000)
    # a smaller cap applies the same way
    assert ops.det_input_size(1000, 2000, det_opts(64, "min", max_side_limit=1000)) == (512, 992)


def test_det_input_size_matches_reference_sweep():
    rng = np.random.default_rng(1234)
    checked = 0
    for limit_type in ("min", "max", "resize_long"):
        for _ in range(300):
            h, w = (int(v) for v in rng.integers(1, 6000, size=2))
            limit = int(rng.choice([32, 64, 640, 736, 960, 1216, 4096]))
            max_side = int(rng.choice([4000, 4000, 1500]))
            got = ops.det_input_size(h, w, det_opts(limit, limit_type, max_side_limit=max_side))
            assert got == ref_det_size(h, w, limit, limit_type, max_side), (h, w, limit, limit_type)
            checked += 1
    assert checked == 900


def test_limit_type_parsing():
    assert _core.parse_limit_type("min") == LT.min
    assert _core.parse_limit_type("max") == LT.max
    assert _core.parse_limit_type("resize_long") == LT.resize_long
    with pytest.raises(ValueError):
        _core.parse_limit_type("longest")


@pytest.mark.parametrize("limit", [0, -1, -736])
def test_det_input_size_rejects_non_positive_limit(limit):
    o = det_opts(64, "min")
    o.limit_side_len = limit
    with pytest.raises(InvalidArgumentError):
        ops.det_input_size(100, 100, o)
    with pytest.raises(ValueError):
        ops.det_input_size(100, 100, o)


@pytest.mark.parametrize("h, w, max_side", [(0, 10, 4000), (10, -1, 4000), (10, 10, 0)])
def test_det_input_size_rejects_bad_sizes(h, w, max_side):
    with pytest.raises(ValueError):
        ops.det_input_size(h, w, det_opts(64, "min", max_side_limit=max_side))


def paddlex_normalize(bgr):
    """PaddleX's NormalizeImage: alpha = scale / std, beta = -mean / std in Python floats,
    applied per channel to the float32 image in float32; then HWC -> 1 x CHW."""
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    img = bgr.astype(np.float32)
    for c in range(3):
        img[..., c] *= (1.0 / 255) / std[c]
        img[..., c] += -mean[c] / std[c]
    return img.transpose(2, 0, 1)[None]


def test_det_input_tensor_is_paddlex_normalisation_bit_for_bit():
    # 64 x 256: already the detector's size (sides >= 64, multiples of 32), so no resize.
    values = np.tile(np.arange(256, dtype=np.uint8), 64).reshape(64, 256)
    bgr = np.ascontiguousarray(np.stack([values, values.T.reshape(64, 256), 255 - values], -1))
    t = ops.det_input_tensor(bgr, det_opts())
    assert t.shape == (1, 3, 64, 256) and t.dtype == np.float32
    assert np.array_equal(t, paddlex_normalize(bgr))


def test_det_input_tensor_resizes_and_pads_tiny_images():
    bgr = np.full((50, 90, 3), 128, np.uint8)  # min side 50 < 64: scaled up to 64 x 115 -> 64 x 128
    t = ops.det_input_tensor(bgr, det_opts())
    assert t.shape == (1, 3) + ops.det_input_size(50, 90, det_opts())
    assert np.array_equal(t, paddlex_normalize(np.full((64, 128, 3), 128, np.uint8)))
    tiny = np.full((10, 20, 3), 255, np.uint8)  # h + w < 64: zero-padded to 32 x 32 first
    t = ops.det_input_tensor(tiny, det_opts())
    assert t.shape[2:] == ops.det_input_size(32, 32, det_opts())


def test_det_input_size_huge_limit_does_not_overflow():
    # ratio 1e9 -> 1e9 x 3e9 (Python ints), cap 4000/3e9 -> 1333 x 4000 -> 1344 x 4000
    assert ref_det_size(1, 3, 10**9, "min") == (1344, 4000)
    assert ops.det_input_size(1, 3, det_opts(10**9, "min")) == (1344, 4000)


# --------------------------------------------------------------------------
# db_postprocess / box_score_fast
# --------------------------------------------------------------------------


def unclip_distance(w, h, ratio=1.5):
    return w * h * ratio / (2.0 * (w + h))


def test_db_single_rectangle_position_and_score():
    m = np.zeros((64, 128), np.float32)
    m[20:30, 30:90] = 0.9  # 60 x 10 pixels; contour corners (30,20)-(89,29): kernel 59 x 9
    quads, scores = ops.db_postprocess(m, 128, 64, det_opts())
    assert quads.dtype == np.int16 and quads.shape == (1, 4, 2)
    assert len(scores) == 1 and scores[0] == pytest.approx(0.9, abs=1e-6)
    d = unclip_distance(59, 9)  # 5.856
    expected = np.array([[30 - d, 20 - d], [89 + d, 20 - d], [89 + d, 29 + d], [30 - d, 29 + d]])
    np.testing.assert_allclose(quads[0], expected, atol=1.0)
    assert_corner_order(quads[0])


def test_db_map_of_nan_is_an_error_not_an_empty_page():
    """An overflowed detector gives NaN everywhere; NaN > thresh is false, so without a check
    the page would come back as having no text."""
    with pytest.raises(PpocrError, match="detection model produced NaN"):
        ops.db_postprocess(np.full((64, 128), np.nan, np.float32), 128, 64, det_opts())
    blank = ops.db_postprocess(np.zeros((64, 128), np.float32), 128, 64, det_opts())
    assert len(blank[1]) == 0  # a real empty page stays an empty result


def test_db_nan_inside_a_text_region_is_an_error_not_a_nan_score():
    """A few NaN pixels inside a region: the bitmap gets a hole, the box's mean becomes NaN and
    `box_thresh > NaN` is false, so the box would come back with score NaN."""
    m = np.zeros((64, 128), np.float32)
    m[20:30, 30:90] = 0.9
    assert len(ops.db_postprocess(m, 128, 64, det_opts())[1]) == 1
    m[24:26, 50:52] = np.nan
    with pytest.raises(PpocrError, match="detection model produced NaN"):
        ops.db_postprocess(m, 128, 64, det_opts())


def test_db_nan_or_infinity_outside_any_text_region_is_an_error_too():
    """NaN in the background compares false like a real background pixel, but it means the
    network failed there: the text it would have shown is missing, so the page is refused
    rather than answered from the part of the map that happened to stay finite."""
    m = np.zeros((64, 128), np.float32)
    m[20:30, 30:90] = 0.9
    for bad in (np.nan, np.inf, -np.inf):
        m[50:52, 5:7] = bad
        with pytest.raises(PpocrError, match="detection model produced NaN"):
            ops.db_postprocess(m, 128, 64, det_opts())
        m[50:52, 5:7] = 0


def test_db_scaling_to_destination_rounds_half_even():
    m = np.zeros((64, 128), np.float32)
    m[20:30, 30:90] = 0.9
    # Clipper rounds the grown outline to integers: x 24.14 -> 24, 94.86 -> 95; y 14.14 -> 14,
    # 34.86 -> 35.  Scale 1.5: 95 * 1.5 = 142.5 -> 142 and 35 * 1.5 = 52.5 -> 52 (half to even).
    quads, _ = ops.db_postprocess(m, 192, 96, det_opts())
    assert quads.tolist() == [[[36, 21], [142, 21], [142, 52], [36, 52]]]
    # Scale 300/128 = 2.34375: 56.25 -> 56, 222.66 -> 223, 32.81 -> 33, 82.03 -> 82
    quads, _ = ops.db_postprocess(m, 300, 150, det_opts())
    assert quads.tolist() == [[[56, 33], [223, 33], [223, 82], [56, 82]]]


@pytest.mark.parametrize("dest_w, dest_h", [(256, 128), (1000, 333), (64, 32)])
def test_db_scaling_matches_grown_box(dest_w, dest_h):
    m = np.zeros((64, 128), np.float32)
    m[10:40, 20:100] = 0.8  # kernel 79 x 29
    quads, _ = ops.db_postprocess(m, dest_w, dest_h, det_opts())
    assert quads.shape == (1, 4, 2)
    d = unclip_distance(79, 29)
    sx, sy = dest_w / 128, dest_h / 64
    expected = np.array(
        [[(20 - d) * sx, (10 - d) * sy], [(99 + d) * sx, (10 - d) * sy],
         [(99 + d) * sx, (39 + d) * sy], [(20 - d) * sx, (39 + d) * sy]]
    )
    expected[:, 0] = np.clip(expected[:, 0], 0, dest_w)  # d = 15.9 leaves the map at the top
    expected[:, 1] = np.clip(expected[:, 1], 0, dest_h)
    np.testing.assert_allclose(quads[0], expected, atol=1.0 + max(sx, sy))


def test_db_clips_to_destination():
    m = np.zeros((32, 64), np.float32)
    m[0:12, 0:40] = 0.9  # touching the top-left border: the grown box leaves the map
    quads, _ = ops.db_postprocess(m, 64, 32, det_opts())
    assert quads.shape == (1, 4, 2)
    assert quads.min() == 0  # clipped at 0, not negative
    d = unclip_distance(39, 11)
    assert quads[0, 1, 0] == pytest.approx(39 + d, abs=1.0)
    m2 = np.zeros((32, 64), np.float32)
    m2[20:32, 30:64] = 0.9  # bottom-right border
    quads, _ = ops.db_postprocess(m2, 64, 32, det_opts())
    assert quads[0, 2].tolist() == [64, 32]  # clipped to dest (inclusive), as np.clip(.., 0, dest)


def test_db_rotated_rectangle_gives_rotated_quad():
    size = 128
    m = np.zeros((size, size), np.float32)
    c = np.array([64.0, 64.0])
    angle = math.radians(30)
    u = np.array([math.cos(angle), math.sin(angle)])  # long axis, 30 degrees below x (y down)
    v = np.array([-math.sin(angle), math.cos(angle)])
    L, S = 80.0, 20.0
    corners = np.array([c - L / 2 * u - S / 2 * v, c + L / 2 * u - S / 2 * v,
                        c + L / 2 * u + S / 2 * v, c - L / 2 * u + S / 2 * v])
    cv2.fillPoly(m, [np.round(corners).astype(np.int32)], 0.9)
    # the kernel is the min-area rectangle of the rasterised shape's contour (test-side OpenCV)
    contours, _ = cv2.findContours((m > 0.3).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    assert len(contours) == 1
    kernel = cv2.minAreaRect(contours[0])
    kl, ks = max(kernel[1]), min(kernel[1])
    quads, scores = ops.db_postprocess(m, size, size, det_opts())
    assert quads.shape == (1, 4, 2)
    q = quads[0].astype(np.float64)
    assert_corner_order(q)
    e01, e12 = q[1] - q[0], q[2] - q[1]
    edges = sorted([(np.hypot(*e01), e01), (np.hypot(*e12), e12)], key=lambda t: t[0])
    (short_len, _), (long_len, long_vec) = edges
    long_angle = math.degrees(math.atan2(long_vec[1], long_vec[0])) % 180
    assert long_angle == pytest.approx(30, abs=2.0)
    d = unclip_distance(kl, ks)
    assert long_len == pytest.approx(kl + 2 * d, abs=2.0)
    assert short_len == pytest.approx(ks + 2 * d, abs=2.0)
    np.testing.assert_allclose(q.mean(axis=0), c, atol=1.5)
    # a rotated quad, not an axis-aligned box
    assert len(set(q[:, 0].tolist())) == 4 and len(set(q[:, 1].tolist())) == 4
    # score: mean inside the kernel box, with PaddleX's floor/ceil window and truncated corners
    box = cv2.boxPoints(kernel)
    x0, y0 = (int(t) for t in np.floor(box.min(axis=0)))
    x1, y1 = (int(t) for t in np.ceil(box.max(axis=0)))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    cv2.fillPoly(mask, [(box - np.array([x0, y0], np.float32)).astype(np.int32)], 1)
    expected_score = m[y0:y1 + 1, x0:x1 + 1][mask == 1].astype(np.float64).mean()
    assert 0.8 < expected_score < 0.9
    assert scores[0] == pytest.approx(expected_score, abs=2e-3)


def test_db_score_is_mean_probability_inside():
    m = np.zeros((64, 128), np.float32)
    rng = np.random.default_rng(7)
    m[20:30, 30:90] = rng.uniform(0.6, 1.0, size=(10, 60)).astype(np.float32)
    quads, scores = ops.db_postprocess(m, 128, 64, det_opts())
    assert quads.shape == (1, 4, 2)
    # kernel box corners are the contour extremes (30,20)-(89,29): fillPoly covers them inclusively
    assert scores[0] == pytest.approx(float(m[20:30, 30:90].astype(np.float64).mean()), abs=1e-5)


def test_db_box_below_box_thresh_is_dropped():
    m = np.zeros((64, 128), np.float32)
    m[20:30, 30:90] = 0.5  # above thresh 0.3, below box_thresh 0.6
    quads, scores = ops.db_postprocess(m, 128, 64, det_opts(box_thresh=0.6))
    assert quads.shape == (0, 4, 2) and list(scores) == []
    quads, scores = ops.db_postprocess(m, 128, 64, det_opts(box_thresh=0.45))
    assert quads.shape == (1, 4, 2) and scores[0] == pytest.approx(0.5, abs=1e-6)


def test_db_pixels_at_or_below_thresh_are_background():
    m = np.zeros((64, 128), np.float32)
    m[20:30, 30:90] = 0.3  # binarisation is prob > thresh (strict)
    assert ops.db_postprocess(m, 128, 64, det_opts(thresh=0.3, box_thresh=0.0))[0].shape == (0, 4, 2)
    assert ops.db_postprocess(m, 128, 64, det_opts(thresh=0.29, box_thresh=0.0))[0].shape == (1, 4, 2)


@pytest.mark.parametrize("rows, kept", [(2, 0), (3, 0), (4, 1), (6, 1)])
def test_db_min_size_filter(rows, kept):
    # kernel short side = rows - 1: < 3 is dropped
    m = np.zeros((64, 128), np.float32)
    m[20:20 + rows, 30:90] = 0.9
    quads, _ = ops.db_postprocess(m, 128, 64, det_opts())
    assert quads.shape == (kept, 4, 2)


def test_db_grown_min_size_filter():
    # kernel 59 x 3 passes the first filter; with unclip_ratio 0.1 it grows by 0.14 px only,
    # so the grown box stays < 5 px and is dropped; with 1.5 it grows to ~7 px and is kept.
    m = np.zeros((64, 128), np.float32)
    m[20:24, 30:90] = 0.9
    assert ops.db_postprocess(m, 128, 64, det_opts(unclip_ratio=0.1))[0].shape == (0, 4, 2)
    quads, _ = ops.db_postprocess(m, 128, 64, det_opts(unclip_ratio=1.5))
    assert quads.shape == (1, 4, 2)
    d = unclip_distance(59, 3)
    assert quads[0, 3, 1] - quads[0, 0, 1] == pytest.approx(3 + 2 * d, abs=1.0)


def test_db_max_candidates():
    m = np.zeros((64, 256), np.float32)
    for k in range(5):
        m[20:30, 10 + 48 * k:40 + 48 * k] = 0.9
    assert ops.db_postprocess(m, 256, 64, det_opts())[0].shape == (5, 4, 2)
    for cap in (1, 2, 4):
        quads, scores = ops.db_postprocess(m, 256, 64, det_opts(max_candidates=cap))
        assert quads.shape == (cap, 4, 2) and len(scores) == cap
    assert ops.db_postprocess(m, 256, 64, det_opts(max_candidates=0))[0].shape == (0, 4, 2)


def test_db_several_boxes_all_found():
    m = np.zeros((100, 200), np.float32)
    rects = [(10, 10, 80, 22), (100, 10, 190, 25), (20, 50, 60, 90), (120, 60, 180, 70)]
    for x0, y0, x1, y1 in rects:
        m[y0:y1, x0:x1] = 0.95
    quads, scores = ops.db_postprocess(m, 200, 100, det_opts())
    assert quads.shape == (4, 4, 2)
    found = sorted(tuple(q.min(axis=0)) + tuple(q.max(axis=0)) for q in quads.astype(int))
    expected = []
    for x0, y0, x1, y1 in rects:
        d = unclip_distance(x1 - 1 - x0, y1 - 1 - y0)
        expected.append((x0 - d, y0 - d, x1 - 1 + d, min(y1 - 1 + d, 100)))  # clipped at dest
    np.testing.assert_allclose(np.array(found), np.array(sorted(expected)), atol=1.0)
    np.testing.assert_allclose(scores, 0.95, atol=1e-6)


def test_db_empty_map_gives_no_boxes():
    quads, scores = ops.db_postprocess(np.zeros((32, 32), np.float32), 320, 320, det_opts())
    assert quads.shape == (0, 4, 2) and quads.dtype == np.int16
    assert list(scores) == []


def test_box_score_fast_truncates_shifted_corners():
    rng = np.random.default_rng(3)
    m = rng.random((20, 20)).astype(np.float32)
    # xmin = floor(2.7) = 2, xmax = ceil(10.9) = 11, ymin = 3, ymax = 9; shifted corners are
    # truncated: x 0.7 -> 0, 8.9 -> 8; y 0.2 -> 0, 5.8 -> 5: pixels x 2..10, y 3..8
    q = rect_quad(2.7, 3.2, 10.9, 8.8, dtype=np.float32)
    assert ops.box_score_fast(m, q) == pytest.approx(float(m[3:9, 2:11].mean()), abs=1e-5)
    # integer box: inclusive on both ends
    q = rect_quad(4, 5, 12, 9, dtype=np.float32)
    assert ops.box_score_fast(m, q) == pytest.approx(float(m[5:10, 4:13].mean()), abs=1e-5)


def test_box_score_fast_clamps_to_map():
    rng = np.random.default_rng(4)
    m = rng.random((16, 16)).astype(np.float32)
    q = rect_quad(-5, -5, 4, 4, dtype=np.float32)
    assert ops.box_score_fast(m, q) == pytest.approx(float(m[0:5, 0:5].mean()), abs=1e-5)
    q = rect_quad(10, 12, 30, 40, dtype=np.float32)
    assert ops.box_score_fast(m, q) == pytest.approx(float(m[12:16, 10:16].mean()), abs=1e-5)


def test_box_score_fast_triangle_like_quad():
    # a quad that is a right triangle (one corner doubled): fillPoly covers the lower-left half
    m = np.zeros((10, 10), np.float32)
    yy, xx = np.mgrid[0:10, 0:10]
    m[yy >= xx] = 1.0
    q = np.array([[0, 0], [0, 0], [9, 9], [0, 9]], np.float32)
    assert ops.box_score_fast(m, q) == pytest.approx(1.0, abs=1e-6)
    m2 = 1.0 - m
    assert ops.box_score_fast(m2.astype(np.float32), q) < 0.05


# --------------------------------------------------------------------------
# unclip
# --------------------------------------------------------------------------


@pytest.mark.parametrize("w, h, ratio", [(100, 20, 1.5), (40, 40, 2.0), (300, 12, 1.5)])
def test_unclip_area_growth(w, h, ratio):
    x0, y0 = 50, 60
    q = rect_quad(x0, y0, x0 + w, y0 + h, dtype=np.float32)
    out = ops.unclip(q, ratio)
    assert out.dtype == np.int32 and out.ndim == 2 and out.shape[1] == 2 and len(out) > 4
    d = w * h * ratio / (2 * (w + h))
    expected_area = w * h + 2 * (w + h) * d + math.pi * d * d
    assert shoelace(out) == pytest.approx(expected_area, rel=0.03)
    # every outline point lies ~d away from the original rectangle (integer rounding: 1 px)
    np.testing.assert_allclose(dist_to_rect(out, x0, y0, x0 + w, y0 + h), d, atol=1.0)


def test_unclip_rotated_quad_area():
    c = np.array([100.0, 100.0])
    a = math.radians(25)
    u, v = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])
    q = np.array([c - 40 * u - 10 * v, c + 40 * u - 10 * v, c + 40 * u + 10 * v, c - 40 * u + 10 * v])
    qi = np.trunc(q)  # the offset works on truncated coordinates
    area, perim = shoelace(qi), sum(np.hypot(*(qi[(i + 1) % 4] - qi[i])) for i in range(4))
    d = shoelace(q) * 1.5 / sum(np.hypot(*(q[(i + 1) % 4] - q[i])) for i in range(4))
    out = ops.unclip(q.astype(np.float32), 1.5)
    assert shoelace(out) == pytest.approx(area + perim * d + math.pi * d * d, rel=0.03)


def test_unclip_truncates_coordinates():
    q = rect_quad(10, 20, 70, 45, dtype=np.float32)
    base = ops.unclip(q, 1.5)
    # +0.9 everywhere: same area/perimeter (so same distance), same truncated path
    np.testing.assert_array_equal(ops.unclip(q + np.float32(0.9), 1.5), base)
    # +1.0 is a real shift by one pixel
    np.testing.assert_array_equal(ops.unclip(q + np.float32(1.0), 1.5), base + 1)


def test_unclip_zero_ratio_returns_the_polygon():
    q = rect_quad(10, 20, 70, 45)
    out = ops.unclip(q.astype(np.float32), 0.0)
    assert sorted(map(tuple, out.tolist())) == sorted(map(tuple, q.tolist()))


def test_unclip_degenerate_quad_is_empty():
    out = ops.unclip(np.zeros((4, 2), np.float32), 1.5)
    assert out.shape == (0, 2)


# --------------------------------------------------------------------------
# reading_order
# --------------------------------------------------------------------------


def quads_at(tl_points, w=30, h=12):
    return np.array([rect_quad(x, y, x + w, y + h) for x, y in tl_points], dtype=np.int32)


def test_reading_order_same_line_left_to_right():
    # A at y=50 x=100, C on the next line, B 5 px lower than A but left of it: B, A, C
    tl = [(100, 50), (50, 100), (10, 55)]
    assert ops.reading_order(quads_at(tl)) == [2, 0, 1]


def test_reading_order_threshold_is_strictly_below_10px():
    assert ops.reading_order(quads_at([(100, 50), (10, 59)])) == [1, 0]  # 9 px: same line
    assert ops.reading_order(quads_at([(100, 50), (10, 60)])) == [0, 1]  # 10 px: next line


def test_reading_order_lines_top_to_bottom():
    tl = [(0, 300), (0, 100), (0, 200), (500, 0)]
    assert ops.reading_order(quads_at(tl)) == [3, 1, 2, 0]


def test_reading_order_chain_on_one_line():
    tl = [(300, 50), (200, 52), (100, 54)]
    assert ops.reading_order(quads_at(tl)) == [2, 1, 0]


def test_reading_order_ties_by_x():
    tl = [(90, 40), (30, 40), (60, 40)]
    assert ops.reading_order(quads_at(tl)) == [1, 2, 0]


def test_reading_order_matches_reference_on_random_layouts():
    rng = np.random.default_rng(99)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        tl = [(int(rng.integers(0, 400)), int(rng.integers(0, 60))) for _ in range(n)]
        assert ops.reading_order(quads_at(tl)) == ref_reading_order(tl), tl


def test_reading_order_empty():
    assert ops.reading_order(np.zeros((0, 4, 2), np.int32)) == []


# --------------------------------------------------------------------------
# crop_text_line
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def noise_image():
    rng = np.random.default_rng(11)
    return rng.integers(0, 256, size=(60, 80, 3), dtype=np.uint8)


def test_crop_axis_aligned_equals_subimage(noise_image):
    out = ops.crop_text_line(noise_image, rect_quad(10, 5, 50, 25))
    assert out.dtype == np.uint8 and out.shape == (20, 40, 3)
    np.testing.assert_allclose(out.astype(int), noise_image[5:25, 10:50].astype(int), atol=1)


def test_crop_ignores_corner_order_and_truncates(noise_image):
    expected = noise_image[5:25, 10:50].astype(int)
    scrambled = np.array([[50, 25], [10, 25], [10, 5], [50, 5]])
    np.testing.assert_allclose(ops.crop_text_line(noise_image, scrambled).astype(int), expected, atol=1)
    frac = rect_quad(10.9, 5.9, 50.9, 25.9, dtype=np.float64)
    np.testing.assert_allclose(ops.crop_text_line(noise_image, frac).astype(int), expected, atol=1)


def test_crop_tall_line_is_rotated_counter_clockwise(noise_image):
    out = ops.crop_text_line(noise_image, rect_quad(10, 5, 20, 45))  # 10 wide, 40 high
    assert out.shape == (10, 40, 3)
    np.testing.assert_allclose(out.astype(int), np.rot90(noise_image[5:45, 10:20]).astype(int), atol=1)


@pytest.mark.parametrize("w, h, rotated", [(20, 30, True), (20, 29, False), (30, 20, False)])
def test_crop_rotation_threshold(noise_image, w, h, rotated):
    straight = noise_image[10:10 + h, 5:5 + w]
    out = ops.crop_text_line(noise_image, rect_quad(5, 10, 5 + w, 10 + h))
    expected = np.rot90(straight) if rotated else straight
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.astype(int), expected.astype(int), atol=1)


def test_crop_rotated_quad_samples_along_its_axes():
    img = smooth_image(70, 90)
    # exact rectangle: TL (20,10), TR (50,50) [edge 50], BR (38,59), BL (8,19) [edge 15]
    tl, tr, br, bl = map(np.array, ([20.0, 10.0], [50.0, 50.0], [38.0, 59.0], [8.0, 19.0]))
    out = ops.crop_text_line(img, np.array([br, bl, tl, tr], dtype=np.int32))
    hh, ww = out.shape[:2]
    # int() of float edge lengths: 50 x 15, or one less when the float corners land a hair short
    assert ww in (49, 50) and hh in (14, 15) and out.shape[2] == 3
    ex, ey = (tr - tl) / ww, (bl - tl) / hh
    vv, uu = np.mgrid[0:hh, 0:ww]
    sx = tl[0] + uu * ex[0] + vv * ey[0]
    sy = tl[1] + uu * ex[1] + vv * ey[1]
    expected = np.stack([2 * sx, 3 * sy, sx + sy], axis=-1)
    inner = (slice(1, -1), slice(1, -1))
    np.testing.assert_allclose(out[inner].astype(float), expected[inner], atol=2.0)


def test_crop_degenerate_quad_is_empty_not_a_crash(noise_image):
    out = ops.crop_text_line(noise_image, np.full((4, 2), 7, np.int32))
    assert out.size == 0


# --------------------------------------------------------------------------
# ctc_decode
# --------------------------------------------------------------------------

CHARS = ["<blank>", "a", "b", "c"]


def probs_for(path, peaks=None, classes=4, floor=0.01):
    """One row per step: `peaks[t]` on class path[t], the rest spread below it."""
    peaks = peaks if peaks is not None else [0.9] * len(path)
    p = np.full((len(path), classes), floor, np.float32)
    for t, (k, v) in enumerate(zip(path, peaks)):
        p[t, k] = v
    return p


def test_ctc_collapses_repeats_and_drops_blanks():
    path = [1, 1, 0, 1, 2, 2, 0, 0, 3]
    peaks = [0.9, 0.8, 0.7, 0.6, 0.5, 0.95, 0.99, 0.4, 0.75]
    text, score = ops.ctc_decode(probs_for(path, peaks), CHARS)
    assert text == "aabc"
    # kept steps: 0 (a), 3 (a), 4 (b), 8 (c)
    assert score == pytest.approx(np.mean([0.9, 0.6, 0.5, 0.75]), abs=1e-6)


def test_ctc_nan_probabilities_are_an_error_not_a_line():
    """Rows of NaN (an overflowed recogniser) used to decode as class 0 or the last class
    with score NaN: blank or ' ' lines, silently."""
    probs = probs_for([1, 0, 2])
    probs[1] = np.nan
    with pytest.raises(PpocrError, match="recognition model produced NaN"):
        ops.ctc_decode(probs, CHARS)
    probs = probs_for([1, 0, 2])
    probs[1, 3] = np.nan  # one stray NaN below the maximum: the step still decodes
    assert ops.ctc_decode(probs, CHARS)[0] == "ab"


def test_ctc_blank_separates_real_repeats():
    assert ops.ctc_decode(probs_for([1, 0, 1]), CHARS)[0] == "aa"
    assert ops.ctc_decode(probs_for([1, 1]), CHARS)[0] == "a"
    assert ops.ctc_decode(probs_for([2, 1, 2]), CHARS)[0] == "bab"
    assert ops.ctc_decode(probs_for([0, 3, 3, 3, 0, 0, 3, 0]), CHARS)[0] == "cc"


def test_ctc_argmax_first_maximum_wins():
    p = np.array([[0.4, 0.4, 0.2, 0.0],   # tie blank/a -> blank
                  [0.1, 0.45, 0.45, 0.0],  # tie a/b -> a
                  [0.0, 0.3, 0.3, 0.3]],   # tie a/b/c -> a (a repeat of the previous step)
                 np.float32)
    text, score = ops.ctc_decode(p, CHARS)
    assert text == "a"
    assert score == pytest.approx(0.45, abs=1e-6)


def test_ctc_argmax_matches_numpy_with_a_real_dictionary_size():
    # 18,385 classes (PP-OCRv5's dictionary): the argmax scans in blocks, so put maxima and
    # ties in the first block, the middle, the last full block and the ragged tail.
    rng = np.random.default_rng(11)
    classes = 18385
    chars = ["<blank>"] + [f"<{i}>" for i in range(1, classes)]
    probs = rng.random((64, classes)).astype(np.float32) * 0.5
    for t, spots in enumerate([(3,), (3, 9000), (18383, 18384), (18376, 18380), (0, 7),
                               (18384,), (12345, 2), (8, 16)] * 8):
        for k in spots:
            probs[t, k] = 0.9  # ties: the first of them must win
    want = [int(i) for i in probs.argmax(axis=1)]
    collapsed = [k for i, k in enumerate(want) if k != 0 and (i == 0 or want[i - 1] != k)]
    text, _ = ops.ctc_decode(probs, chars)
    assert text == "".join(chars[k] for k in collapsed)


def test_ctc_all_blank_and_empty():
    assert ops.ctc_decode(probs_for([0, 0, 0]), CHARS) == ("", 0.0)
    assert ops.ctc_decode(np.zeros((0, 4), np.float32), CHARS) == ("", 0.0)


def test_ctc_multibyte_characters():
    chars = ["blank", "中", "文", " "]
    text, score = ops.ctc_decode(probs_for([1, 0, 3, 2, 2], [0.5, 0.9, 0.7, 0.6, 0.99]), chars)
    assert text == "中 文"
    assert score == pytest.approx(np.mean([0.5, 0.7, 0.6]), abs=1e-6)


def test_ctc_score_matches_numpy_on_random_probs():
    rng = np.random.default_rng(5)
    chars = ["<blank>"] + [chr(ord("a") + i) for i in range(25)]
    for _ in range(20):
        p = rng.random((40, 26)).astype(np.float32)
        idx = p.argmax(axis=1)
        keep = np.ones(len(idx), bool)
        keep[1:] = idx[1:] != idx[:-1]
        keep &= idx != 0
        text, score = ops.ctc_decode(p, chars)
        assert text == "".join(chars[i] for i in idx[keep])
        expected = float(p.max(axis=1)[keep].mean()) if keep.any() else 0.0
        assert score == pytest.approx(expected, abs=1e-5)


def test_ctc_decoder_object_matches_one_off_decoding():
    rng = np.random.default_rng(8)
    chars = ["<blank>"] + [chr(ord("a") + i) for i in range(25)]
    decoder = ops.CtcDecoder(chars)
    assert len(decoder) == 26
    for _ in range(5):
        p = rng.random((30, 26)).astype(np.float32)
        want = ops.ctc_decode(p, chars)
        assert decoder.decode(p) == want
        assert ops.ctc_decode(p, decoder) == want
    with pytest.raises(InvalidArgumentError):
        decoder.decode(np.full((4, 5), 0.1, np.float32))
    with pytest.raises(InvalidArgumentError):
        ops.CtcDecoder(["<blank>"])


@pytest.mark.parametrize("classes", [3, 5])
def test_ctc_class_count_mismatch(classes):
    with pytest.raises(InvalidArgumentError):
        ops.ctc_decode(np.full((4, classes), 0.1, np.float32), CHARS)


# --------------------------------------------------------------------------
# rec_batch_tensor
# --------------------------------------------------------------------------


def ref_rec_widths(h, w, height=48, min_w=320, max_w=3200):
    ratio = w / float(h)
    slot = int(height * max(min_w / height, ratio))
    if slot > max_w:
        return max_w, max_w
    return slot, slot if math.ceil(height * ratio) > slot else int(math.ceil(height * ratio))


def test_rec_batch_width_is_max_slot_and_padding_is_zero():
    rng = np.random.default_rng(21)
    long_line = rng.integers(0, 256, (10, 100, 3), dtype=np.uint8)
    short_line = rng.integers(0, 256, (10, 20, 3), dtype=np.uint8)
    # 10x100: slot int(48*10) = 480, resized 480; 10x20: slot 320, resized ceil(96) = 96
    assert ref_rec_widths(10, 100) == (480, 480) and ref_rec_widths(10, 20) == (320, 96)
    t = ops.rec_batch_tensor([long_line, short_line], rec_opts())
    assert t.dtype == np.float32 and t.shape == (2, 3, 48, 480)
    assert np.all(t[1, :, :, 96:] == 0.0)
    # uint8 pixels never normalise to exactly 0 ((p/255-0.5)/0.5 == 0 needs p = 127.5)
    assert np.all(t[1, :, :, :96] != 0.0) and np.all(t[0] != 0.0)
    assert t.min() >= -1.0 and t.max() <= 1.0


def test_rec_batch_width_step_rounds_up_with_zero_padding_only():
    rng = np.random.default_rng(22)
    lines = [rng.integers(0, 256, (10, 100, 3), dtype=np.uint8),
             rng.integers(0, 256, (10, 20, 3), dtype=np.uint8)]
    exact = ops.rec_batch_tensor(lines, rec_opts())
    stepped = ops.rec_batch_tensor(lines, rec_opts(width_step=128))
    assert exact.shape[3] == 480 and stepped.shape == (2, 3, 48, 512)
    np.testing.assert_array_equal(stepped[..., :480], exact)  # same pixels, more padding
    assert np.all(stepped[..., 480:] == 0.0)
    # never past the widest allowed slot (max_image_width also squeezes the lines to it)
    assert ops.rec_batch_tensor(lines, rec_opts(width_step=1000, max_image_width=600)).shape[3] == 600
    assert ops.rec_batch_tensor(lines, rec_opts(width_step=1000, max_image_width=400)).shape[3] == 400
    with pytest.raises(InvalidArgumentError, match="width_step"):
        ops.rec_batch_tensor(lines, rec_opts(width_step=-1))


def test_rec_batch_content_is_resized_and_normalised():
    img = smooth_image(10, 20)
    t = ops.rec_batch_tensor([img], rec_opts())
    assert t.shape == (1, 3, 48, 320)
    expected = normalise(cv2.resize(img, (96, 48)).transpose(2, 0, 1))  # BGR kept, CHW
    np.testing.assert_allclose(t[0, :, :, :96], expected, atol=2 * 2 / 255 + 1e-6)
    assert np.all(t[0, :, :, 96:] == 0.0)


def test_rec_batch_exact_values_of_flat_colours():
    img = np.empty((12, 30, 3), np.uint8)
    img[...] = (0, 64, 255)  # B, G, R
    t = ops.rec_batch_tensor([img], rec_opts())
    w = math.ceil(48 * 30 / 12)  # 120
    np.testing.assert_allclose(t[0, 0, :, :w], -1.0, atol=1e-6)
    np.testing.assert_allclose(t[0, 1, :, :w], (64 / 255 - 0.5) / 0.5, atol=1e-6)
    np.testing.assert_allclose(t[0, 2, :, :w], 1.0, atol=1e-6)
    assert np.all(t[0, :, :, w:] == 0.0)


@pytest.mark.parametrize(
    "h, w, slot, resized",
    [
        (7, 23, 320, 158),     # ceil(48*3.2857) = 158
        (5, 2, 320, 20),       # ceil(19.2) = 20 (not round/int: 19)
        (48, 330, 330, 330),
        (7, 50, 342, 342),     # 48*7.142857 = 342.86: ceil 343 > slot 342 -> 342
        (10, 1000, 3200, 3200),  # 4800 capped at 3200
        (4, 2000, 3200, 3200),
    ],
)
def test_rec_slot_and_resized_width(h, w, slot, resized):
    assert ref_rec_widths(h, w) == (slot, resized)
    rng = np.random.default_rng(h * 1000 + w)
    line = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    t = ops.rec_batch_tensor([line], rec_opts())
    assert t.shape == (1, 3, 48, slot)
    assert np.all(t[0, :, :, :resized] != 0.0)
    assert np.all(t[0, :, :, resized:] == 0.0)


def test_rec_batch_custom_options():
    line = np.full((10, 20, 3), 200, np.uint8)
    t = ops.rec_batch_tensor([line], rec_opts(image_height=32, min_image_width=100, max_image_width=500))
    # slot int(32 * max(100/32, 2)) = 100, resized ceil(64) = 64
    assert t.shape == (1, 3, 32, 100)
    assert np.all(t[0, :, :, 64:] == 0.0) and np.all(t[0, :, :, :64] != 0.0)
    wide = np.full((10, 400, 3), 200, np.uint8)
    t = ops.rec_batch_tensor([wide], rec_opts(image_height=32, min_image_width=100, max_image_width=500))
    assert t.shape == (1, 3, 32, 500)  # 1280 capped


def test_rec_batch_normalisation_is_paddleocr_float32_steps():
    # 48 rows and >= 320 columns: the resize keeps the size, so every value 0..255 arrives
    # as is, and each must equal PaddleOCR's `/ 255`, `- 0.5`, `/ 0.5` in float32 bit for bit.
    values = np.tile(np.arange(256, dtype=np.uint8), 2)  # 512 columns
    img = np.stack([values, values[::-1], np.roll(values, 7)], axis=-1)[None].repeat(48, axis=0)
    t = ops.rec_batch_tensor([np.ascontiguousarray(img)], rec_opts())
    expected = img.astype(np.float32).transpose(2, 0, 1) / 255
    expected -= 0.5
    expected /= 0.5
    assert t.shape == (1, 3, 48, 512)
    assert np.array_equal(t[0], expected)


def test_rec_batch_tensor_outlives_its_inputs():
    import gc
    lines = [np.full((10, 40, 3), 200, np.uint8)]
    t = ops.rec_batch_tensor(lines, rec_opts())
    first = t.copy()
    del lines
    gc.collect()
    _ = [np.ones((1000, 1000), np.float32) for _ in range(3)]  # reuse freed memory, if any
    assert np.array_equal(t, first)


def test_rec_batch_rejects_empty_list():
    with pytest.raises(ValueError):
        ops.rec_batch_tensor([], rec_opts())


# --------------------------------------------------------------------------
# doc_orientation_input
# --------------------------------------------------------------------------


def ref_doc_input(img):
    h, w = img.shape[:2]
    scale = 256 / min(h, w)
    rh, rw = round(h * scale), round(w * scale)
    resized = cv2.resize(img, (rw, rh))
    x0, y0 = max(0, (rw - 224) // 2), max(0, (rh - 224) // 2)
    return resized[y0:y0 + 224, x0:x0 + 224]


@pytest.mark.parametrize("h, w", [(300, 500), (500, 300), (256, 256), (1000, 700), (40, 60)])
def test_doc_orientation_input_is_centre_crop(h, w):
    rng = np.random.default_rng(h + w)
    img = cv2.GaussianBlur(rng.integers(0, 256, (h, w, 3), dtype=np.uint8), (5, 5), 0)
    img = np.ascontiguousarray(img)
    out = ops.doc_orientation_input(img)
    assert out.shape == (224, 224, 3) and out.dtype == np.uint8
    np.testing.assert_allclose(out.astype(int), ref_doc_input(img).astype(int), atol=2)


def test_doc_orientation_input_rounds_half_even():
    # 512 x 513: long side 513 * 0.5 = 256.5 -> 256 (half to even), not 257
    assert round(513 * 256 / 512) == 256
    rng = np.random.default_rng(8)
    img = rng.integers(0, 256, (512, 513, 3), dtype=np.uint8)
    out = ops.doc_orientation_input(img)
    expected = cv2.resize(img, (256, 256))[16:240, 16:240]
    np.testing.assert_allclose(out.astype(int), expected.astype(int), atol=2)
    # a 257-wide resize would be detectably different on noise
    wrong = cv2.resize(img, (257, 256))[16:240, 16:240]
    assert np.abs(out.astype(int) - wrong.astype(int)).max() > 10


def test_doc_orientation_input_tiny_image():
    img = np.arange(27, dtype=np.uint8).reshape(3, 3, 3)
    out = ops.doc_orientation_input(img)
    assert out.shape == (224, 224, 3)
    np.testing.assert_allclose(out.astype(int), ref_doc_input(img).astype(int), atol=2)


# --------------------------------------------------------------------------
# rotate_upright
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_image():
    rng = np.random.default_rng(2)
    return rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)


@pytest.mark.parametrize(
    "angle, k, cv_code",
    [(0, 0, None), (90, 1, cv2.ROTATE_90_COUNTERCLOCKWISE), (180, 2, cv2.ROTATE_180),
     (270, -1, cv2.ROTATE_90_CLOCKWISE)],
)
def test_rotate_upright(small_image, angle, k, cv_code):
    out = ops.rotate_upright(small_image, angle)
    np.testing.assert_array_equal(out, np.rot90(small_image, k))
    if cv_code is not None:
        np.testing.assert_array_equal(out, cv2.rotate(small_image, cv_code))
    if angle in (90, 270):
        assert out.shape == (7, 5, 3)


def test_rotate_upright_on_row_slice_view(small_image):
    view = small_image[1:4]  # C-contiguous view with an offset
    np.testing.assert_array_equal(ops.rotate_upright(view, 90), np.rot90(view))


@pytest.mark.parametrize("angle", [45, -90, 360, 1, 91])
def test_rotate_upright_rejects_other_angles(small_image, angle):
    with pytest.raises(ValueError):
        ops.rotate_upright(small_image, angle)


# --------------------------------------------------------------------------
# bad inputs: ValueError (InvalidArgumentError), never a crash
# --------------------------------------------------------------------------

_IMG = np.zeros((20, 30, 3), np.uint8)
_MAP = np.zeros((16, 16), np.float32)
_QUAD = rect_quad(2, 2, 12, 8)

BAD_CALLS = {
    "db_map_float64": lambda: ops.db_postprocess(_MAP.astype(np.float64), 16, 16, det_opts()),
    "db_map_3d": lambda: ops.db_postprocess(_MAP[..., None], 16, 16, det_opts()),
    "db_map_uint8": lambda: ops.db_postprocess(_MAP.astype(np.uint8), 16, 16, det_opts()),
    "db_map_noncontiguous": lambda: ops.db_postprocess(np.zeros((16, 32), np.float32)[:, ::2], 16, 16, det_opts()),
    "db_map_fortran": lambda: ops.db_postprocess(np.asfortranarray(np.zeros((16, 8), np.float32)), 16, 16, det_opts()),
    "box_score_float64_map": lambda: ops.box_score_fast(_MAP.astype(np.float64), _QUAD),
    "box_score_quad_3x2": lambda: ops.box_score_fast(_MAP, _QUAD[:3]),
    "box_score_quad_4x3": lambda: ops.box_score_fast(_MAP, np.zeros((4, 3), np.float32)),
    "box_score_quad_flat": lambda: ops.box_score_fast(_MAP, _QUAD.reshape(-1)),
    "unclip_quad_5x2": lambda: ops.unclip(np.zeros((5, 2), np.float32), 1.5),
    "unclip_quad_1x4x2": lambda: ops.unclip(_QUAD[None].astype(np.float32), 1.5),
    "reading_order_2d": lambda: ops.reading_order(np.zeros((3, 4), np.int32)),
    "reading_order_3x2": lambda: ops.reading_order(np.zeros((2, 3, 2), np.int32)),
    "crop_uint16": lambda: ops.crop_text_line(_IMG.astype(np.uint16), _QUAD),
    "crop_float32": lambda: ops.crop_text_line(_IMG.astype(np.float32), _QUAD),
    "crop_gray": lambda: ops.crop_text_line(_IMG[..., 0].copy(), _QUAD),
    "crop_bgra": lambda: ops.crop_text_line(np.zeros((20, 30, 4), np.uint8), _QUAD),
    "crop_noncontiguous": lambda: ops.crop_text_line(np.zeros((20, 60, 3), np.uint8)[:, ::2], _QUAD),
    "crop_flipped": lambda: ops.crop_text_line(_IMG[::-1], _QUAD),
    "crop_empty_image": lambda: ops.crop_text_line(np.zeros((0, 30, 3), np.uint8), _QUAD),
    "crop_quad_5x2": lambda: ops.crop_text_line(_IMG, np.zeros((5, 2), np.int32)),
    "crop_quad_4x1": lambda: ops.crop_text_line(_IMG, np.zeros((4, 1), np.int32)),
    "ctc_float64": lambda: ops.ctc_decode(np.zeros((3, 4)), CHARS),
    "ctc_3d": lambda: ops.ctc_decode(np.zeros((1, 3, 4), np.float32), CHARS),
    "ctc_tiny_dictionary": lambda: ops.ctc_decode(np.zeros((3, 1), np.float32), ["blank"]),
    "rec_uint16_line": lambda: ops.rec_batch_tensor([_IMG.astype(np.uint16)], rec_opts()),
    "rec_noncontiguous_line": lambda: ops.rec_batch_tensor([_IMG, _IMG[:, ::2]], rec_opts()),
    "doc_float_image": lambda: ops.doc_orientation_input(_IMG.astype(np.float32)),
    "doc_noncontiguous": lambda: ops.doc_orientation_input(np.zeros((20, 60, 3), np.uint8)[:, ::2]),
    "rotate_uint16": lambda: ops.rotate_upright(_IMG.astype(np.uint16), 90),
    "rotate_transposed": lambda: ops.rotate_upright(_IMG.transpose(1, 0, 2), 90),
}


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_inputs_raise_value_error(name):
    with pytest.raises(InvalidArgumentError):
        BAD_CALLS[name]()


def test_db_empty_prob_map_is_value_error():
    with pytest.raises(ValueError):
        ops.db_postprocess(np.zeros((0, 16), np.float32), 16, 16, det_opts())


def test_flatten_alpha_blends_in_float32_and_refuses_other_shapes():
    """The core's BGRA flattening (image_io.to_bgr pins the background choice): every
    (alpha, value) pair against value * a + bg * (1 - a) in float32, rounded half up; odd
    widths and one-pixel images (the row loop's edges, under ASan in make test-asan)."""
    a, v = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8), indexing="ij")
    bgra = np.stack([v // 2, v // 2, v // 2, a], axis=-1)  # dark content: onto white
    np.testing.assert_array_equal(ops.flatten_alpha(bgra), alpha_blend(bgra, 255.0))
    for shape in ((1, 1, 4), (3, 7, 4), (1, 1001, 4)):
        img = np.full(shape, 255, np.uint8)
        assert np.array_equal(ops.flatten_alpha(img), img[..., :3])
    for bad in (np.zeros((4, 4, 3), np.uint8), np.zeros((0, 4, 4), np.uint8),
                np.zeros((4, 4, 4), np.float32)):
        with pytest.raises(ValueError):
            ops.flatten_alpha(bad)
