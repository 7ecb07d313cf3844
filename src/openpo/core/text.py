"""Text a database or a seller cannot use: control characters, lone surrogates and the
invisible bidirectional overrides that make a name read backwards.

Every door that takes text (forms, the API, importers, commands) asks `text_problem` and
refuses the value with its message; nothing is silently stripped, so what the seller reads
is what the buyer typed.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Line breaks and tabs are fine inside multi-line text (an address, a note, a template).
MULTILINE_ALLOWED = frozenset("\n\r\t")
# Embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069): they reorder what
# a reader sees ("gpj.exe" shown as "exe.jpg") and have no place in a name or an address.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

CONTROL_CHARACTER_MESSAGE = _(
    "This contains an invisible control character (perhaps from a copy and paste). "
    "Type it again without it."
)
LINE_BREAK_MESSAGE = _("Keep this on one line.")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None when it can."""
    for char in value:
        if char in BIDI_CONTROLS:
            return str(CONTROL_CHARACTER_MESSAGE)
        category = unicodedata.category(char)
        if category == "Cs":  # a lone surrogate: not encodable as UTF-8 at all
            return str(CONTROL_CHARACTER_MESSAGE)
        if category != "Cc":
            continue
        if char in MULTILINE_ALLOWED:
            if multiline:
                continue
            if char in "\n\r":
                return str(LINE_BREAK_MESSAGE)
        return str(CONTROL_CHARACTER_MESSAGE)
    return None


def validate_single_line(value: str) -> None:
    """A Django validator for one-line text."""
    if problem := text_problem(value):
        raise ValidationError(problem, code="control_character")


def validate_multiline(value: str) -> None:
    """A Django validator for text that may span lines."""
    if problem := text_problem(value, multiline=True):
        raise ValidationError(problem, code="control_character")
