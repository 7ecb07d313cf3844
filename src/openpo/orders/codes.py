"""Order codes buyers can read out in a chat (`PO-7K3Q9`) and the secret of the order page."""

import secrets

# No 0/O, 1/I/L: a code is typed from a screenshot or read aloud.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 5


def new_order_code() -> str:
    return "PO-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_order_secret() -> str:
    """192 random bits, URL-safe: the key of the buyer's order page."""
    return secrets.token_urlsafe(24)
