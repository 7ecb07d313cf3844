"""Short memory per process: a value kept a second or two, then read afresh.

A war PO asks the same things thousands of times a second (is it sold out, the page, its live
counts, the shop's message wording). Each place keeps its answers in a `ShortMemory`: entries
end after `seconds`, the whole memory is dropped when it holds `max_items` (a flood of
distinct keys cannot grow it), and what a seller changes is forgotten at once in the process
where it changed (the owners connect `forget` to their save signals). Another process sees the
change within `seconds`. Every memory is listed here, so a test can start each one empty
(`forget_everything`).
"""

import time
from collections.abc import Callable, Hashable
from typing import Any

_MEMORIES: list["ShortMemory"] = []


class ShortMemory:
    def __init__(self, seconds: float, *, max_items: int = 1000) -> None:
        self.seconds = seconds
        self.max_items = max_items
        self._items: dict[Hashable, tuple[float, Any]] = {}
        _MEMORIES.append(self)

    def get(self, key: Hashable) -> Any | None:
        """The value kept for `key`, or None when there is none or it is too old."""
        kept = self._items.get(key)
        if kept is None:
            return None
        if kept[0] <= time.monotonic():
            self._items.pop(key, None)
            return None
        return kept[1]

    def put(self, key: Hashable, value: Any) -> None:
        if len(self._items) >= self.max_items:
            self._items.clear()
        self._items[key] = (time.monotonic() + self.seconds, value)

    def forget(self, **_signal: object) -> None:
        """Forget everything (usable as a signal receiver)."""
        self._items.clear()

    def forget_where(self, test: Callable[[Any], bool]) -> None:
        """Forget the values `test` picks."""
        for key, (_until, value) in list(self._items.items()):
            if test(value):
                self._items.pop(key, None)


def forget_everything() -> None:
    """Every memory of the process emptied: each test's database starts afresh."""
    for memory in _MEMORIES:
        memory.forget()
