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


def correction(text: str) -> tuple[str, str] | None:
    """ "eh salah bu, paket B maksudnya, bukan C. Tetap 2" → ("paket B", "C")."""
    match = CORRECTION.match(text)
    if not match:
        return None
    parts = CORRECTION_SPLIT.split(match["body"], maxsplit=1)
    if len(parts) != 2:
        return None
    new = trim(" ".join(CORRECTION_WORDS.sub(" ", parts[0]).split()))
    old = trim(re.split(r"[,.!?]", parts[1])[0])
    if old.isdigit() and re.findall(r"\d+", new):  # a quantity: only the number changes
        new = re.findall(r"\d+", new)[-1]
    return (new, old) if new and old else None


def plain_correction(text: str, items: list[str]) -> tuple[str, str] | None:
    """A correction without "eh salah" in front, taken only when what it replaces is in the
    order: "kue keranjangnya jadi 12 ya bukan 10"."""
    parts = CORRECTION_SPLIT.split(text, maxsplit=1)
    if len(parts) != 2:
        return None
    new = trim(" ".join(CORRECTION_WORDS.sub(" ", parts[0]).split()))
    old = trim(re.split(r"[,.!?]", parts[1])[0])
    if not (new and old):
        return None
    if old.isdigit():  # a quantity: only the number changes
        numbers = re.findall(r"\d+", new)
        if not numbers:
            return None
        new = numbers[-1]
    pattern = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)", re.IGNORECASE)
    return (new, old) if any(pattern.search(line) for line in items) else None


def corrected(items: list[str], corrections: list[tuple[str, str]]) -> list[str]:
    """The item lines with the buyer's own corrections made: "paket B bukan C" puts B where
    the last line said C."""
    lines = list(items)
    for new, old in corrections:
        pattern = re.compile(rf"(?<!\w){re.escape(old)}(?!\w)", re.IGNORECASE)
        for number in range(len(lines) - 1, -1, -1):
            found = list(pattern.finditer(lines[number]))
            if found:
                last = found[-1]
                fixed = lines[number][: last.start()] + new + lines[number][last.end() :]
                lines[number] = REPEATED_WORD.sub(r"\1", fixed)
                break
    return lines


REPEATED_WORD = re.compile(r"\b(\w+)(?:\s+\1\b)+", re.IGNORECASE)
