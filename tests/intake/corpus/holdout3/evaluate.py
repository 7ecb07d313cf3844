"""Score the intake parser on the third held-out corpus (written without reading the parser).

Run from anywhere:  .venv/bin/python tests/intake/corpus/holdout3/evaluate.py [-v]

Each case's text goes through `openpo.intake.parser.parse_text` against its catalogue. Orders
are paired in order. An order is fully correct when the name matches (case-insensitive,
whitespace-normalised), the phone matches, the multiset of (product, variant, quantity) over the
matched items equals the expected items, every expected error code is reported, and no error
is reported on an order expected clean. A case counts max(expected, read) orders, so orders read
from text that holds none (seller announcements, replies, system lines) count against it.
"""

import json
import os
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, "/work/main")
sys.path.insert(0, "/work/main/src")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpo.settings")

import django  # noqa: E402

django.setup()

from openpo.intake.catalogue import Catalogue  # noqa: E402
from openpo.intake.parser import parse_text  # noqa: E402


def norm_name(name):
    return " ".join((name or "").split()).casefold()


def item_key(product, variant, quantity):
    return (product, variant, quantity)


def compare(expected, order):
    """The differences between one expected order and one read order (empty: correct)."""
    diffs = []
    if order is None:
        return ["not read"]
    if expected is None:
        return [f"extra order read (name={order.name!r}, items={len(order.items)})"]
    if norm_name(expected["name"]) != norm_name(order.name):
        diffs.append(f"name {order.name!r} != {expected['name']!r}")
    if expected["phone"] != order.phone:
        diffs.append(f"phone {order.phone!r} != {expected['phone']!r}")
    got = Counter(item_key(i.product, i.variant, i.quantity) for i in order.items if i.matched)
    want = Counter(item_key(i["product"], i["variant"], i["quantity"]) for i in expected["items"])
    if got != want:
        missing = list((want - got).elements())
        extra = list((got - want).elements())
        diffs.append(f"items missing {missing} extra {extra}")
    codes = set(order.error_codes())
    if expected["errors"]:
        absent = [c for c in expected["errors"] if c not in codes]
        if absent:
            diffs.append(f"errors {sorted(codes)} lack {absent}")
    elif codes:
        shown = "; ".join(str(p) for p in order.errors)
        diffs.append(f"unexpected errors {sorted(codes)}: {shown}")
    return diffs


def main(argv):
    verbose = "-v" in argv
    catalogues = {
        name: Catalogue.from_products(products)
        for name, products in json.loads((HERE / "catalogues.json").read_text()).items()
    }
    cases = json.loads((HERE / "cases.json").read_text())
    correct = total = cases_ok = 0
    for case in cases:
        orders = parse_text(case["text"], catalogues[case["catalogue"]])
        expected = case["expected"]
        count = max(len(expected), len(orders))
        failures = []
        for index in range(count):
            want = expected[index] if index < len(expected) else None
            got = orders[index] if index < len(orders) else None
            diffs = compare(want, got)
            if diffs:
                failures.append(f"  order {index + 1}: " + "; ".join(diffs))
            else:
                correct += 1
        total += count
        if failures:
            print(f"FAIL {case['id']} ({count - len(failures)}/{count})")
            print("\n".join(failures))
            if verbose:
                for order in orders:
                    print("    read:", json.dumps(order.as_json(), ensure_ascii=False))
        else:
            cases_ok += 1
    print(f"cases fully correct: {cases_ok}/{len(cases)}")
    print(f"orders fully correct: {correct}/{total} = {100 * correct / total:.1f}%")


if __name__ == "__main__":
    main(sys.argv[1:])
