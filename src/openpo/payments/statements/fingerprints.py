"""The fingerprint of a statement line: the same for the same transaction whenever it is
imported again, in the same file or in an overlapping statement, so it is applied once.

It hashes the shop, the date, the amount, the description (upper case, single spaces, without
the apostrophes banks add) and the balance after the line when the bank gives one. Without a
balance, two identical lines of one day (two buyers sending the same amount with the same
note) are told apart by their order among the identical lines of the file.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

from openpo.payments.statements.lines import Transaction


def normalize_description(text: str) -> str:
    text = text.replace("'", "").replace('"', "").upper()
    return " ".join(re.split(r"\s+", text)).strip()


def fingerprints(*, shop_id: int, transactions: Iterable[Transaction]) -> list[str]:
    """One fingerprint per transaction, in order."""
    seen: Counter[tuple] = Counter()
    result = []
    for transaction in transactions:
        description = normalize_description(transaction.description)
        key = (transaction.posted_on, transaction.amount, description)
        if transaction.balance is None:
            seen[key] += 1
            extra = f"#{seen[key]}"
        else:
            extra = f"={transaction.balance}"
        text = "|".join(
            [
                str(shop_id),
                transaction.posted_on.isoformat(),
                str(transaction.amount),
                description,
                extra,
            ]
        )
        result.append(hashlib.sha256(text.encode()).hexdigest())
    return result
