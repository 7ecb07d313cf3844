"""The parser's test corpus: buyers' messages with what a careful seller reads in them.

Files (next to this module):

- `catalogues.json`: `{"fashion": {"title": ..., "products": [...]}, ...}`; `products` is what
  `Catalogue.from_products` takes.
- `cases_*.json`: lists of cases, `{"id", "catalogue", "text", "expected", "note"?}`. `text` is
  a list of lines (joined with "\\n"; a plain string is accepted too). `expected` holds one
  object per order in the text, in the order they appear: `{"name", "phone", "items",
  "errors"}`.

What an expected order means (and how `compare` judges a parsed one):

- `name`: the buyer's name as written (the chat sender's display name when a chat export has
  no name field); compared case-insensitively with whitespace collapsed. `""` means there is
  no name (the order must then report `missing_name`, listed in `errors`).
- `phone`: E.164 (`+62…`) or null when the buyer gave none or an invalid one; compared exactly.
- `items`: ONLY THE MATCHED ITEMS, as `(product, variant, quantity)` with the seller's names
  (`variant` = option values joined by " / " in the catalogue's option order, null for a
  product without options). An item the parser cannot match (unknown product, a variant the
  product lacks, a missing variant, a zero or negative quantity) is left out and the expected
  error code stands for it. On the parser's side, the compared items are those with
  `ParsedItem.matched` (an SKU and a quantity above zero); the two are compared as multisets.
  No quantity written means 1.
- `errors`: the error codes that must be reported (a subset of what the parser reports);
  an order expected with `[]` must report no error at all. Warnings are not compared.

Held-out corpora live in subfolders (`holdout/`, `holdout2/`, …), each with its own
`catalogues.json` (there a catalogue may be the list of products itself) and `cases*.json`,
written by people who had not seen the parser; `cases()` reads them all, each case knowing its
corpus. `corpora()` names them.

An order is fully correct when all four hold. Expected and parsed orders are paired by name or
phone first (so a parser may list interleaved chat orders in another order), then by position.
A parsed order that pairs with no expected one is an extra order (a seller's reply or a
template read as an order, one order split in two): it counts as a wrong order, so

    accuracy = fully correct expected orders / (expected orders + extra parsed orders).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from openpo.intake.catalogue import Catalogue

CORPUS = Path(__file__).resolve().parent

ERROR_CODES = frozenset(
    {
        "unknown_product",
        "ambiguous_product",
        "missing_variant",
        "unknown_variant",
        "bad_quantity",
        "missing_name",
        "missing_phone",
        "invalid_phone",
        "missing_address",
        "invalid_email",
        "missing_items",
    }
)

# A WhatsApp export line: `[12/08/25 19.03.22] Budi: `, `12/08/25, 19:03 - Budi: `,
# `12/08/25 19.03 - Budi: ` (and the notices written without a sender).
CHAT_LINE = re.compile(
    r"^\u200e?\[?\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}[.:]\d{2}(?:[.:]\d{2})?\]?(?: -)? "
)

Item = tuple[str, str | None, int]


@dataclass(frozen=True)
class ExpectedOrder:
    name: str
    phone: str | None
    items: tuple[Item, ...]
    errors: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    id: str
    catalogue: str
    text: str
    expected: tuple[ExpectedOrder, ...]
    note: str = ""
    source: str = ""  # the file it came from
    corpus: str = "corpus"  # the folder: "corpus" (ours) or a held-out one

    @property
    def is_chat(self) -> bool:
        return sum(bool(CHAT_LINE.match(line)) for line in self.text.splitlines()) >= 2

    @property
    def has_errors(self) -> bool:
        return any(order.errors for order in self.expected)


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "\n".join(value)


def _expected(raw: dict) -> ExpectedOrder:
    items = tuple(
        (item["product"], item.get("variant"), int(item.get("quantity", 1)))
        for item in raw.get("items", [])
    )
    return ExpectedOrder(
        name=raw.get("name") or "",
        phone=raw.get("phone"),
        items=items,
        errors=tuple(raw.get("errors", [])),
    )


def corpora() -> dict[str, Path]:
    """Our corpus ("corpus") and every held-out one, by folder name."""
    found = {"corpus": CORPUS}
    for folder in sorted(CORPUS.iterdir()):
        if (folder / "catalogues.json").is_file():
            found[folder.name] = folder
    return found


@cache
def catalogue_data(corpus: str = "corpus") -> dict:
    path = corpora()[corpus] / "catalogues.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def catalogues(corpus: str = "corpus") -> dict[str, Catalogue]:
    return {
        name: Catalogue.from_products(data["products"] if isinstance(data, dict) else data)
        for name, data in catalogue_data(corpus).items()
    }


@cache
def cases(corpus: str | None = None) -> tuple[Case, ...]:
    """Every case of every `cases*.json` of one corpus (None: all), files in name order,
    cases in file order."""
    found = []
    names = list(corpora()) if corpus is None else [corpus]
    for name in names:
        for path in sorted(corpora()[name].glob("cases*.json")):
            for raw in json.loads(path.read_text(encoding="utf-8")):
                found.append(
                    Case(
                        id=raw["id"],
                        catalogue=raw["catalogue"],
                        text=_text(raw["text"]),
                        expected=tuple(_expected(order) for order in raw["expected"]),
                        note=raw.get("note", ""),
                        source=f"{name}/{path.name}",
                        corpus=name,
                    )
                )
    return tuple(found)


# --- Comparing ----------------------------------------------------------------------------------


def norm_name(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def parsed_items(order) -> Counter:
    """The matched items of a parsed order as a multiset of (product, variant, quantity)."""
    return Counter(
        (item.product, item.variant, int(item.quantity)) for item in order.items if item.matched
    )


def error_codes(order) -> list[str]:
    return [problem.code for problem in order.errors]


def _show_item(item: Item) -> str:
    product, variant, quantity = item
    return f"{product}{' ' + variant if variant else ''} x{quantity}"


def _show_problems(problems) -> str:
    return "; ".join(f"{p.code} ({p})" for p in problems)


@dataclass
class OrderResult:
    expected: ExpectedOrder
    parsed: object | None  # the paired ParsedOrder, None when the parser gave none
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.parsed is not None and not self.problems

    @property
    def errors_reported(self) -> int:
        """How many of the expected error codes the paired parsed order reports."""
        if self.parsed is None:
            return 0
        codes = set(error_codes(self.parsed))
        return sum(code in codes for code in self.expected.errors)

    @property
    def clean_but_flagged(self) -> bool:
        """Expected without errors, but the parser reported some."""
        return (
            self.parsed is not None
            and not self.expected.errors
            and bool(getattr(self.parsed, "errors", None))
        )


def compare_order(expected: ExpectedOrder, parsed) -> list[str]:
    """What differs between an expected order and a parsed one (empty: fully correct)."""
    problems = []
    if norm_name(expected.name) != norm_name(parsed.name):
        problems.append(f"name: expected {expected.name!r}, got {parsed.name!r}")
    if expected.phone != parsed.phone:
        problems.append(
            f"phone: expected {expected.phone!r}, got {parsed.phone!r}"
            f" (read from {parsed.phone_text!r})"
        )
    want, got = Counter(expected.items), parsed_items(parsed)
    if want != got:
        missing = sorted(_show_item(i) for i in (want - got).elements())
        extra = sorted(_show_item(i) for i in (got - want).elements())
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        unmatched = [i.text for i in parsed.items if not i.matched]
        if unmatched:
            parts.append(f"unmatched texts {unmatched}")
        problems.append("items: " + ", ".join(parts))
    codes = error_codes(parsed)
    if expected.errors:
        absent = [code for code in expected.errors if code not in codes]
        if absent:
            problems.append(
                f"errors: expected {list(expected.errors)} but {absent} not reported;"
                f" reported: {_show_problems(parsed.errors) or 'none'}"
            )
    elif codes:
        problems.append(f"errors on a clean order: {_show_problems(parsed.errors)}")
    return problems


def pair(expected: Sequence[ExpectedOrder], parsed: Sequence) -> list[int | None]:
    """For each expected order, the index of its parsed order (or None).

    First by identity (same name, or same phone), in order; the rest by position among the
    parsed orders left over.
    """
    used: set[int] = set()
    pairs: list[int | None] = [None] * len(expected)
    for i, want in enumerate(expected):
        for j, got in enumerate(parsed):
            if j in used:
                continue
            same_name = want.name and norm_name(want.name) == norm_name(got.name)
            same_phone = want.phone and want.phone == got.phone
            if same_name or same_phone:
                pairs[i] = j
                used.add(j)
                break
    left = [j for j in range(len(parsed)) if j not in used]
    for i in range(len(expected)):
        if pairs[i] is None and left:
            pairs[i] = left.pop(0)
            used.add(pairs[i])
    return pairs


@dataclass
class CaseResult:
    case: Case
    orders: list[OrderResult]
    extra: list  # parsed orders that pair with no expected order
    crash: str = ""  # the exception the parser raised, if any

    @property
    def ok(self) -> bool:
        return not self.crash and not self.extra and all(o.ok for o in self.orders)

    def report(self) -> str:
        """A readable diff of what went wrong (empty when the case passed)."""
        if self.ok:
            return ""
        lines = [f"{self.case.id} ({self.case.source}):"]
        if self.crash:
            lines.append(f"  parser raised {self.crash}")
        for number, result in enumerate(self.orders, 1):
            if result.ok:
                continue
            label = f"  order {number} ({result.expected.name or 'no name'})"
            if result.parsed is None:
                lines.append(f"{label}: not found")
                continue
            lines += [f"{label}:"] + [f"    {problem}" for problem in result.problems]
        for order in self.extra:
            items = sorted(_show_item(i) for i in parsed_items(order).elements())
            unmatched = [i.text for i in order.items if not i.matched]
            lines.append(
                f"  extra order: name={order.name!r} phone={order.phone!r} items={items}"
                f" unmatched={unmatched} errors={error_codes(order)}"
            )
        return "\n".join(lines)


def compare(case: Case, parsed: Sequence) -> CaseResult:
    parsed = list(parsed)
    pairs = pair(case.expected, parsed)
    orders = []
    for want, index in zip(case.expected, pairs, strict=True):
        if index is None:
            orders.append(OrderResult(want, None, ["not found"]))
        else:
            got = parsed[index]
            orders.append(OrderResult(want, got, compare_order(want, got)))
    extra = [got for j, got in enumerate(parsed) if j not in set(pairs)]
    return CaseResult(case, orders, extra)


def run_case(case: Case, parse: Callable) -> CaseResult:
    """Parse one case with `parse(text, catalogue)` and compare; a crash fails the case."""
    try:
        parsed = parse(case.text, catalogues(case.corpus)[case.catalogue])
    except Exception as exc:  # a crash is a result to report, not a reason to stop
        result = compare(case, [])
        result.crash = f"{type(exc).__name__}: {exc}"
        return result
    return compare(case, parsed)


# --- Figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    cases: int
    cases_ok: int
    orders: int  # expected orders
    orders_ok: int
    extra_orders: int
    errors_expected: int  # expected error codes
    errors_reported: int  # of those, reported on the paired parsed order
    clean_orders: int  # expected orders without errors
    clean_flagged: int  # of those, the parser reported an error on the paired order
    crashes: int

    @property
    def accuracy(self) -> float:
        judged = self.orders + self.extra_orders
        return self.orders_ok / judged if judged else 0.0


def figures(results: Iterable[CaseResult]) -> Figures:
    results = list(results)
    orders = [o for r in results for o in r.orders]
    return Figures(
        cases=len(results),
        cases_ok=sum(r.ok for r in results),
        orders=len(orders),
        orders_ok=sum(o.ok for o in orders),
        extra_orders=sum(len(r.extra) for r in results),
        errors_expected=sum(len(o.expected.errors) for o in orders),
        errors_reported=sum(o.errors_reported for o in orders),
        clean_orders=sum(not o.expected.errors for o in orders),
        clean_flagged=sum(o.clean_but_flagged for o in orders),
        crashes=sum(bool(r.crash) for r in results),
    )


def evaluate(parse: Callable, selected: Iterable[Case] | None = None) -> list[CaseResult]:
    return [run_case(case, parse) for case in (cases() if selected is None else selected)]


def summary(f: Figures) -> str:
    def pct(part: int, whole: int) -> str:
        return f"{100 * part / whole:.1f}%" if whole else "n/a"

    return "\n".join(
        [
            f"orders fully correct: {f.orders_ok}/{f.orders + f.extra_orders}"
            f" ({pct(f.orders_ok, f.orders + f.extra_orders)};"
            f" {f.orders} expected + {f.extra_orders} extra parsed)",
            f"cases fully correct:  {f.cases_ok}/{f.cases} ({pct(f.cases_ok, f.cases)})",
            f"expected errors reported: {f.errors_reported}/{f.errors_expected}"
            f" ({pct(f.errors_reported, f.errors_expected)})",
            f"clean orders with unexpected errors: {f.clean_flagged}/{f.clean_orders}"
            f" ({pct(f.clean_flagged, f.clean_orders)})",
            f"parser crashes: {f.crashes}",
        ]
    )
