"""Size curves: for each product (by name, across POs), the share of units each size took, so a
seller knows how many S, M, L and XL to make next time. A size is the variant's option named
like a size (Ukuran, Size, Uk); products without one have no curve."""

SIZE_KEYS = ("ukuran", "size", "uk", "sizes")
ORDER = ("XXS", "XS", "S", "S-M", "M", "M-L", "L", "L-XL", "XL", "XXL", "2XL", "XXXL", "3XL")


def _size(options: dict) -> str | None:
    for key, value in options.items():
        if key.strip().lower() in SIZE_KEYS:
            return str(value).strip()
    return None


def _rank(size: str) -> tuple:
    upper = size.upper()
    if upper in ORDER:
        return (0, ORDER.index(upper), "")
    digits = "".join(ch for ch in size if ch.isdigit())
    return (1, int(digits), size) if digits else (2, 0, size)


def size_curves(variants: list[dict]) -> list[dict]:
    """`{"product", "size", "units", "share"}` rows, products by units, sizes small to large."""
    units: dict[str, dict[str, int]] = {}
    for v in variants:
        size = _size(v.get("options") or {})
        if size:
            per_size = units.setdefault(v["product"], {})
            per_size[size] = per_size.get(size, 0) + v["units"]
    rows = []
    for product, per_size in sorted(units.items(), key=lambda item: -sum(item[1].values())):
        total = sum(per_size.values())
        for size in sorted(per_size, key=_rank):
            share = round(per_size[size] / total, 3) if total else 0.0
            rows.append({"product": product, "size": size, "units": per_size[size], "share": share})
    return rows
