"""Placeholder product photos for the demo shop, drawn with Pillow (no image files shipped):
a knit-like pattern in a colour picked from the product's name, with the name across it."""

import hashlib
import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

SIZE = 600
PALETTE = [
    ((236, 214, 196), (120, 72, 52)),
    ((205, 222, 209), (44, 98, 74)),
    ((212, 216, 236), (52, 62, 120)),
    ((240, 220, 226), (132, 52, 82)),
    ((238, 229, 200), (116, 92, 32)),
    ((220, 220, 220), (60, 60, 60)),
]


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) > width and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def product_photo(name: str) -> ContentFile:
    """A 600×600 JPEG for `name`, the same every time for the same name."""
    index = int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(PALETTE)
    background, ink = PALETTE[index]
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    stitch = tuple(max(c - 18, 0) for c in background)
    for y in range(0, SIZE, 24):  # rows of "V" stitches, like knitwear
        for x in range(0, SIZE, 24):
            draw.line([(x, y), (x + 12, y + 16), (x + 24, y)], fill=stitch, width=4)
    font = ImageFont.load_default(size=44)
    lines = _wrap(name.removeprefix("PO "), 18)
    top = SIZE // 2 - len(lines) * 28
    draw.rounded_rectangle(
        [40, top - 24, SIZE - 40, top + len(lines) * 56 + 16], 24, fill=background
    )
    for number, line in enumerate(lines):
        draw.text((SIZE // 2, top + number * 56), line, fill=ink, font=font, anchor="ma")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=True)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def transfer_receipt(bank: str, amount: int, when: str) -> ContentFile:
    """A phone screenshot of a successful transfer, as buyers send them ("bukti transfer")."""
    image = Image.new("RGB", (360, 640), (245, 247, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 360, 96], fill=(0, 94, 170))
    draw.text((24, 32), bank, font=ImageFont.load_default(size=28), fill="white")
    body = ImageFont.load_default(size=22)
    draw.text((24, 140), "Transfer Berhasil", font=ImageFont.load_default(size=30), fill="black")
    draw.text((24, 210), f"Rp {amount:,}".replace(",", "."), font=body, fill=(0, 94, 170))
    draw.text((24, 260), when, font=body, fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="bukti-transfer.png")
