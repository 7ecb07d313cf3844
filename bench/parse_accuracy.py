"""How well does the order parser read real buyers' messages? The corpus, scored.

Runs `openpo.intake.parser.parse_text` on every case of the corpus in tests/intake/corpus
(tidy order formats, sloppy one-liners, typos, WhatsApp exports, several orders per paste,
orders with problems; each with what a careful seller reads in it) and prints a line for each
failing case with what differed, then the figures:

- orders fully correct: name, phone, matched items and error codes all as expected, over the
  expected orders plus the extra orders the parser found (a seller's reply read as an order);
- expected errors reported: the problem codes the parser had to report, and did;
- clean orders with unexpected errors: orders without problems that the parser flagged.

    .venv/bin/python bench/parse_accuracy.py            # failing cases and the figures
    .venv/bin/python bench/parse_accuracy.py -v         # every case, passing ones too
    .venv/bin/python bench/parse_accuracy.py -k chat    # only the cases whose id holds "chat"

tests/intake/test_corpus.py asserts the same accuracy (at least 95%). No database is used.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    parser.add_argument("-k", dest="keyword", default="", help="only cases whose id holds this")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openpo.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from tests.intake.corpus import load

    from openpo.intake.parser import parse_text

    everything = []
    for corpus in load.corpora():
        selected = [case for case in load.cases(corpus) if args.keyword in case.id]
        if not selected:
            continue
        results = load.evaluate(parse_text, selected)
        everything += results
        for result in results:
            if result.ok:
                if args.verbose:
                    print(f"PASS {result.case.id}")
                continue
            print("FAIL " + result.report())
        print(f"\n== {corpus} ({len(selected)} cases)")
        print(load.summary(load.figures(results)))
        print()
    print("== all corpora")
    print(load.summary(load.figures(everything)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
