"""Fonts, text fitting and colours of the share posters (see `share.images`).

The font is Pillow's bundled scalable one (`ImageFont.load_default(size=…)`, FreeType), so a
poster looks the same on every server whatever fonts it has. That font has plain Latin letters
only and no bold weight: `printable` reduces text to what it can draw, and a thin stroke of
the text's own colour stands in for bold.
"""

import re
import unicodedata
from functools import lru_cache

from PIL import ImageFont

DARK = (29, 35, 43)
WHITE = (255, 255, 255)
RGB = tuple[int, int, int]


def hex_to_rgb(color: str) -> RGB:
    """`#B4235A` → (180, 35, 90); OpenPO's own pink for anything unreadable."""
    value = (color or "").lstrip("#")
    try:
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except ValueError:
        return (180, 35, 90)


# --- Colour --------------------------------------------------------------------------------


def _luminance(color: RGB) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_color(background: RGB) -> RGB:
    """White or near-black, whichever reads better on `background`."""
    return WHITE if contrast(WHITE, background) >= contrast(DARK, background) else DARK


def mix(a: RGB, b: RGB, share_of_a: float) -> RGB:
    return tuple(round(x * share_of_a + y * (1 - share_of_a)) for x, y in zip(a, b, strict=True))


# --- Text ----------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


_REPLACEMENTS = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})


@lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    """Does the bundled font draw `char` (rather than its empty-box "missing" glyph)?"""
    if char.isspace():
        return True
    face = font(40)
    if not isinstance(face, ImageFont.FreeTypeFont):
        return char.isascii()
    return bytes(face.getmask(char)) != bytes(face.getmask("\uffff"))


def _drawable(char: str) -> str:
    if _has_glyph(char):
        return char
    # é → e: the font has plain Latin letters only.
    base = unicodedata.normalize("NFKD", char)[:1]
    return base if base != char and _has_glyph(base) else ""


def printable(text: str) -> str:
    """`text` with only characters the font has (dashes straightened, accents dropped from
    letters, emoji left out)."""
    text = text.translate(_REPLACEMENTS)
    return " ".join("".join(_drawable(ch) for ch in text).split())


def wrap(text: str, size: int, width: int, *, bold: bool = False) -> list[str]:
    """Break `text` into lines no wider than `width` (a word too long is cut by characters)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, size, bold) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    lines = [*lines, current] if current else lines
    # No lone word on the last line ("Batch / 2"): take one down from the line above.
    if len(lines) >= 2 and " " not in lines[-1] and " " in lines[-2]:
        head, moved = lines[-2].rsplit(" ", 1)
        if text_width(f"{moved} {lines[-1]}", size, bold) <= width:
            lines[-2:] = [head, f"{moved} {lines[-1]}"]
    return lines


def fit(
    text: str, width: int, height: int, sizes: range, *, bold: bool = False
) -> tuple[int, list[str]]:
    """The largest size in `sizes` at which `text` wraps into `width`×`height`; at the
    smallest, the lines that fit with "…" at the end."""
    for size in sizes:
        lines = wrap(text, size, width, bold=bold)
        if len(lines) * line_height(size) <= height:
            return size, lines
    size = sizes[-1]
    lines = wrap(text, size, width, bold=bold)
    keep = max(1, height // line_height(size))
    if len(lines) > keep:
        lines = lines[:keep]
        while lines[-1] and text_width(lines[-1] + "…", size, bold) > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] = lines[-1].rstrip() + "…"
    return size, lines


def line_height(size: int) -> int:
    return round(size * 1.22)


def stroke(size: int, bold: bool) -> int:
    return max(1, size // 36) if bold else 0


def text_width(text: str, size: int, bold: bool = False) -> int:
    left, _top, right, _bottom = font(size).getbbox(text, stroke_width=stroke(size, bold))
    return right - left


def wrap_link(link: str, size: int, width: int) -> list[str]:
    """A link broken after its slashes and hyphens (or anywhere, for a part too long)."""
    parts = [part for part in re.findall(r"[^/-]*[/-]?", link) if part]
    return [line.replace(" ", "") for line in wrap(" ".join(parts), size, width)]
