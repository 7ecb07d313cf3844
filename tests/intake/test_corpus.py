"""The parser against the corpus of buyers' messages (tests/intake/corpus, see load.py).

The corpus was written from how buyers write, not from how the parser reads; a few hard
messages may fail one by one, so the parser is held to an accuracy over all expected orders
(`accuracy` in load.py) and the failure lists every case that went wrong, with a diff.
`bench/parse_accuracy.py` prints the same figures.

Beside our corpus, the held-out corpora in its subfolders (written without seeing the parser)
are held to the same figure, each on its own. The other tests check every corpus itself: that
every expectation names real products and variants, valid phones written in the text, known
error codes, and that ours still covers chat exports, several orders per text and orders with
problems.
"""

import re
from collections import Counter

import pytest

from openpo.core.phone import InvalidPhoneNumber, normalize_phone
from tests.intake.corpus import load

REQUIRED_ACCURACY = 0.95
CASES = load.cases()
OURS = load.cases("corpus")


def test_the_corpus_is_big_and_varied_enough():
    assert len(OURS) >= 60
    assert sum(case.has_errors for case in OURS) >= 10
    assert sum(case.is_chat for case in OURS) >= 8
    assert sum(len(case.expected) > 1 for case in OURS) >= 6
    for corpus in load.corpora():
        used = {case.catalogue for case in load.cases(corpus)}
        assert used == set(load.catalogues(corpus)), corpus
    duplicated = [i for i, n in Counter(case.id for case in CASES).items() if n > 1]
    assert not duplicated


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_expectation_is_consistent(case):
    catalogue = load.catalogues(case.corpus)[case.catalogue]
    offered = {(entry.product, entry.variant) for entry in catalogue.entries}
    assert case.text.strip()
    assert case.expected, "a case holds at least one order"
    for order in case.expected:
        for product, variant, quantity in order.items:
            assert (product, variant) in offered, f"{product} / {variant} is not in the catalogue"
            assert quantity > 0
        assert set(order.errors) <= load.ERROR_CODES
        assert (not order.name) == ("missing_name" in order.errors)
        if order.phone is None:
            assert {"missing_phone", "invalid_phone"} & set(order.errors)
        else:
            assert normalize_phone(order.phone) == order.phone
        if not order.items:
            assert order.errors, "an order without matched items must say why"


def _phones_in(text: str) -> set[str]:
    found = set()
    for candidate in re.findall(r"\+?\(?\+?\d[\d \t().-]{7,}\d", text):
        try:
            found.add(normalize_phone(candidate))
        except InvalidPhoneNumber:
            continue
    return found


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_each_expected_phone_is_written_in_the_text(case):
    phones = _phones_in(case.text)
    for order in case.expected:
        if order.phone:
            assert order.phone in phones, f"{order.phone} not in {sorted(phones)}"


@pytest.mark.parametrize("corpus", list(load.corpora()))
def test_the_parser_reads_the_corpus(corpus):
    from openpo.intake.parser import parse_text

    results = load.evaluate(parse_text, load.cases(corpus))
    figures = load.figures(results)
    failed = "\n\n".join(result.report() for result in results if not result.ok)
    assert figures.accuracy >= REQUIRED_ACCURACY, (
        f"accuracy {figures.accuracy:.1%} is below {REQUIRED_ACCURACY:.0%}\n"
        f"{load.summary(figures)}\n\nfailing cases:\n\n{failed}"
    )
