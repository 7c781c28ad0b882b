"""Renders tests/assets/sample.png, the quick-start image (text we wrote ourselves).

Run: python tests/assets/make_sample.py  (needs Pillow >= 10.1 for a scalable default font)
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

LINES = (
    "ppocr-native quick start",
    "Invoice No. 2026-1127",
    "Total amount: 1,234.50 EUR",
    "Thank you for reading!",
)


def main() -> None:
    font = ImageFont.load_default(size=40)
    image = Image.new("RGB", (900, 80 + 70 * len(LINES)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(LINES):
        draw.text((40, 40 + 70 * i), line, fill=(20, 20, 20), font=font)
    out = Path(__file__).with_name("sample.png")
    image.save(out, optimize=True)
    print(out)


if __name__ == "__main__":
    main()
