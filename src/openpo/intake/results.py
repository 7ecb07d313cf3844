"""What the parser understood: orders, their items and every problem found, quoting the text.

These are the contract between the parser, the importer, the dashboard's preview and the
`parse_order` command (whose JSON is `ParsedOrder.as_json`).
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass
class Problem:
    """An error (the order cannot be imported as read) or a warning (it can, but look)."""

    code: str
    message: str | Promise  # says what is wrong; may hold %(text)s for the quoted text
    text: str = ""  # the words it came from

    def __str__(self) -> str:
        return str(self.message).replace("%(text)s", self.text)


@dataclass
class ParsedItem:
    text: str  # the words this item was read from
    quantity: int | None = None
    product: str | None = None
    variant: str | None = None
    sku: str | None = None
    variant_id: int | None = None
    price: int = 0

    @property
    def matched(self) -> bool:
        return self.sku is not None and bool(self.quantity) and self.quantity > 0

    def as_json(self) -> dict:
        return {
            "product": self.product,
            "variant": self.variant,
            "sku": self.sku,
            "quantity": self.quantity,
            "text": self.text,
        }


@dataclass
class ParsedOrder:
    name: str = ""
    phone: str | None = None  # E.164
    phone_text: str = ""  # as written
    email: str = ""
    address: str = ""
    notes: str = ""
    items: list[ParsedItem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sender: str = ""  # the chat's sender, when the text came from a chat export
    source: str = ""  # the text this order was read from
    row: int | None = None  # the spreadsheet row (1 = the header), for a form export

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_codes(self) -> list[str]:
        return [p.code for p in self.errors]

    def quantities(self) -> dict[int, int]:
        """variant id → units, merging repeated items (only matched items with an id)."""
        units: dict[int, int] = {}
        for item in self.items:
            if item.matched and item.variant_id is not None:
                units[item.variant_id] = units.get(item.variant_id, 0) + int(item.quantity or 0)
        return units

    def subtotal(self) -> int:
        return sum(i.price * (i.quantity or 0) for i in self.items if i.matched)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "phone": self.phone,
            "email": self.email,
            "address": self.address,
            "items": [item.as_json() for item in self.items],
            "notes": self.notes,
            "errors": [str(p) for p in self.errors],
            "warnings": [str(p) for p in self.warnings],
        }
