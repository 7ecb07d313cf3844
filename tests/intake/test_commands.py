"""`openpo parse_order` (chat text to JSON) and `openpo import_orders` (a Google Forms export
into a PO: a dry run by default, one JSON object, exit 1 on errors)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

CHAT = """\
[12/08/25 19.03] Budi Santoso: Nama: Budi Santoso
No HP: 0812-3456-7890
Alamat: Jl. Melati No. 5, Bandung
Pesanan: kaos polos S 2pcs
[12/08/25 19.05] Sari: kak masih ada?
"""

# The fixture campaign sells "Kaos Polos" in S (quota 20) and M (no quota).
FORM = (
    "Cap waktu,Nama,No HP,Alamat,Kota,Jumlah pesanan [Kaos Polos S],"
    "Jumlah pesanan [Kaos Polos M]\n"
    "2025/08/12 19:03:11,Budi Santoso,0812-3456-7890,Jl. Melati No. 5,Bandung,2,\n"
    "2025/08/12 19:09:40,Sari,081322223333,Jl. Kenanga 10,Surabaya,,1 pcs\n"
)


def _spec(campaign) -> str:
    return f"{campaign.shop.slug}/{campaign.slug}"


def _parse(*args, stdin=None) -> list:
    out = io.StringIO()
    call_command("parse_order", *args, stdout=out, stdin=stdin)
    return json.loads(out.getvalue())


def _import(*args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        with translation.override("en"):
            call_command("import_orders", *args, stdout=out)
        status = 0
    except SystemExit as exit:
        status = exit.code
    return status, json.loads(out.getvalue())


@pytest.fixture
def form(tmp_path):
    path = tmp_path / "responses.csv"
    path.write_text(FORM, encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------------------------- parse_order


def test_parse_order_prints_the_orders_of_a_chat_file(campaign, tmp_path):
    path = tmp_path / "chat.txt"
    path.write_text(CHAT, encoding="utf-8")

    (order,) = _parse("--campaign", _spec(campaign), str(path))

    assert order["name"] == "Budi Santoso" and order["phone"] == "+6281234567890"
    assert [(i["product"], i["variant"], i["quantity"]) for i in order["items"]] == [
        ("Kaos Polos", "S", 2)
    ]
    assert order["errors"] == []
    assert set(order) == {
        "name",
        "phone",
        "email",
        "address",
        "items",
        "notes",
        "errors",
        "warnings",
    }


def test_parse_order_reads_stdin_and_keeps_what_is_not_utf8(campaign):
    text = "Nama: Dewi\nHP: 081233334444\nAlamat: Jl. Mawar 1\nOrder: kaos M x3 \xff".encode(
        "latin-1"
    )

    (order,) = _parse("--campaign", _spec(campaign), "-", stdin=io.BytesIO(text))

    assert order["name"] == "Dewi"
    assert [(i["variant"], i["quantity"]) for i in order["items"]] == [("M", 3)]


def test_parse_order_prints_non_ascii_as_it_is(campaign):
    out = io.StringIO()
    text = io.BytesIO("Nama: Ayu\nHP: 081233334444\nAlamat: Jl. Kafé Ñusa\nkaos M 1".encode())
    call_command("parse_order", "--campaign", _spec(campaign), stdin=text, stdout=out)

    assert "Kafé Ñusa" in out.getvalue() and "\\u" not in out.getvalue()


def test_parse_order_refuses_an_unknown_campaign(campaign):
    with translation.override("en"):
        with pytest.raises(CommandError, match="no PO nope"):
            _parse("--campaign", f"{campaign.shop.slug}/nope", stdin=io.BytesIO(b""))
        with pytest.raises(CommandError, match="SHOP/CAMPAIGN"):
            _parse("--campaign", campaign.slug, stdin=io.BytesIO(b""))


# ---------------------------------------------------------------------------------- import_orders


def test_import_orders_dry_runs_by_default(campaign, form):
    status, summary = _import("--campaign", _spec(campaign), form)

    assert status == 0
    assert summary["dry_run"] is True and summary["rows"] == 2
    assert (summary["imported"], summary["duplicates"], summary["errors"]) == (0, 0, [])
    budi, sari = summary["orders"]
    assert (budi["row"], sari["row"]) == (2, 3)
    assert budi["address"] == "Jl. Melati No. 5, Bandung"
    assert [(i["variant"], i["quantity"]) for i in sari["items"]] == [("M", 1)]
    assert "status" not in budi and "code" not in budi
    roles = {c["column"]: c["role"] for c in summary["columns"]}
    assert roles["Cap waktu"] == "timestamp" and roles["Kota"] == "address"
    assert roles["Jumlah pesanan [Kaos Polos S]"].startswith("variant:")
    assert not Order.objects.exists()


def test_import_orders_applies_with_channel_import_and_unique_transfer_amounts(campaign, form):
    status, summary = _import("--campaign", _spec(campaign), form, "--apply")

    assert status == 0, summary["errors"]
    assert summary["dry_run"] is False and summary["imported"] == 2
    assert [o["status"] for o in summary["orders"]] == ["imported", "imported"]
    orders = Order.objects.filter(campaign=campaign).order_by("created_at", "pk")
    assert {o.code for o in orders} == {o["code"] for o in summary["orders"]}
    assert {o.channel for o in orders} == {Order.Channel.IMPORT}
    assert sorted(o.units for o in orders) == [1, 2]
    amounts = list(
        ExpectedPayment.objects.filter(order__in=orders).values_list("amount", flat=True)
    )
    assert len(amounts) == 2 and len(set(amounts)) == 2


def test_a_second_import_finds_the_orders_already_there(campaign, form):
    _import("--campaign", _spec(campaign), form, "--apply")
    codes = set(Order.objects.values_list("code", flat=True))

    status, dry = _import("--campaign", _spec(campaign), form)
    assert status == 0 and dry["duplicates"] == 2 and dry["imported"] == 0
    assert {o["code"] for o in dry["orders"]} == codes

    status, applied = _import("--campaign", _spec(campaign), form, "--apply")
    assert status == 0 and (applied["imported"], applied["duplicates"]) == (0, 2)
    assert [o["status"] for o in applied["orders"]] == ["duplicate", "duplicate"]
    assert Order.objects.count() == 2


def test_a_row_with_an_error_is_listed_and_the_others_are_imported(campaign, tmp_path):
    path = tmp_path / "form.csv"
    path.write_text(FORM + "2025/08/12 19:12:00,Rina,081277778888,Jl. Anggrek,Depok,banyak,\n")

    status, summary = _import("--campaign", _spec(campaign), str(path), "--apply")

    assert status == 1
    (error,) = summary["errors"]
    assert error["row"] == 4 and "banyak" in error["message"]
    assert [o["status"] for o in summary["orders"]] == ["imported", "imported", "skipped"]
    assert summary["imported"] == 2 and Order.objects.count() == 2


def test_an_order_past_the_quota_is_reported_and_the_rest_go_on(shop, now, tmp_path):
    small = make_campaign(shop, now=now, quotas=(2, None), title="PO Kaos Kecil")
    path = tmp_path / "form.csv"
    path.write_text(
        FORM.splitlines()[0]
        + "\n,Budi,081234567890,Jl. Melati 5,Bandung,2,\n"
        + ",Sari,081322223333,Jl. Kenanga 10,Surabaya,1,\n"
        + ",Dewi,081233334444,Jl. Mawar 1,Sleman,,2\n"
    )

    status, summary = _import("--campaign", _spec(small), str(path), "--apply")

    assert status == 1
    assert [o["status"] for o in summary["orders"]] == ["imported", "failed", "imported"]
    (error,) = summary["errors"]
    assert error["row"] == 3 and "sold out" in error["message"]
    assert summary["imported"] == 2 and Order.objects.filter(campaign=small).count() == 2


def test_an_unreadable_file_is_an_error_in_the_json(campaign, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")

    status, summary = _import("--campaign", _spec(campaign), str(path))

    assert status == 1 and summary["rows"] == 0 and summary["orders"] == []
    (error,) = summary["errors"]
    assert error["row"] == 0 and "CSV" in error["message"]


def test_import_orders_refuses_an_unknown_campaign_or_a_missing_file(campaign, form, tmp_path):
    with translation.override("en"):
        with pytest.raises(CommandError, match="no PO"):
            call_command("import_orders", "--campaign", "toko-x/po-y", form)
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import_orders", "--campaign", _spec(campaign), str(tmp_path / "no.csv"))
