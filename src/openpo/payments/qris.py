"""QRIS payloads: read and check a shop's static QRIS, turn it into a dynamic one with the
amount of an order, and draw it as an inline SVG QR code.

A QRIS payload is EMVCo Merchant-Presented Mode text: fields of a 2-digit tag, a 2-digit
length and the value (`000201` `010211` ... `5802ID` `5912RAJUT KIRANA` ... `6304` + CRC),
where tags 26–51 and 62 hold nested fields in the same form. The checksum (tag 63, always
last) is CRC-16/CCITT-FALSE over everything before it, including "6304".

Nothing here talks to a bank: a dynamic QRIS is the shop's own static code with the amount
written in, so the money still goes to the account the bank issued the code for.
"""

import binascii
import re
from dataclasses import dataclass

import segno
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from openpo.core.errors import DomainError
from openpo.core.qr import inline_svg

PAYLOAD_FORMAT = "00"
POINT_OF_INITIATION = "01"
MERCHANT_CATEGORY = "52"
CURRENCY = "53"
AMOUNT = "54"
TIP_TAGS = ("55", "56", "57")
COUNTRY = "58"
MERCHANT_NAME = "59"
MERCHANT_CITY = "60"
POSTAL_CODE = "61"
ADDITIONAL_DATA = "62"
CRC = "63"

STATIC = "11"
DYNAMIC = "12"
RUPIAH = "360"
QRIS_GUI = "ID.CO.QRIS.WWW"
# Templates 26–51 name the account the money goes to; 02–25 are card-scheme primitives.
MERCHANT_ACCOUNT_TAGS = frozenset(f"{tag:02d}" for tag in range(2, 52))
MERCHANT_ACCOUNT_TEMPLATE_TAGS = frozenset(f"{tag:02d}" for tag in range(26, 52))
MAX_AMOUNT_DIGITS = 13

# People paste codes from chats and PDFs: line breaks, tabs and invisible characters come
# along. Inner spaces stay, they belong to the merchant name.
_PASTE_NOISE = re.compile(r"[\r\n\t\u200b\u200c\u200d\u2060\ufeff]")
_AMOUNT_IN_CODE = re.compile(r"(\d+)(?:\.0{0,2})?")


class InvalidQris(DomainError):
    """A QRIS payload or amount was refused; `message` tells the seller what to do."""

    code = "invalid_qris"
    http_status = 422
    default_message = _("This is not a valid QRIS code.")
    empty = _("The QRIS code is empty: paste the text read from the shop's QRIS.")
    not_qris = _(
        "This is not a QRIS code: the text read from a QRIS starts with 000201. "
        "Paste that text, not a link or a picture."
    )
    unexpected_characters = _(
        "This is not a valid QRIS code: unexpected characters at position %(position)s."
    )
    incomplete = _("The QRIS code is incomplete: copy the whole code again.")
    cut_off = _(
        "The QRIS code is incomplete: it ends in the middle of field %(tag)s. "
        "Copy the whole code again."
    )
    malformed_template = _("This is not a valid QRIS code: field %(tag)s is malformed.")
    duplicate_field = _("This is not a valid QRIS code: field %(tag)s appears twice.")
    missing_checksum = _(
        "The QRIS code is incomplete: the checksum at the end (field 63) is missing. "
        "Copy the whole code again."
    )
    checksum_mismatch = _(
        "The QRIS checksum does not match: the code was copied wrongly. "
        "Copy it again from the shop's QRIS."
    )
    missing_field = _("The QRIS code is incomplete: the %(field)s (field %(tag)s) is missing.")
    no_merchant_account = _(
        "The QRIS code is incomplete: it names no merchant account to pay into."
    )
    bad_point_of_initiation = _(
        "This is not a valid QRIS code: field 01 must be 11 (static) or 12 (dynamic), "
        "not %(value)s."
    )
    not_rupiah = _(
        "This QRIS code is not in rupiah (currency code %(currency)s); "
        "OpenPO takes payments in rupiah only."
    )
    bad_amount_in_code = _(
        "The amount written in this QRIS code (%(value)s) is not a valid rupiah amount."
    )
    bad_amount = _("The amount to pay must be a whole number of rupiah above zero.")
    amount_too_large = _("The amount to pay is too large for QRIS (at most 13 digits).")


# What the seller calls each required field, for "the ... (field 59) is missing".
REQUIRED_FIELDS = {
    MERCHANT_CATEGORY: _("merchant category"),
    CURRENCY: _("currency"),
    COUNTRY: _("country"),
    MERCHANT_NAME: _("merchant name"),
    MERCHANT_CITY: _("merchant city"),
}


@dataclass(frozen=True)
class QrisInfo:
    """What a checked QRIS payload says about the merchant it pays."""

    payload: str  # cleaned of pasted whitespace; store this one
    merchant_name: str
    merchant_city: str
    country: str
    merchant_category_code: str
    currency: str
    postal_code: str | None
    is_dynamic: bool
    amount: int | None  # rupiah, only in a dynamic code
    nmid: str | None  # National Merchant ID printed under the QRIS (ID10...)
    account_providers: tuple[str, ...]  # GUIs of templates 26–51, e.g. ID.CO.QRIS.WWW


def parse_tlv(payload: str) -> list[tuple[str, str]]:
    """Split tag-length-value text into its (tag, value) fields, in order."""
    fields: list[tuple[str, str]] = []
    position = 0
    while position < len(payload):
        header = payload[position : position + 4]
        if len(header) < 2:
            raise InvalidQris(InvalidQris.incomplete)
        tag = header[:2]
        if not _is_digits(tag):
            raise InvalidQris(InvalidQris.unexpected_characters, position=position + 1)
        if len(header) < 4:
            raise InvalidQris(InvalidQris.cut_off, tag=tag)
        if not _is_digits(header[2:]):
            raise InvalidQris(InvalidQris.unexpected_characters, position=position + 3)
        start = position + 4
        end = start + int(header[2:])
        if end > len(payload):
            raise InvalidQris(InvalidQris.cut_off, tag=tag)
        fields.append((tag, payload[start:end]))
        position = end
    return fields


def parse_template(tag: str, value: str) -> dict[str, str]:
    """The sub-fields of a template field (26–51 merchant account, 62 additional data)."""
    try:
        return dict(parse_tlv(value))
    except InvalidQris as exc:
        raise InvalidQris(InvalidQris.malformed_template, tag=tag) from exc


def crc16_ccitt(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of the UTF-8 text, as 4 uppercase hex."""
    # crc_hqx is the unreflected 0x1021 CRC with no final xor; with init 0xFFFF it is
    # exactly CCITT-FALSE, computed in C.
    return f"{binascii.crc_hqx(data.encode(), 0xFFFF):04X}"


def clean_payload(payload: str) -> str:
    """The payload without the line breaks and invisible characters a paste brings along."""
    return _PASTE_NOISE.sub("", payload or "").strip()


def validate_static(payload: str) -> QrisInfo:
    """Check a pasted QRIS payload (static, or dynamic with an amount) and read its merchant."""
    payload = clean_payload(payload)
    if not payload:
        raise InvalidQris(InvalidQris.empty)
    if not payload.startswith(PAYLOAD_FORMAT + "0201"):
        raise InvalidQris(InvalidQris.not_qris)
    fields = parse_tlv(payload)
    _check_checksum(payload, fields)

    values: dict[str, str] = {}
    for tag, value in fields:
        if tag in values:
            raise InvalidQris(InvalidQris.duplicate_field, tag=tag)
        values[tag] = value
    for tag, field in REQUIRED_FIELDS.items():
        if not values.get(tag):
            raise InvalidQris(InvalidQris.missing_field, field=field, tag=tag)
    if not MERCHANT_ACCOUNT_TAGS & values.keys():
        raise InvalidQris(InvalidQris.no_merchant_account)
    if values[CURRENCY] != RUPIAH:
        raise InvalidQris(InvalidQris.not_rupiah, currency=values[CURRENCY])

    # Field 01 is optional in EMVCo (absent means static); QRIS from banks always has it.
    initiation = values.get(POINT_OF_INITIATION, STATIC)
    if initiation not in (STATIC, DYNAMIC):
        raise InvalidQris(InvalidQris.bad_point_of_initiation, value=initiation)

    providers: list[str] = []
    nmid = None
    for tag, value in fields:
        if tag not in MERCHANT_ACCOUNT_TEMPLATE_TAGS:
            continue
        account = parse_template(tag, value)
        providers.append(account.get("00", ""))
        if account.get("00", "").upper() == QRIS_GUI and account.get("02"):
            nmid = account["02"]

    return QrisInfo(
        payload=payload,
        merchant_name=values[MERCHANT_NAME],
        merchant_city=values[MERCHANT_CITY],
        country=values[COUNTRY],
        merchant_category_code=values[MERCHANT_CATEGORY],
        currency=values[CURRENCY],
        postal_code=values.get(POSTAL_CODE),
        is_dynamic=initiation == DYNAMIC,
        amount=_amount_in_code(values.get(AMOUNT)),
        nmid=nmid,
        account_providers=tuple(providers),
    )


def make_dynamic(static_payload: str, amount: int) -> str:
    """The shop's QRIS with `amount` rupiah written in; any earlier amount or tip is replaced."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise InvalidQris(InvalidQris.bad_amount)
    if len(str(amount)) > MAX_AMOUNT_DIGITS:
        raise InvalidQris(InvalidQris.amount_too_large)
    info = validate_static(static_payload)

    fields = [
        (tag, value)
        for tag, value in parse_tlv(info.payload)
        if tag not in (AMOUNT, *TIP_TAGS, CRC)
    ]
    if any(tag == POINT_OF_INITIATION for tag, _value in fields):
        fields = [(tag, DYNAMIC if tag == POINT_OF_INITIATION else value) for tag, value in fields]
    else:
        fields.insert(1, (POINT_OF_INITIATION, DYNAMIC))
    # In ascending tag order, i.e. after 53 (currency) and before 58 (country).
    position = next((i for i, (tag, _value) in enumerate(fields) if tag > AMOUNT), len(fields))
    fields.insert(position, (AMOUNT, str(amount)))
    return _seal(_encode(fields))


def qr_code(payload: str) -> segno.QRCode:
    """The QR symbol `qr_svg` draws: a full-size QR code (never Micro QR), error level M."""
    # boost_error would silently raise the level; the level is part of what we promise.
    return segno.make_qr(payload, error="m", boost_error=False)


def qr_svg(payload: str, *, label: str | Promise | None = None, scale: int = 5) -> SafeString:
    """An inline `<svg>` of the payload's QR code, labelled for screen readers.

    About 300 px wide for a QRIS payload at the default scale; it has a viewBox, so CSS
    (`max-width: 100%; height: auto`) can shrink it on a narrow screen. The quiet zone is
    painted white so the code still scans on a dark page.
    """
    text = str(label if label is not None else _("QRIS payment code"))
    return inline_svg(qr_code(payload), label=text, scale=scale, css_class="qris-code", sized=True)


def _check_checksum(payload: str, fields: list[tuple[str, str]]) -> None:
    last_tag, last_value = fields[-1]
    if last_tag != CRC or len(last_value) != 4:
        raise InvalidQris(InvalidQris.missing_checksum)
    if last_value.upper() != crc16_ccitt(payload[:-4]):
        raise InvalidQris(InvalidQris.checksum_mismatch)


def _amount_in_code(value: str | None) -> int | None:
    if value is None:
        return None
    match = _AMOUNT_IN_CODE.fullmatch(value)
    if not match or int(match[1]) <= 0:
        raise InvalidQris(InvalidQris.bad_amount_in_code, value=value)
    return int(match[1])


def _is_digits(text: str) -> bool:
    return len(text) > 0 and all("0" <= ch <= "9" for ch in text)


def _encode(fields: list[tuple[str, str]]) -> str:
    parts = []
    for tag, value in fields:
        if len(value) > 99:
            raise ValueError(f"QRIS field {tag} is longer than 99 characters")
        parts.append(f"{tag}{len(value):02d}{value}")
    return "".join(parts)


def _seal(body: str) -> str:
    """Append the checksum field, computed over the body and its own "6304" header."""
    body += CRC + "04"
    return body + crc16_ccitt(body)


# The demo shop's static QRIS. Made up: the account provider and IDs belong to no one, so a
# real payment app scans it but cannot pay it.
DEMO_STATIC_QRIS = _seal(
    _encode(
        [
            (PAYLOAD_FORMAT, "01"),
            (POINT_OF_INITIATION, STATIC),
            (
                "26",
                _encode(
                    [
                        ("00", "ID.CO.CONTOHBANK.WWW"),
                        ("01", "936099990000012345"),  # merchant PAN
                        ("02", "000000012345"),  # merchant ID at the provider
                        ("03", "UMI"),  # micro business
                    ]
                ),
            ),
            (
                "51",
                _encode([("00", QRIS_GUI), ("02", "ID1020000012345"), ("03", "UMI")]),
            ),
            (MERCHANT_CATEGORY, "5699"),  # misc. apparel and accessory shops
            (CURRENCY, RUPIAH),
            (COUNTRY, "ID"),
            (MERCHANT_NAME, "RAJUT KIRANA"),
            (MERCHANT_CITY, "BANDUNG"),
            (POSTAL_CODE, "40111"),
            (ADDITIONAL_DATA, _encode([("07", "A01")])),  # terminal label
        ]
    )
)
