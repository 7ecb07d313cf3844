"""A buyer's corrections of their own order ("eh salah, paket B bukan C"; "jadi 12 ya bukan
10"), read from a line and made to the item lines they name."""

import re

from openpo.intake.patterns import trim

CORRECTION = re.compile(
    r"^\W*(?:(?:ko|kak|ka|min|bu|pak|sis|mas|mba|mbak)\W+)?"
    r"(?:eh+|sorry|maaf|mohon\s+maaf|ralat|koreksi|revisi|salah|oops|typo)\b(?P<body>.*)$",
    re.IGNORECASE,
)


CORRECTION_SPLIT = re.compile(r"[\s,]+(?:bukan|bkn|not|instead\s+of)\s+", re.IGNORECASE)


CORRECTION_WORDS = re.compile(
    r"\b(?:eh+|sorry|maaf|mohon|ralat|koreksi|revisi|salah|oops|typo|i\s+mean|maksud(?:nya)?|"
    r"saya|aku|yang\s+benar|yg\s+bene?r|(?:se)?harusnya|jadi|bu|kak|min|sis|ya|pak|kok)\b",
    re.IGNORECASE,
)


def _new_and_old(body: str) -> tuple[str, str, bool] | None:
    """("paket B", "C", True) from "paket B maksudnya, bukan C. Tetap 2": what replaces what,
    and whether the new side holds the number a quantity correction needs."""
    parts = CORRECTION_SPLIT.split(body, maxsplit=1)
    if len(parts) != 2:
        return None
    new = trim(" ".join(CORRECTION_WORDS.sub(" ", parts[0]).split()))
    old = trim(re.split(r"[,.!?]", parts[1])[0])
    if not (new and old):
        return None
    numbers = re.findall(r"\d+", new)
    if old.isdigit() and numbers:  # a quantity: only the number changes
        new = numbers[-1]
    return new, old, not old.isdigit() or bool(numbers)


def _whole(text: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE)


def correction(text: str) -> tuple[str, str] | None:
    """ "eh salah bu, paket B maksudnya, bukan C. Tetap 2" → ("paket B", "C")."""
    match = CORRECTION.match(text)
    found = _new_and_old(match["body"]) if match else None
    return found[:2] if found else None


def plain_correction(text: str, items: list[str]) -> tuple[str, str] | None:
    """A correction without "eh salah" in front, taken only when what it replaces is in the
    order: "kue keranjangnya jadi 12 ya bukan 10"."""
    found = _new_and_old(text)
    if not found or not found[2]:
        return None
    new, old, _numbered = found
    return (new, old) if any(_whole(old).search(line) for line in items) else None


def corrected(items: list[str], corrections: list[tuple[str, str]]) -> list[str]:
    """The item lines with the buyer's own corrections made: "paket B bukan C" puts B where
    the last line said C."""
    lines = list(items)
    for new, old in corrections:
        pattern = _whole(old)
        for number in range(len(lines) - 1, -1, -1):
            found = list(pattern.finditer(lines[number]))
            if found:
                last = found[-1]
                fixed = lines[number][: last.start()] + new + lines[number][last.end() :]
                lines[number] = REPEATED_WORD.sub(r"\1", fixed)
                break
    return lines


REPEATED_WORD = re.compile(r"\b(\w+)(?:\s+\1\b)+", re.IGNORECASE)
