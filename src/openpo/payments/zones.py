"""Shipping zones for charging by weight: Indonesia's provinces (`core.regions.PROVINCES`, each
in exactly one zone) in the groups couriers price alike. A seller gives one rate per kilogram
for each zone they ship to."""

from django.utils.translation import gettext_lazy as _

ZONES: dict[str, tuple[object, tuple[str, ...]]] = {
    "jawa": (
        _("Java"),
        ("Banten", "DKI Jakarta", "Jawa Barat", "Jawa Tengah", "DI Yogyakarta", "Jawa Timur"),
    ),
    "sumatera": (
        _("Sumatra"),
        (
            "Aceh",
            "Sumatera Utara",
            "Sumatera Barat",
            "Riau",
            "Kepulauan Riau",
            "Jambi",
            "Bengkulu",
            "Sumatera Selatan",
            "Kepulauan Bangka Belitung",
            "Lampung",
        ),
    ),
    "bali_nusa": (
        _("Bali, NTB, NTT"),
        ("Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur"),
    ),
    "kalimantan": (
        _("Kalimantan"),
        (
            "Kalimantan Barat",
            "Kalimantan Tengah",
            "Kalimantan Selatan",
            "Kalimantan Timur",
            "Kalimantan Utara",
        ),
    ),
    "sulawesi": (
        _("Sulawesi"),
        (
            "Sulawesi Utara",
            "Gorontalo",
            "Sulawesi Tengah",
            "Sulawesi Barat",
            "Sulawesi Selatan",
            "Sulawesi Tenggara",
        ),
    ),
    "maluku_papua": (
        _("Maluku, Papua"),
        (
            "Maluku",
            "Maluku Utara",
            "Papua",
            "Papua Barat",
            "Papua Barat Daya",
            "Papua Tengah",
            "Papua Pegunungan",
            "Papua Selatan",
        ),
    ),
}

_ZONE_OF = {
    province.casefold(): zone
    for zone, (_label, provinces) in ZONES.items()
    for province in provinces
}


def zone_of(province: str) -> str | None:
    """The zone key of a province as written on an order (any case), or None."""
    return _ZONE_OF.get(" ".join(province.split()).casefold())


def zone_label(zone: str) -> str:
    return str(ZONES[zone][0])


def billable_kilograms(grams: int) -> int:
    """Couriers round a parcel's weight up to whole kilograms, 1 kg at the least."""
    return max(1, -(-grams // 1000))
