"""Order codes buyers can read out in a chat (`PO-7K3Q9`), the secret of the order page, and
the idempotency key a client sends with an order, as it is stored and looked up."""

import secrets

# No 0/O, 1/I/L: a code is typed from a screenshot or read aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 5


def new_order_code() -> str:
    return "PO-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_order_secret() -> str:
    """192 random bits, URL-safe: the key of the buyer's order page."""
    return secrets.token_urlsafe(24)


IDEMPOTENCY_KEY_LENGTH = 64  # Order.idempotency_key's max_length


def clean_idempotency_key(raw: str | None) -> str:
    """The key as stored: without surrounding spaces, at most 64 characters ('' for none)."""
    return (raw or "").strip()[:IDEMPOTENCY_KEY_LENGTH]
