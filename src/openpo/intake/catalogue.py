"""What a PO sells, as the parser sees it: plain values, read once from the database.

The parser never touches the database; `catalogue_for(campaign)` reads the active variants
once and hands the parser a `Catalogue` of frozen entries. Tests and the benchmark build a
`Catalogue` from plain dictionaries with `Catalogue.from_products`.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """One orderable variant: the names as the seller wrote them in the campaign."""

    product: str
    variant: str | None  # "M / Hitam" (the option values in order); None: no options
    options: tuple[str, ...]  # ("M", "Hitam")
    sku: str
    variant_id: int | None = None
    price: int = 0
    product_key: int | str = ""  # what tells two products apart (the id, else the name)
    option_names: tuple[str, ...] = ()  # ("Ukuran", "Warna"), in the order of `options`


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[Entry, ...]
    option_names: tuple[str, ...] = field(default=())  # "Ukuran", "Warna": the words for them

    @classmethod
    def from_products(cls, products: list[dict]) -> "Catalogue":
        """`[{"name": "Kaos", "variants": [{"options": {"Ukuran": "M"}, "sku": "K-M",
        "price": 85000}]}]`; a product without variants is one entry without options."""
        entries = []
        names: list[str] = []
        for index, product in enumerate(products):
            variants = product.get("variants") or [{}]
            for number, variant in enumerate(variants):
                options = variant.get("options") or {}
                names += [n for n in options if n not in names]
                values = tuple(str(v) for v in options.values())
                entries.append(
                    Entry(
                        product=product["name"],
                        variant=" / ".join(values) or None,
                        options=values,
                        sku=variant.get("sku") or f"P{index + 1}-{number + 1}",
                        variant_id=variant.get("id"),
                        price=int(variant.get("price") or 0),
                        product_key=product.get("id", product["name"]),
                        option_names=tuple(str(n) for n in options),
                    )
                )
        return cls(tuple(entries), tuple(names))

    def products(self) -> dict[int | str, list[Entry]]:
        """Entries grouped by product, in catalogue order."""
        grouped: dict[int | str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.product_key, []).append(entry)
        return grouped


def catalogue_for(campaign) -> Catalogue:
    """The campaign's active variants, in the order buyers see them."""
    from openpo.catalog.models import Variant

    variants = (
        Variant.objects.filter(campaign=campaign, is_active=True)
        .select_related("product")
        .order_by("product__position", "product_id", "position", "id")
    )
    entries = []
    names: list[str] = []
    for variant in variants:
        names += [n for n in variant.options if n not in names]
        values = tuple(str(v) for v in variant.options.values())
        entries.append(
            Entry(
                product=variant.product.name,
                variant=variant.label or None,
                options=values,
                sku=variant.sku,
                variant_id=variant.pk,
                price=variant.price,
                product_key=variant.product_id,
                option_names=tuple(str(n) for n in variant.options),
            )
        )
    return Catalogue(tuple(entries), tuple(names))
