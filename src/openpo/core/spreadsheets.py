"""Text a spreadsheet would run as a formula (starting with = + - @, a tab or a return) is
defused with a leading apostrophe; every file OpenPO writes for spreadsheets uses this."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """A text cell a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
