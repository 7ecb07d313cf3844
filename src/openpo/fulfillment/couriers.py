"""The couriers Indonesian sellers ship with: each key (stored on `Shipment.courier`) with its
label, the names sellers type for it, the public page where a buyer tracks a parcel, and the
shape of its tracking numbers (resi) where that shape is well known.

Pure data and functions, no database. Where a courier's public tracking page takes the resi in
its address, `tracking_url` fills it in; where the page only has a search form, the link opens
that page (the buyer pastes the resi shown beside it). Resi shapes are checked only for the
couriers whose numbers have a stable, widely documented form (J&T, SiCepat, ID Express, Pos
Indonesia's international S10 numbers); a mismatch is a warning the seller may override, never
a refusal, because couriers add new series without notice. JNE, AnterAja, Ninja Xpress, Lion
Parcel, SAP and the instant couriers use several series or booking ids: not checked.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Courier:
    key: str
    label: str | Promise
    # Lower-case names with only letters and digits ("&" read as "n": "J&T" → "jnt").
    aliases: tuple[str, ...] = ()
    # The public tracking page; "{resi}" is replaced by the tracking number when present.
    tracking_url: str = ""
    resi_pattern: re.Pattern | None = None
    # How a valid resi looks, for the warning ("JP followed by 10 digits").
    resi_format: str | Promise = ""
    # False for a parcel handed over without a courier's tracking number.
    needs_resi: bool = True


COURIERS: dict[str, Courier] = {
    c.key: c
    for c in (
        Courier(
            "jne",
            "JNE",
            ("jne", "jneexpress", "jnereg", "jneyes", "jneoke", "jnetrucking", "jtr"),
            "https://www.jne.co.id/id/tracking/trace/{resi}",
        ),
        Courier(
            "jnt",
            "J&T Express",
            ("jnt", "jntexpress", "jandt", "jandtexpress", "jt", "jntreg", "jntez"),
            "https://jet.co.id/track",
            # JP/JD/JX… and 10 digits; newer series have two letters and 12 digits.
            re.compile(r"J[A-Z]{1,2}\d{10,12}"),
            _("two or three letters starting with J, then 10 to 12 digits (JP1234567890)"),
        ),
        Courier(
            "sicepat",
            "SiCepat",
            ("sicepat", "sicepatekspres", "sicepatexpress", "sicepatreg", "sicepathalu", "scp"),
            "https://www.sicepat.com/checkAwb/{resi}",
            re.compile(r"\d{12}"),
            _("12 digits (000123456789)"),
        ),
        Courier(
            "anteraja",
            "AnterAja",
            ("anteraja", "antaraja", "anteraj"),
            "https://anteraja.id/tracking/{resi}",
        ),
        Courier(
            "pos",
            "Pos Indonesia",
            ("pos", "posindonesia", "posind", "kantorpos", "poskilat", "pkh", "posaja"),
            "https://www.posindonesia.co.id/id/tracking/{resi}",
            # Domestic numbers vary by service; international ones follow UPU S10.
            re.compile(r"[A-Z]{2}\d{9}ID|[A-Z]?\d{10,18}"),
            _("digits (10 to 18, maybe after one letter), or RR123456789ID"),
        ),
        Courier(
            "ninja",
            "Ninja Xpress",
            ("ninja", "ninjaxpress", "ninjaexpress", "ninjavan"),
            "https://www.ninjaxpress.co/id-id/tracking?id={resi}",
        ),
        Courier(
            "idexpress",
            "ID Express",
            ("idexpress", "ide", "idx", "idexp"),
            "https://idexpress.com/lacak-paket/",
            re.compile(r"IDS\d{9,13}|IDE\d{9,13}"),
            _("IDS or IDE then 9 to 13 digits (IDS012345678901)"),
        ),
        Courier(
            "lion",
            "Lion Parcel",
            ("lion", "lionparcel", "lionexpress"),
            "https://lionparcel.com/track/stt",
        ),
        Courier(
            "sap",
            "SAP Express",
            ("sap", "sapexpress", "sapx"),
            "https://www.sap-express.id/layanan/tracking",
        ),
        Courier(
            "gosend",
            "GoSend",
            ("gosend", "gojek", "gosendinstant", "gosendsameday", "gosendsd", "go"),
            needs_resi=False,
        ),
        Courier(
            "grab",
            "GrabExpress",
            ("grab", "grabexpress", "grabsend", "grabinstant", "grabsameday"),
            needs_resi=False,
        ),
        Courier(
            "pickup",
            _("Self pick-up"),
            ("pickup", "ambilsendiri", "ambil", "diambil", "selfpickup", "ambilditoko"),
            needs_resi=False,
        ),
        Courier("other", _("Other courier"), ("other", "lainnya", "lain"), needs_resi=False),
    )
}

_ALIASES: dict[str, str] = {alias: c.key for c in COURIERS.values() for alias in c.aliases}
_ALIASES.update({key: key for key in COURIERS})


def courier_choices() -> list[tuple[str, str | Promise]]:
    return [(c.key, c.label) for c in COURIERS.values()]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "n"))


def find_courier(text: str) -> str | None:
    """The key of the courier named by `text` ("J&T", "jnt", "SiCepat REG", "Pos Indonesia"),
    or None. A known name followed by a service ("JNE YES") still finds its courier."""
    squashed = _squash(text or "")
    if not squashed:
        return None
    if squashed in _ALIASES:
        return _ALIASES[squashed]
    # "jnereg", "sicepatbest": the longest known name the text starts with (three letters at
    # least, so "go" or "jt" alone never swallow another word).
    starts = [a for a in _ALIASES if len(a) >= 3 and squashed.startswith(a)]
    return _ALIASES[max(starts, key=len)] if starts else None


def normalize_resi(resi: str) -> str:
    """The tracking number as couriers print it: no spaces or dashes, upper case."""
    return re.sub(r"[\s\-]", "", resi or "").upper()


def tracking_url(key: str, resi: str) -> str:
    """The page where the buyer tracks the parcel ('' when the courier publishes none)."""
    courier = COURIERS.get(key)
    if courier is None or not courier.tracking_url:
        return ""
    if "{resi}" in courier.tracking_url:
        return courier.tracking_url.replace("{resi}", quote(resi, safe="")) if resi else ""
    return courier.tracking_url


def courier_label(key: str, name: str = "") -> str:
    """The courier's name for people: the seller's own words for "other" (or any unknown key)."""
    courier = COURIERS.get(key)
    if courier is None or key == "other":
        return name or (str(courier.label) if courier else key)
    return str(courier.label)


def needs_resi(key: str) -> bool:
    courier = COURIERS.get(key)
    return courier.needs_resi if courier else True


def resi_warning(key: str, resi: str) -> str:
    """Why `resi` looks wrong for the courier, or '' (unchecked couriers never warn)."""
    courier = COURIERS.get(key)
    resi = normalize_resi(resi)
    if courier is None or courier.resi_pattern is None or not resi:
        return ""
    if courier.resi_pattern.fullmatch(resi):
        return ""
    return str(
        _("%(resi)s does not look like a %(courier)s resi: those are %(format)s.")
        % {"resi": resi, "courier": courier.label, "format": courier.resi_format}
    )
