"""Score `openpo.intake.parser.parse_text` against the second held-out corpus.

The cases were written without reading the parser, its tests or the other corpora, against four
catalogues (plants, a home bakery, kids' clothing, a coffee roaster) none of them use. Run:

    .venv/bin/python tests/intake/corpus/holdout2/evaluate.py [-v] [case-id ...]

Orders are paired in order. An order is correct when the name matches (case-insensitive,
whitespace-normalised), the phone matches, the multiset of (product, variant, quantity) over the
matched items equals the expected items, every expected error code is reported, and no error is
reported on an order expected clean. A case counts max(expected, read) orders, so orders read
that were not expected count against it.
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]  # tests/intake/corpus/holdout2 -> the project
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpo.settings")

import django  # noqa: E402

django.setup()

from openpo.intake.catalogue import Catalogue  # noqa: E402
from openpo.intake.parser import parse_text  # noqa: E402


def norm_name(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def expected_items(order: dict) -> Counter:
    return Counter((i["product"], i["variant"], i["quantity"]) for i in order["items"])


def read_items(order) -> Counter:
    return Counter((i.product, i.variant, i.quantity) for i in order.items if i.matched)


def compare(expected: dict, order) -> list[str]:
    """What differs between one expected order and the order read (empty: correct)."""
    diffs = []
    if norm_name(expected["name"]) != norm_name(order.name):
        diffs.append(f"name {order.name!r} != {expected['name']!r}")
    if expected["phone"] != order.phone:
        diffs.append(f"phone {order.phone!r} != {expected['phone']!r}")
    want, got = expected_items(expected), read_items(order)
    if want != got:
        missing = sorted((want - got).elements(), key=str)
        extra = sorted((got - want).elements(), key=str)
        diffs.append(f"items: missing {missing}, extra {extra}")
    codes = set(order.error_codes())
    lacking = [c for c in expected["errors"] if c not in codes]
    if lacking:
        diffs.append(f"errors not reported {lacking} (reported {sorted(codes)})")
    if not expected["errors"] and codes:
        detail = "; ".join(str(p) for p in order.errors)
        diffs.append(f"errors on a clean order: {detail}")
    return diffs


def check_corpus(catalogues: dict[str, Catalogue], cases: list[dict]) -> None:
    """Refuse to score a corpus whose expectations name what the catalogue lacks."""
    for case in cases:
        known = {(e.product, e.variant) for e in catalogues[case["catalogue"]].entries}
        for expected in case["expected"]:
            for item in expected["items"]:
                if (item["product"], item["variant"]) not in known:
                    sys.exit(f"{case['id']}: {item} is not in catalogue {case['catalogue']!r}")


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    only = {a for a in argv if not a.startswith("-")}
    raw = json.loads((HERE / "catalogues.json").read_text(encoding="utf-8"))
    catalogues = {name: Catalogue.from_products(products) for name, products in raw.items()}
    cases = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    check_corpus(catalogues, cases)
    if only:
        cases = [c for c in cases if c["id"] in only]

    correct = total = cases_ok = 0
    for case in cases:
        orders = parse_text(case["text"], catalogues[case["catalogue"]])
        expected = case["expected"]
        count = max(len(expected), len(orders))
        problems = []
        good = 0
        for index in range(count):
            if index >= len(orders):
                problems.append(f"order {index + 1} ({expected[index]['name']!r}) not read")
                continue
            if index >= len(expected):
                extra = orders[index]
                items = sorted(read_items(extra).elements(), key=str)
                problems.append(f"order {index + 1} not expected: {extra.name!r} {items}")
                continue
            diffs = compare(expected[index], orders[index])
            if diffs:
                problems.append(f"order {index + 1}: " + "; ".join(diffs))
            else:
                good += 1
        correct += good
        total += count
        cases_ok += not problems
        if problems:
            print(f"FAIL {case['id']} ({good}/{count})")
            for problem in problems:
                print(f"    {problem}")
            if verbose:
                for order in orders:
                    print("    read:", json.dumps(order.as_json(), ensure_ascii=False))
    print(f"cases fully correct: {cases_ok}/{len(cases)}")
    share = 100 * correct / total if total else 0.0
    print(f"orders fully correct: {correct}/{total} = {share:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
