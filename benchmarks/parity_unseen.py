"""Parity with the official PaddleOCR on images nobody has tuned for.

The parity test and ``bench_e2e.py`` compare against outputs saved for ``../shared/data``;
this script makes images that are in no saved set and runs both systems on them:

* transformed copies of the benchmark images (seeded): downscaled, upscaled, grayscale,
  blurred, rotated a few degrees, padded, cropped, contrast-reduced — one transform each;
* synthetic pages drawn with Pillow in the fonts the project installs (WenQuanYi Micro Hei;
  DejaVu where present): Chinese and Latin lines, amounts and dates, several page sizes,
  some blurred;
* extreme geometry and formats, each aimed at a path ordinary pages never take: pages past
  the detector's 4,000-pixel side limit (tall and wide), a 4,600-pixel single line (the
  recogniser's widest input), a vertical column (a crop taller than wide, turned before
  recognition), a 24 × 70 image and an 8 × 8 blank (the detector's minimum size), lines cut
  by the image's edges, light text on a dark page, 8- and 16-bit single-channel PNGs.

Both systems run the reference configuration (PP-OCRv5 mobile, optional modules off,
2 threads); the official one is PaddleOCR 3.7.0 on paddlepaddle 3.2.2 with oneDNN, through
``<data>/reference/scripts/run_ref.py`` in the venv ``bench_e2e.py`` uses. Reported per
image: same boxes (``rec_polys`` equal), same texts, largest score difference.

    .venv/bin/python benchmarks/parity_unseen.py            # 38 images, ~1.5 minutes
    .venv/bin/python benchmarks/parity_unseen.py --smoke    # 6 images; official only if its venv exists
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_common import (PADDLE_REQUIREMENTS, REFERENCE_KWARGS, RESULTS, SCRIPTS_REL,  # noqa: E402
                          default_data_dir, default_paddle_models, default_paddle_venv,
                          ensure_paddle_models, ensure_venv, format_table, image_list,
                          result_header, write_json)

DEFAULT_JSON = RESULTS / "parity_unseen.json"
FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
         "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
HANZI = "发票日期金额合计税号名称地址电话银行账户数量单价备注有限公司北京上海深圳广州服务商品规格型号"
WORDS = ("Invoice", "Total", "Amount", "Date", "Customer", "Order", "Street", "Payment",
         "Balance", "Receipt", "Quantity")
PAGE_SIZES = ((1240, 1754), (900, 600), (1600, 400), (640, 960))


def transformed(image: np.ndarray, kind: int, rng: random.Random) -> np.ndarray:
    h, w = image.shape[:2]
    if kind == 0:
        return cv2.resize(image, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    if kind == 1:
        return cv2.resize(image, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    if kind == 2:
        return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if kind == 3:
        return cv2.GaussianBlur(image, (3, 3), 0)
    if kind == 4:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-6, 6), 1.0)
        return cv2.warpAffine(image, turn, (w, h), borderValue=(255, 255, 255))
    if kind == 5:
        return cv2.copyMakeBorder(image, 80, 30, 50, 120, cv2.BORDER_CONSTANT, value=(240, 240, 240))
    if kind == 6:
        return image[h // 6: h - h // 5, w // 8: w - w // 7]
    return cv2.convertScaleAbs(image, alpha=0.7, beta=40)


def synthetic_page(index: int, rng: random.Random) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    fonts = [f for f in FONTS if Path(f).is_file()]
    if not fonts:
        raise SystemExit(f"no font found ({', '.join(FONTS)}); `make install` installs fonts-wqy-microhei")
    width, height = rng.choice(PAGE_SIZES)
    page = Image.new("RGB", (width, height), tuple(rng.randint(225, 255) for _ in range(3)))
    draw = ImageDraw.Draw(page)
    y = 20
    while y < height - 60:
        size = rng.randint(18, 44)
        font = ImageFont.truetype(rng.choice(fonts) if index % 2 else fonts[0], size)
        if rng.random() < 0.5:
            text = ("".join(rng.choice(HANZI) for _ in range(rng.randint(3, 14)))
                    + rng.choice(["：", " ", ""]) + f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}")
        else:
            text = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
                    + f" {rng.randint(1, 31):02d}/{rng.randint(1, 12):02d}/20{rng.randint(10, 29)}")
        draw.text((rng.randint(10, 120), y), text, font=font, fill=tuple(rng.randint(0, 80) for _ in range(3)))
        y += int(size * rng.uniform(1.3, 2.4))
    bgr = cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)
    return cv2.GaussianBlur(bgr, (3, 3), 0) if index % 3 == 2 else bgr


def drawn_lines(width: int, height: int, lines: List[str], size: int, vertical: bool = False) -> np.ndarray:
    """Black text on white, one line per entry (a column per entry when ``vertical``)."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONTS[0], size)
    for i, text in enumerate(lines):
        offset = 5 + i * int(size * 1.6)
        if vertical:
            for j, char in enumerate(text):
                draw.text((offset, 5 + j * int(size * 1.1)), char, font=font, fill=(0, 0, 0))
        else:
            draw.text((8, offset), text, font=font, fill=(0, 0, 0))
    return cv2.cvtColor(np.asarray(page), cv2.COLOR_RGB2BGR)


def extreme_images(rng: random.Random) -> List[tuple]:
    """(file name, image) pairs in the order the smoke takes them: see the module docstring."""
    long_line = ("Invoice 2026-11-27 总金额合计人民币壹万贰仟叁佰肆拾伍元整 Customer Order Payment "
                 "Balance Receipt Quantity 12345.67 深圳市南山区科技园 ") * 2
    page = synthetic_page(0, rng)
    gray = cv2.cvtColor(synthetic_page(5, rng), cv2.COLOR_BGR2GRAY)
    return [
        ("x0_tiny.png", drawn_lines(70, 24, ["Total"], 16)),
        ("x1_vertical.png", drawn_lines(260, 1400, [HANZI[:14], HANZI[14:28]], 40, vertical=True)),
        ("x2_blank_8x8.png", np.full((8, 8, 3), 255, np.uint8)),
        ("x3_wide_line.png", drawn_lines(4600, 60, [long_line], 30)),
        ("x4_tall_page.jpg", cv2.resize(page, (3600, 5100), interpolation=cv2.INTER_CUBIC)),
        ("x5_wide_page.jpg", cv2.resize(synthetic_page(9, rng), (6000, 1500), interpolation=cv2.INTER_LINEAR)),
        ("x6_cut_edges.jpg", page[37:-41, 23:-300]),
        ("x7_inverted.png", 255 - synthetic_page(3, rng)),
        ("x8_gray.png", gray),
        ("x9_gray16.png", gray.astype(np.uint16) * 257),
    ]


def make_images(data: Path, out: Path, n_transformed: int, n_synthetic: int, n_extreme: int,
                seed: int) -> List[Path]:
    rng = random.Random(seed)
    sources = image_list(data)
    rng.shuffle(sources)
    made = []
    for src in sources:
        if len(made) == n_transformed:
            break
        image = cv2.imread(str(src))
        if min(image.shape[:2]) < 40:  # word crops: too small to transform meaningfully
            continue
        i = len(made)
        path = out / f"t{i:02d}_{i % 8}_{src.stem}.jpg"
        cv2.imwrite(str(path), transformed(image, i % 8, rng), [cv2.IMWRITE_JPEG_QUALITY, 90])
        made.append(path)
    for j in range(n_synthetic):
        path = out / f"s{j:02d}.{'png' if j % 2 else 'jpg'}"
        cv2.imwrite(str(path), synthetic_page(j, rng), [cv2.IMWRITE_JPEG_QUALITY, 90])
        made.append(path)
    for name, image in extreme_images(random.Random(seed))[:n_extreme]:
        path = out / name
        cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        made.append(path)
    return made


def result_name(image: Path) -> str:
    return image.stem + "_res.json"  # run_ref.py's naming for a file at the top of its folder


def run_native(images: List[Path], out: Path, threads: int) -> None:
    from ppocr_native import PaddleOCR

    ocr = PaddleOCR(**REFERENCE_KWARGS, cpu_threads=threads)
    for image in images:
        ocr.predict(str(image))[0].save_to_json(save_path=str(out / result_name(image)))


def run_official(args: argparse.Namespace, src: Path, out: Path) -> None:
    python = ensure_venv(args.paddle_venv, PADDLE_REQUIREMENTS, "paddleocr, paddle")
    models = ensure_paddle_models(args.paddle_models)
    scripts = args.data / SCRIPTS_REL
    env = dict(os.environ, DET=str(models / "PP-OCRv5_mobile_det"), REC=str(models / "PP-OCRv5_mobile_rec"),
               PADDLE_PDX_CACHE_HOME=str(out.parent / "pdx_cache"), MKLDNN="1",
               CPU_THREADS=str(args.threads), BENCH_ENV_SH=str(scripts / "env.sh"))
    done = subprocess.run(["bash", "-c", '. "$BENCH_ENV_SH" && exec "$@"', "bash", str(python),
                           str(scripts / "run_ref.py"), str(src), str(out), "save"],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:  # its log is long and chatty: shown only when it failed
        raise SystemExit(f"official PaddleOCR failed ({done.returncode}):\n{done.stderr[-4000:]}")


def compare(images: List[Path], ours: Path, official: Path) -> List[Dict[str, Any]]:
    rows = []
    for image in images:
        a = json.loads((official / result_name(image)).read_text(encoding="utf-8"))
        b = json.loads((ours / result_name(image)).read_text(encoding="utf-8"))
        same_boxes = a["rec_polys"] == b["rec_polys"]
        pairs = list(zip(a["rec_texts"], b["rec_texts"]))
        differing = [(x, y) for x, y in pairs if x != y]
        score_diff = (float(np.abs(np.array(a["rec_scores"]) - np.array(b["rec_scores"])).max())
                      if len(a["rec_scores"]) == len(b["rec_scores"]) and a["rec_scores"] else 0.0)
        rows.append({"image": image.name, "lines_official": len(a["rec_texts"]), "lines_ours": len(b["rec_texts"]),
                     "same_boxes": same_boxes,
                     "same_texts": same_boxes and not differing and len(a["rec_texts"]) == len(b["rec_texts"]),
                     "differing_texts": differing[:5], "max_score_diff": score_diff})
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=None, help="shared data dir")
    ap.add_argument("--transformed", type=int, default=None, help="transformed copies (default 16, smoke 2)")
    ap.add_argument("--synthetic", type=int, default=None, help="synthetic pages (default 12, smoke 2)")
    ap.add_argument("--extreme", type=int, default=None, help="extreme geometry/format images (default 10, smoke 2)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--paddle-venv", type=Path, default=None, help="official PaddleOCR venv (made when missing)")
    ap.add_argument("--paddle-models", type=Path, default=None, help="Paddle-format PP-OCRv5 mobile models")
    ap.add_argument("--keep", type=Path, default=None, help="keep images and outputs in this folder")
    ap.add_argument("--smoke", action="store_true", help="6 images; the official run only if its venv exists")
    ap.add_argument("--json", type=Path, default=None, help="output (default results/parity_unseen.json)")
    args = ap.parse_args(argv)
    args.data = (args.data or default_data_dir()).resolve()
    args.paddle_venv = args.paddle_venv or default_paddle_venv()
    args.paddle_models = args.paddle_models or default_paddle_models()
    n_transformed = args.transformed if args.transformed is not None else (2 if args.smoke else 16)
    n_synthetic = args.synthetic if args.synthetic is not None else (2 if args.smoke else 12)
    n_extreme = args.extreme if args.extreme is not None else (2 if args.smoke else 10)
    json_path = args.json or (RESULTS / "parity_unseen_smoke.json" if args.smoke else DEFAULT_JSON)

    with tempfile.TemporaryDirectory(prefix="ppocr-parity-") as tmp:
        work = args.keep or Path(tmp)
        src, ours, official = work / "images", work / "ours", work / "official"
        for d in (src, ours, official):
            d.mkdir(parents=True, exist_ok=True)
        images = make_images(args.data, src, n_transformed, n_synthetic, n_extreme, args.seed)
        run_native(images, ours, args.threads)
        has_official = not args.smoke or (args.paddle_venv / "bin" / "python").is_file()
        if has_official:
            run_official(args, src, official)
        rows = compare(images, ours, official) if has_official else []
        native_lines = {image.name: len(json.loads((ours / result_name(image)).read_text(encoding="utf-8"))
                                        ["rec_texts"]) for image in images}

    result = result_header(sys.argv[1:] if argv is None else argv)
    result.update({"images": len(images), "official_run": has_official, "native_lines": native_lines,
                   "rows": rows})
    if rows:
        result["summary"] = {
            "images_same_boxes": sum(r["same_boxes"] for r in rows),
            "images_same_texts": sum(r["same_texts"] for r in rows),
            "lines_official": sum(r["lines_official"] for r in rows),
            "lines_differing": sum(len(r["differing_texts"]) for r in rows),
            "max_score_diff": max(r["max_score_diff"] for r in rows),
        }
        print(format_table(("image", "lines (official / ours)", "same boxes", "same texts", "max score diff"),
                           [(r["image"], f"{r['lines_official']} / {r['lines_ours']}", r["same_boxes"],
                             r["same_texts"], f"{r['max_score_diff']:.1e}") for r in rows]))
        s = result["summary"]
        print(f"\n{s['images_same_texts']}/{len(rows)} images with the same boxes and texts; "
              f"{s['lines_official']} official lines; largest score difference {s['max_score_diff']:.1e}")
    else:
        print(f"[parity] {len(images)} images run by ppocr-native; no official venv at {args.paddle_venv}: "
              "nothing compared")
    write_json(json_path, result)
    print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
