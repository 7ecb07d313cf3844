"""A shop's static QRIS is checked, gets each order's amount written in, and is drawn as SVG.

The checksum is compared with a bitwise CRC written here, not with the code under test, and
the SVG is read back module by module and compared with what segno itself encodes.
"""

import re

import pytest
import segno
from django.utils import translation

from openpo.payments.qris import (
    DEMO_STATIC_QRIS,
    InvalidQris,
    crc16_ccitt,
    make_dynamic,
    parse_template,
    parse_tlv,
    qr_code,
    qr_svg,
    validate_static,
)

# Built by hand from the EMVCo MPM layout, the way a bank prints it: an issuer template (26),
# the national QRIS template with the NMID (51), MCC 5812 (restaurants), rupiah, and a
# terminal label in the additional data (62). The IDs are made up; the checksum was
# computed once with the bitwise CRC below.
BANK_STYLE_STATIC_QRIS = (
    "000201"
    "010211"
    "26750023ID.CO.BANKSEJAHTERA.WWW"
    "0118936012340000067890"
    "0215000195000067890"
    "0303UME"
    "51440014ID.CO.QRIS.WWW"
    "0215ID1023987654321"
    "0303UME"
    "52045812"
    "5303360"
    "5802ID"
    "5913WARUNG BU SRI"
    "6010YOGYAKARTA"
    "610555281"
    "62070703A01"
    "6304583A"
)


@pytest.fixture(autouse=True)
def english():
    # The default language is Indonesian; the messages are asserted in their English source.
    with translation.override("en"):
        yield


def reference_crc(text: str) -> str:
    """CRC-16/CCITT-FALSE one bit at a time, straight from its definition."""
    crc = 0xFFFF
    for byte in text.encode():
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def encode(fields: list[tuple[str, str]]) -> str:
    return "".join(f"{tag}{len(value):02d}{value}" for tag, value in fields)


def seal(fields: list[tuple[str, str]]) -> str:
    """A payload of these fields (without 63) with a correct checksum appended."""
    body = encode(fields) + "6304"
    return body + reference_crc(body)


def demo_fields_without_crc() -> list[tuple[str, str]]:
    return [(tag, value) for tag, value in parse_tlv(DEMO_STATIC_QRIS) if tag != "63"]


def replace_field(fields, tag, value):
    return [(t, value if t == tag else v) for t, v in fields]


def refusal(payload: str) -> str:
    with pytest.raises(InvalidQris) as caught:
        validate_static(payload)
    assert caught.value.code == "invalid_qris"
    return caught.value.message


# --- checksum ---


def test_it_computes_the_standard_check_value():
    assert crc16_ccitt("123456789") == "29B1"
    assert reference_crc("123456789") == "29B1"


@pytest.mark.parametrize(
    "text",
    ["", "A", "000201010211", DEMO_STATIC_QRIS[:-4], BANK_STYLE_STATIC_QRIS[:-4], "KOPI SUSU ☕"],
)
def test_it_agrees_with_a_bitwise_crc(text):
    assert crc16_ccitt(text) == reference_crc(text)


def test_it_writes_the_checksum_as_four_uppercase_hex_digits():
    small = next(f"6304-{i}" for i in range(100_000) if int(reference_crc(f"6304-{i}"), 16) < 0x100)
    assert crc16_ccitt(small) == reference_crc(small)
    assert re.fullmatch(r"00[0-9A-F]{2}", crc16_ccitt(small))


# --- reading ---


def test_it_splits_the_top_level_fields_in_order():
    fields = parse_tlv(BANK_STYLE_STATIC_QRIS)

    assert [tag for tag, _value in fields] == [
        "00", "01", "26", "51", "52", "53", "58", "59", "60", "61", "62", "63",
    ]  # fmt: skip
    assert dict(fields)["59"] == "WARUNG BU SRI"
    assert fields[-1] == ("63", "583A")


def test_it_reads_nested_templates():
    fields = dict(parse_tlv(BANK_STYLE_STATIC_QRIS))

    assert parse_template("26", fields["26"]) == {
        "00": "ID.CO.BANKSEJAHTERA.WWW",
        "01": "936012340000067890",
        "02": "000195000067890",
        "03": "UME",
    }
    assert parse_template("62", fields["62"]) == {"07": "A01"}


def test_it_reads_a_bank_style_static_qris():
    info = validate_static(BANK_STYLE_STATIC_QRIS)

    assert info.payload == BANK_STYLE_STATIC_QRIS
    assert info.merchant_name == "WARUNG BU SRI"
    assert info.merchant_city == "YOGYAKARTA"
    assert info.country == "ID"
    assert info.merchant_category_code == "5812"
    assert info.currency == "360"
    assert info.postal_code == "55281"
    assert info.is_dynamic is False
    assert info.amount is None
    assert info.nmid == "ID1023987654321"
    assert info.account_providers == ("ID.CO.BANKSEJAHTERA.WWW", "ID.CO.QRIS.WWW")


def test_the_demo_shop_has_a_well_formed_static_qris():
    assert DEMO_STATIC_QRIS[-8:-4] == "6304"
    assert DEMO_STATIC_QRIS[-4:] == reference_crc(DEMO_STATIC_QRIS[:-4])

    info = validate_static(DEMO_STATIC_QRIS)

    assert (info.merchant_name, info.merchant_city, info.country) == (
        "RAJUT KIRANA",
        "BANDUNG",
        "ID",
    )
    assert info.merchant_category_code == "5699"
    assert info.currency == "360"
    assert info.postal_code is not None
    assert info.is_dynamic is False
    assert info.nmid is not None and info.nmid.startswith("ID")
    assert "ID.CO.QRIS.WWW" in info.account_providers
    tags = [tag for tag, _value in parse_tlv(DEMO_STATIC_QRIS)]
    assert tags == sorted(tags)
    assert "26" in tags


def test_it_removes_what_a_paste_brings_along():
    wrapped = "\n".join(
        BANK_STYLE_STATIC_QRIS[i : i + 40] for i in range(0, len(BANK_STYLE_STATIC_QRIS), 40)
    )
    pasted = "  \ufeff" + wrapped.replace("\n", "\r\n", 1) + "\n\t "

    info = validate_static(pasted)

    assert info.payload == BANK_STYLE_STATIC_QRIS
    assert info.merchant_name == "WARUNG BU SRI"  # the inner space survives


def test_it_accepts_a_checksum_in_lowercase():
    payload = BANK_STYLE_STATIC_QRIS[:-4] + BANK_STYLE_STATIC_QRIS[-4:].lower()
    assert validate_static(payload).merchant_name == "WARUNG BU SRI"


# --- refusing what is not a usable QRIS ---


@pytest.mark.parametrize("payload", ["", "   ", "\r\n"])
def test_it_refuses_an_empty_code(payload):
    assert refusal(payload) == "The QRIS code is empty: paste the text read from the shop's QRIS."


@pytest.mark.parametrize(
    "payload", ["hello world", "https://example.com/qris.png", "12345", "0002", "✓"]
)
def test_it_refuses_garbage(payload):
    assert refusal(payload) == (
        "This is not a QRIS code: the text read from a QRIS starts with 000201. "
        "Paste that text, not a link or a picture."
    )


def test_it_refuses_a_wrong_checksum():
    wrong = DEMO_STATIC_QRIS[:-4] + ("0000" if DEMO_STATIC_QRIS[-4:] != "0000" else "0001")

    assert refusal(wrong) == (
        "The QRIS checksum does not match: the code was copied wrongly. "
        "Copy it again from the shop's QRIS."
    )


def test_it_refuses_a_code_with_a_mistyped_character():
    mistyped = DEMO_STATIC_QRIS.replace("RAJUT KIRANA", "RAJUT KIRANO")

    assert "checksum does not match" in refusal(mistyped)


def test_it_refuses_a_code_cut_off_in_the_middle_of_a_field():
    # The demo ends with ...62 07 0703A01 6304XXXX: ten characters less cuts field 62.
    assert refusal(DEMO_STATIC_QRIS[:-10]) == (
        "The QRIS code is incomplete: it ends in the middle of field 62. Copy the whole code again."
    )


def test_it_refuses_a_field_longer_than_what_is_left():
    too_long = DEMO_STATIC_QRIS.replace("5912RAJUT KIRANA", "5999RAJUT KIRANA")

    assert "it ends in the middle of field 59" in refusal(too_long)


def test_it_refuses_a_code_cut_off_before_its_checksum():
    assert refusal(DEMO_STATIC_QRIS[:-8]) == (
        "The QRIS code is incomplete: the checksum at the end (field 63) is missing. "
        "Copy the whole code again."
    )


def test_it_refuses_a_code_cut_off_after_a_tag():
    assert refusal(DEMO_STATIC_QRIS[:-8] + "63") == (
        "The QRIS code is incomplete: it ends in the middle of field 63. Copy the whole code again."
    )


def test_it_refuses_a_checksum_that_is_not_last():
    fields = demo_fields_without_crc()
    body = encode(fields) + "6304"
    payload = body + reference_crc(body) + "6402ID"

    assert "the checksum at the end (field 63) is missing" in refusal(payload)


def test_it_refuses_letters_where_a_length_belongs():
    payload = "00020101021159XX" + DEMO_STATIC_QRIS[12:]

    assert refusal(payload) == (
        "This is not a valid QRIS code: unexpected characters at position 15."
    )


def test_it_refuses_a_code_without_merchant_name():
    fields = [(tag, value) for tag, value in demo_fields_without_crc() if tag != "59"]

    assert refusal(seal(fields)) == (
        "The QRIS code is incomplete: the merchant name (field 59) is missing."
    )


@pytest.mark.parametrize(
    ("tag", "name"), [("58", "country"), ("60", "merchant city"), ("53", "currency")]
)
def test_it_refuses_a_code_without_a_required_field(tag, name):
    fields = [(t, value) for t, value in demo_fields_without_crc() if t != tag]

    assert refusal(seal(fields)) == (
        f"The QRIS code is incomplete: the {name} (field {tag}) is missing."
    )


def test_it_refuses_a_code_without_merchant_account():
    fields = [(t, value) for t, value in demo_fields_without_crc() if t not in ("26", "51")]

    assert "names no merchant account" in refusal(seal(fields))


def test_it_refuses_a_field_given_twice():
    fields = demo_fields_without_crc()
    fields.insert(8, ("59", "TOKO LAIN"))

    assert refusal(seal(fields)) == "This is not a valid QRIS code: field 59 appears twice."


def test_it_refuses_an_unknown_point_of_initiation():
    fields = replace_field(demo_fields_without_crc(), "01", "13")

    assert refusal(seal(fields)) == (
        "This is not a valid QRIS code: field 01 must be 11 (static) or 12 (dynamic), not 13."
    )


def test_it_refuses_a_code_in_another_currency():
    fields = replace_field(demo_fields_without_crc(), "53", "840")

    assert "not in rupiah (currency code 840)" in refusal(seal(fields))


def test_it_refuses_a_malformed_merchant_account_template():
    fields = replace_field(demo_fields_without_crc(), "26", "0020ID.CO.CONTOH")

    assert refusal(seal(fields)) == "This is not a valid QRIS code: field 26 is malformed."


def test_it_refuses_an_amount_with_cents():
    fields = demo_fields_without_crc()
    fields.insert(6, ("54", "15000.50"))

    assert "(15000.50) is not a valid rupiah amount" in refusal(seal(fields))


# --- writing the amount in ---


@pytest.mark.parametrize("amount", [1, 150_000, 1_234_567, 9_999_999_999_999])
@pytest.mark.parametrize("static", [DEMO_STATIC_QRIS, BANK_STYLE_STATIC_QRIS])
def test_it_writes_the_amount_into_the_static_code(static, amount):
    dynamic = make_dynamic(static, amount)
    fields = parse_tlv(dynamic)
    tags = [tag for tag, _value in fields]
    values = dict(fields)

    assert values["01"] == "12"
    assert values["54"] == str(amount)
    assert tags == sorted(tags)
    assert tags[-1] == "63"
    assert tags.index("54") == tags.index("53") + 1
    assert values["63"] == reference_crc(dynamic[:-4])
    unchanged = {tag: value for tag, value in parse_tlv(static) if tag not in ("01", "63")}
    assert {tag: value for tag, value in fields if tag not in ("01", "54", "63")} == unchanged

    info = validate_static(dynamic)
    assert info.is_dynamic is True
    assert info.amount == amount


def test_it_replaces_the_amount_of_a_dynamic_code():
    first = make_dynamic(DEMO_STATIC_QRIS, 150_000)

    second = make_dynamic(first, 75_500)

    fields = parse_tlv(second)
    assert [value for tag, value in fields if tag == "54"] == ["75500"]
    assert second == make_dynamic(DEMO_STATIC_QRIS, 75_500)
    assert validate_static(second).amount == 75_500


def test_it_drops_tips_and_fees_of_the_static_code():
    fields = demo_fields_without_crc()
    at = [tag for tag, _value in fields].index("58")
    fields[at:at] = [("54", "10000"), ("55", "02"), ("56", "2500"), ("57", "5")]

    dynamic = make_dynamic(seal(fields), 150_000)

    tags = [tag for tag, _value in parse_tlv(dynamic)]
    assert "55" not in tags and "56" not in tags and "57" not in tags
    assert dict(parse_tlv(dynamic))["54"] == "150000"


def test_it_adds_the_point_of_initiation_when_the_code_has_none():
    fields = [(tag, value) for tag, value in demo_fields_without_crc() if tag != "01"]

    dynamic = make_dynamic(seal(fields), 20_000)

    assert parse_tlv(dynamic)[:2] == [("00", "01"), ("01", "12")]


def test_it_accepts_a_pasted_static_code():
    assert make_dynamic(f"  {DEMO_STATIC_QRIS}\n", 5_000) == make_dynamic(DEMO_STATIC_QRIS, 5_000)


@pytest.mark.parametrize("amount", [0, -1, 1.5, 150_000.0, "150000", None, True])
def test_it_refuses_an_amount_that_is_not_positive_whole_rupiah(amount):
    with pytest.raises(InvalidQris) as caught:
        make_dynamic(DEMO_STATIC_QRIS, amount)

    assert caught.value.message == "The amount to pay must be a whole number of rupiah above zero."


def test_it_refuses_an_amount_longer_than_thirteen_digits():
    with pytest.raises(InvalidQris) as caught:
        make_dynamic(DEMO_STATIC_QRIS, 10_000_000_000_000)

    assert "too large" in caught.value.message


def test_it_refuses_to_write_an_amount_into_a_broken_code():
    with pytest.raises(InvalidQris, match="checksum does not match"):
        make_dynamic(DEMO_STATIC_QRIS[:-1] + "X", 10_000)


# --- drawing ---


def modules_drawn(svg: str) -> set[tuple[int, int]]:
    """(row, column) of every dark module in segno's SVG path (`M x y`, `h n`, `m dx dy`)."""
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg)[1]
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for op, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(first), float(second)
        elif op == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark.update((int(y), column) for column in range(int(x), int(x + float(first))))
            x += float(first)
    return dark


def test_it_draws_an_inline_labelled_svg():
    svg = qr_svg(make_dynamic(DEMO_STATIC_QRIS, 150_000))

    assert svg.startswith("<svg ")
    assert svg.endswith("</svg>")
    assert "<?xml" not in svg
    assert 'role="img"' in svg
    assert 'aria-label="QRIS payment code"' in svg
    assert "<title>QRIS payment code</title>" in svg
    assert 'viewBox="0 0 ' in svg
    width = re.search(r'width="(\d+)"', svg)
    assert width and int(width[1]) >= 250  # about a phone's width at a normal zoom
    assert 'fill="#fff"' in svg  # a white quiet zone, so it scans on a dark page


def test_it_escapes_the_label():
    svg = qr_svg(DEMO_STATIC_QRIS, label='Bayar "Rp 150.000" <PO-7K3Q9>')

    assert "<PO-7K3Q9>" not in svg
    assert 'aria-label="Bayar &quot;Rp 150.000&quot; &lt;PO-7K3Q9&gt;"' in svg


@pytest.mark.parametrize("amount", [1, 150_000, 9_999_999_999_999])
def test_the_svg_draws_the_modules_segno_encodes_at_level_m(amount):
    payload = make_dynamic(DEMO_STATIC_QRIS, amount)
    expected = segno.make_qr(payload, error="m", boost_error=False)
    dark_expected = {
        (row, column)
        for row, line in enumerate(expected.matrix_iter(scale=1, border=4))
        for column, is_dark in enumerate(line)
        if is_dark
    }

    assert modules_drawn(qr_svg(payload)) == dark_expected
    assert qr_code(payload).error == "M"
    assert not qr_code(payload).is_micro
