"""The announcement caption of a PO: the text a seller posts on Instagram, WhatsApp or a
marketplace chat, built only from the campaign's own data.

It follows what Indonesian sellers write for an open PO: the title, the order window
("1–5 Agustus 2026, tutup pukul 21.00 WIB"), production and shipping dates, every product with
its price (and early-bird price while it is on), the variants and their slots, the minimum
order, the payment policy, the shipping fee, how to order (the link, or a chat message in the
"format order" block) and the shop's WhatsApp. Dates are in the shop's time zone and the words
in the shop's message language, so the caption reads the same whoever in the team opens it.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from openpo.catalog.models import Campaign, Product, Variant
from openpo.core.money import format_rupiah
from openpo.core.phone import format_phone_local


def po_products(campaign: Campaign) -> list[Product]:
    """The campaign's products in order, each with its active variants (`.active_variants`)."""
    active = Variant.objects.filter(is_active=True).order_by("position", "id")
    products = campaign.products.order_by("position", "id").prefetch_related(
        Prefetch("variants", queryset=active, to_attr="active_variants"),
        "photos",
    )
    return [p for p in products if p.active_variants]


def lowest_price(products: list[Product]) -> int | None:
    """The cheapest normal price among active variants: the "mulai Rp …" of the PO."""
    return min((v.price for p in products for v in p.active_variants), default=None)


def headline(campaign: Campaign) -> str:
    """`OPEN PO Kaos Agustus`: the title with "OPEN PO" in front, without saying "PO" twice."""
    title = campaign.title.strip()
    lowered = title.lower()
    if lowered.startswith("open po") or lowered.startswith("pre-order"):
        return title
    if lowered.startswith("po "):
        return f"OPEN {title}"
    return f"OPEN PO {title}"


def date_range(first: date, last: date) -> str:
    """`1–5 Agustus 2026`, `28 Juli – 5 Agustus 2026`, or both dates in full across years."""
    full = formats.date_format(last, "j F Y")
    if first == last:
        return full
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{full}"
    if first.year == last.year:
        return f"{formats.date_format(first, 'j F')} – {full}"
    return f"{formats.date_format(first, 'j F Y')} – {full}"


def clock(moment: datetime) -> str:
    """`21.00` in Indonesian, `9 p.m.` in English: the locale's own way of writing a time."""
    return formats.time_format(moment)


@dataclass(frozen=True)
class Window:
    """The order window in the shop's time zone, worded for people."""

    dates: str  # 1–5 Agustus 2026
    closes: str  # tutup pukul 21.00 WIB
    opens: str  # dibuka 1 Agustus 2026 pukul 19.00 WIB, or "" when it opens at midnight


def order_window(campaign: Campaign) -> Window:
    shop = campaign.shop
    opens = timezone.localtime(campaign.opens_at, shop.tzinfo)
    closes = timezone.localtime(campaign.closes_at, shop.tzinfo)
    tz = shop.tz_abbreviation
    opens_text = ""
    if (opens.hour, opens.minute) != (0, 0):
        opens_text = _("opens %(date)s at %(time)s %(tz)s") % {
            "date": formats.date_format(opens, "j F Y"),
            "time": clock(opens),
            "tz": tz,
        }
    return Window(
        dates=date_range(opens.date(), closes.date()),
        closes=_("closes at %(time)s %(tz)s") % {"time": clock(closes), "tz": tz},
        opens=opens_text,
    )


def _long_date(day: date) -> str:
    return formats.date_format(day, "j F Y")


def _variant_name(variant: Variant) -> str:
    name = variant.label or variant.product.name
    if variant.is_sold_out:
        return _("%(variant)s (sold out)") % {"variant": name}
    if variant.quota is not None and variant.reserved_units:
        return _("%(variant)s (%(left)s left)") % {"variant": name, "left": variant.units_left}
    if variant.quota is not None:
        return _("%(variant)s (%(slots)s slots)") % {"variant": name, "slots": variant.quota}
    return name


def _options_line(variants: list[Variant]) -> str:
    """`Ukuran: S (20 slot), M, L` when every variant has one and the same option, else
    `Ukuran: S, M · Warna: Hitam, Putih`; empty for a product without options."""
    if not any(v.label or v.quota is not None for v in variants):
        return ""
    keys = {tuple(v.options) for v in variants}
    if len(keys) == 1 and len(next(iter(keys))) == 1:
        names = ", ".join(_variant_name(v) for v in variants)
        return f"{next(iter(keys))[0]}: {names}"
    # Several options (size and colour): each option's values once, as sellers write them.
    values: dict[str, list[str]] = {}
    for variant in variants:
        for key, value in variant.options.items():
            if str(value) not in values.setdefault(str(key), []):
                values[str(key)].append(str(value))
    return " · ".join(f"{key}: {', '.join(vals)}" for key, vals in values.items())


def _price(variant: Variant, early_bird: bool) -> str:
    if early_bird and variant.early_bird_price is not None:
        return _("%(price)s (early bird %(early)s)") % {
            "price": format_rupiah(variant.price),
            "early": format_rupiah(variant.early_bird_price),
        }
    return format_rupiah(variant.price)


def product_lines(product: Product, *, early_bird: bool) -> list[str]:
    """`• Kaos Polos — Rp 120.000` and its options; variants priced differently get a line
    each (`  – XL, XXL: Rp 135.000`)."""
    variants = product.active_variants
    prices: dict[tuple, list[Variant]] = {}
    for variant in variants:
        prices.setdefault((variant.price, variant.early_bird_price), []).append(variant)
    if len(prices) == 1:
        lines = [f"• {product.name} — {_price(variants[0], early_bird)}"]
        options = _options_line(variants)
        return [*lines, f"   {options}"] if options else lines
    lines = [f"• {product.name}"]
    for group in prices.values():
        names = ", ".join(_variant_name(v) for v in group)
        lines.append(f"   – {names}: {_price(group[0], early_bird)}")
    return lines


def _early_bird_line(campaign: Campaign) -> str:
    shop = campaign.shop
    units = campaign.early_bird_units
    if campaign.early_bird_until is None:
        return "🐣 " + _("Early-bird price for the first %(units)s pcs only!") % {"units": units}
    until = timezone.localtime(campaign.early_bird_until, shop.tzinfo)
    when = {"date": _long_date(until), "time": clock(until), "tz": shop.tz_abbreviation}
    if units is None:
        return "🐣 " + _("Early-bird price until %(date)s at %(time)s %(tz)s only!") % when
    return "🐣 " + _(
        "Early-bird price for the first %(units)s pcs, until %(date)s at %(time)s %(tz)s at "
        "the latest!"
    ) % {"units": units, **when}


def slots_total(campaign: Campaign, products: list[Product]) -> int | None:
    """How many units the PO can sell at most, or None when it is unlimited."""
    quotas = [v.quota for p in products for v in p.active_variants]
    by_variants = None if not quotas or None in quotas else sum(quotas)
    limits = [n for n in (by_variants, campaign.unit_cap) if n is not None]
    return min(limits) if limits else None


def slots_left(campaign: Campaign, products: list[Product]) -> int | None:
    """How many units are still free, or None when the PO is unlimited."""
    left = [v.units_left for p in products for v in p.active_variants]
    by_variants = None if not left or None in left else sum(left)
    cap = None if campaign.unit_cap is None else max(campaign.unit_cap - campaign.reserved_units, 0)
    limits = [n for n in (by_variants, cap) if n is not None]
    return min(limits) if limits else None


def slots_line(campaign: Campaign, products: list[Product]) -> str:
    """`Limited slots: only 60 pcs!`, or `only 12 of 60 pcs left` once orders came in; empty
    for an unlimited PO."""
    total = slots_total(campaign, products)
    if total is None:
        return ""
    left = slots_left(campaign, products)
    if not campaign.reserved_units or left is None or left >= total:
        return _("Limited slots: only %(units)s pcs!") % {"units": total}
    return _("Limited slots: only %(left)s of %(units)s pcs left!") % {"left": left, "units": total}


def _option_word(products: list[Product]) -> str:
    """The word for "size" in the order format: the variants' one option name, lowercased."""
    keys = {key for p in products for v in p.active_variants for key in v.options}
    if len(keys) == 1:
        return next(iter(keys)).lower()
    return pgettext("order format", "variant") if keys else ""


def order_format(campaign: Campaign, products: list[Product] | None = None) -> str:
    """The block buyers copy into a chat: name, WhatsApp, product - size - quantity, address,
    with an example line from the PO's first variant."""
    products = po_products(campaign) if products is None else products
    option = _option_word(products)
    if option:
        item = pgettext("order format", "Product - %(option)s - quantity") % {"option": option}
    else:
        item = pgettext("order format", "Product - quantity")
    lines = [
        pgettext("order format", "Order format:"),
        pgettext("order format", "Name:"),
        pgettext("order format", "WhatsApp no.:"),
        f"{item}:",
        pgettext("order format", "Address:"),
    ]
    first = next((v for p in products for v in p.active_variants), None)
    if first is not None:
        example = " - ".join(x for x in (first.product.name, first.label, "1") if x)
        lines.append(pgettext("order format", "(example: %(line)s)") % {"line": example})
    return "\n".join(lines)


def announcement_text(campaign: Campaign, *, url: str, now: datetime | None = None) -> str:
    """The whole caption, in the shop's message language, ready to paste."""
    with translation.override(campaign.shop.message_language):
        return "\n".join(_announcement_lines(campaign, url=url, now=now or timezone.now()))


def _announcement_lines(campaign: Campaign, *, url: str, now: datetime) -> list[str]:
    shop = campaign.shop
    products = po_products(campaign)
    early_bird = campaign.early_bird_on(now) and any(
        v.early_bird_price is not None for p in products for v in p.active_variants
    )
    window = order_window(campaign)
    lines = [f"✨ {headline(campaign)} ✨", shop.name, ""]
    if campaign.description.strip():
        lines += [campaign.description.strip(), ""]

    lines.append("🗓️ " + _("Open PO: %(dates)s, %(closes)s") % asdict(window))
    if window.opens:
        lines.append("⏰ " + _("The PO %(opens)s") % {"opens": window.opens})
    if campaign.production_starts_on:
        lines.append(
            "🧵 "
            + _("Production starts: %(date)s") % {"date": _long_date(campaign.production_starts_on)}
        )
    if campaign.ships_on:
        lines.append("🚚 " + _("Ships from: %(date)s") % {"date": _long_date(campaign.ships_on)})
    lines.append("")

    if products:
        lines.append("🛍️ " + _("Products & prices:"))
        for product in products:
            lines += product_lines(product, early_bird=early_bird)
        if early_bird:
            lines.append(_early_bird_line(campaign))
        lines.append("")

    slots = slots_line(campaign, products)
    if slots:
        lines.append("🔥 " + slots)
    if campaign.moq_units:
        lines.append(
            "🎯 "
            + _(
                "Minimum order: %(units)s pcs for the whole PO. If it is not reached, the PO "
                "is cancelled and every payment refunded in full."
            )
            % {"units": campaign.moq_units}
        )
    if campaign.max_units_per_order:
        lines.append(
            "🛒 " + _("At most %(units)s pcs per order.") % {"units": campaign.max_units_per_order}
        )
    lines.append("💳 " + _payment_line(campaign))
    if campaign.shipping_fee:
        lines.append(
            "📦 "
            + _("Shipping fee: %(fee)s per order") % {"fee": format_rupiah(campaign.shipping_fee)}
        )
    lines.append("")

    lines.append("📲 " + _("How to order:"))
    lines.append(_("1. Order through the link: %(url)s") % {"url": url})
    if shop.whatsapp_number:
        lines.append(
            _("2. Or chat us on WhatsApp %(phone)s with this format:")
            % {"phone": format_phone_local(shop.whatsapp_number)}
        )
    else:
        lines.append(_("2. Or send us a chat with this format:"))
    lines += ["", order_format(campaign, products)]
    if slots:
        lines += ["", _("First come, first served! 🙌")]
    return lines


def _payment_line(campaign: Campaign) -> str:
    hours = {"hours": campaign.payment_window_hours}
    if not campaign.takes_deposit:
        return _("Payment: in full, within %(hours)s hours of ordering") % hours
    if campaign.settlement_due_on:
        return _(
            "Payment: DP %(percent)s%% within %(hours)s hours of ordering, the rest by %(date)s"
        ) % {
            "percent": campaign.deposit_percent,
            "date": _long_date(campaign.settlement_due_on),
            **hours,
        }
    return _(
        "Payment: DP %(percent)s%% within %(hours)s hours of ordering, the rest before shipping"
    ) % {"percent": campaign.deposit_percent, **hours}
