"""Held-out check of the chat-order parser: buyers' messages it was not written against.

The cases in `cases.json` were written from how buyers write on WhatsApp, against the four
catalogues in `catalogues.json`, without reading the parser or the main corpus. Each expected
order is compared with what `parse_text` reads:

- the number of orders in the case;
- per order (paired in the order they appear): the name (case-insensitive, whitespace
  normalised), the phone (E.164), the multiset of (product, variant, quantity) of the matched
  items (`ParsedItem.matched`: a sku and a quantity above zero; an item that cannot be matched
  is left out of the expectation), every expected error code reported, and no error at all on
  an order expected clean (extra errors on an order expected to have some are not counted).

Accuracy = orders fully correct / orders (the larger of expected and read, per case, so an
order read from a seller's reply counts against it). Run:

    .venv/bin/python tests/intake/corpus/holdout/evaluate.py [-v] [case-id ...]
"""

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path("/work/main")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpo.settings")

import django  # noqa: E402

django.setup()

from openpo.intake.catalogue import Catalogue  # noqa: E402
from openpo.intake.parser import parse_text  # noqa: E402


def norm_name(name: str | None) -> str:
    return re.sub(r"\s+", " ", (name or "").strip()).casefold()


def item_key(product, variant, quantity) -> tuple:
    return (product, variant or None, quantity)


def compare_order(expected: dict, parsed) -> list[str]:
    """What differs between one expected order and one parsed order (empty: correct)."""
    diffs = []
    if norm_name(expected["name"]) != norm_name(parsed.name):
        diffs.append(f"name {parsed.name!r} != {expected['name']!r}")
    if (expected["phone"] or None) != (parsed.phone or None):
        diffs.append(f"phone {parsed.phone!r} != {expected['phone']!r}")
    want = Counter(item_key(i["product"], i["variant"], i["quantity"]) for i in expected["items"])
    got = Counter(item_key(i.product, i.variant, i.quantity) for i in parsed.items if i.matched)
    if want != got:
        missing = list((want - got).elements())
        extra = list((got - want).elements())
        diffs.append(f"items missing {missing} extra {extra}")
    codes = parsed.error_codes()
    absent = [code for code in expected["errors"] if code not in codes]
    if absent:
        diffs.append(f"errors {absent} not reported (got {codes})")
    if not expected["errors"] and codes:
        messages = "; ".join(str(p) for p in parsed.errors)
        diffs.append(f"unexpected errors {codes}: {messages}")
    return diffs


def evaluate(case_ids: list[str], verbose: bool = False) -> float:
    catalogues = {
        name: Catalogue.from_products(products)
        for name, products in json.loads((HERE / "catalogues.json").read_text()).items()
    }
    cases = json.loads((HERE / "cases.json").read_text())
    if case_ids:
        cases = [c for c in cases if c["id"] in case_ids]

    correct = total = cases_ok = 0
    for case in cases:
        parsed = parse_text(case["text"], catalogues[case["catalogue"]])
        expected = case["expected"]
        problems = []
        if len(parsed) != len(expected):
            problems.append(
                f"{len(parsed)} orders read, {len(expected)} expected: "
                + ", ".join(repr(o.name) for o in parsed)
            )
        case_correct = 0
        for index, want in enumerate(expected):
            if index >= len(parsed):
                problems.append(f"order {index + 1} ({want['name']!r}) not read")
                continue
            diffs = compare_order(want, parsed[index])
            if diffs:
                problems.append(f"order {index + 1} ({want['name']!r}): " + "; ".join(diffs))
            else:
                case_correct += 1
        total += max(len(parsed), len(expected))
        correct += case_correct
        if problems:
            print(f"FAIL {case['id']}")
            for problem in problems:
                print(f"     {problem}")
            if verbose:
                for order in parsed:
                    print("     read:", json.dumps(order.as_json(), ensure_ascii=False))
        else:
            cases_ok += 1
            if verbose:
                print(f"ok   {case['id']}")

    accuracy = correct / total if total else 0.0
    print()
    print(f"cases fully correct:  {cases_ok}/{len(cases)}")
    print(f"orders fully correct: {correct}/{total} = {accuracy:.1%}")
    return accuracy


if __name__ == "__main__":
    args = sys.argv[1:]
    verbose = "-v" in args
    evaluate([a for a in args if a != "-v"], verbose=verbose)
