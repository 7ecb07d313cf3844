"""Bulk resi import: previewed, then applied all at once or not at all; re-importing sends
nothing twice."""

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from openpo.fulfillment.models import Shipment
from openpo.fulfillment.services.resi_import import ResiFileError, import_resi
from openpo.messaging.models import OutboxMessage
from openpo.orders.models import Order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the English wording of the messages (the Indonesian is checked by
    tests/core/test_translations.py)."""
    with translation.override("en"):
        yield


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _shipped_emails() -> int:
    return OutboxMessage.objects.filter(event="shipped", channel="email").count()


@pytest.fixture
def orders(campaign, now):
    """Three paid orders: two of Rina (to combine), one of Dewi."""
    rina = factories.buyer(2, email="rina@example.com")
    dewi = factories.buyer(3, email="dewi@example.com")
    return [
        factories.paid_order(campaign, buyer=rina, now=now),
        factories.paid_order(campaign, buyer=rina, now=now),
        factories.paid_order(campaign, buyer=dewi, now=now),
    ]


def _good_file(orders) -> bytes:
    a, b, c = orders
    return _csv(
        "Kurir;No Resi;Kode Pesanan",
        f"J&T;JP1234567890;{a.code}",
        f"jnt;JP1234567890;{b.code}",
        f"sicepat;000123456789;{c.code.removeprefix('PO-')}",
    )


def test_a_dry_run_previews_and_changes_nothing(shop, orders):
    result = import_resi(shop=shop, data=_good_file(orders))

    assert result.dry_run and result.rows == 3 and result.errors == []
    assert [(p.row, p.action, p.combined) for p in result.preview] == [
        (2, "ship", True),
        (3, "ship", True),
        (4, "ship", False),
    ]
    assert result.preview[0].courier == "J&T Express"
    assert not Shipment.objects.exists()
    assert _shipped_emails() == 0


def test_applying_ships_combines_and_reimporting_sends_nothing_twice(shop, orders, alice):
    result = import_resi(shop=shop, data=_good_file(orders), apply=True, actor=alice)

    assert (result.applied, result.parcels, result.errors) == (3, 2, [])
    combined = Shipment.objects.get(tracking_number="JP1234567890")
    assert set(combined.orders.all()) == set(orders[:2])
    assert combined.status == "shipped" and combined.courier == "jnt"
    assert {o.fulfillment_status for o in Order.objects.all()} == {"shipped"}
    assert _shipped_emails() == 3

    again = import_resi(shop=shop, data=_good_file(orders), apply=True)
    assert (again.applied, again.already_shipped, again.errors) == (0, 3, [])
    assert Shipment.objects.count() == 2
    assert _shipped_emails() == 3


def test_an_overlapping_file_applies_only_the_new_rows(shop, campaign, orders, now):
    a, b, _c = orders
    import_resi(
        shop=shop, data=_csv("order,courier,resi", f"{a.code},jnt,JP1234567890"), apply=True
    )
    assert _shipped_emails() == 1

    result = import_resi(shop=shop, data=_good_file(orders), apply=True)

    assert (result.applied, result.already_shipped) == (2, 1)
    assert set(Shipment.objects.get(tracking_number="JP1234567890").orders.all()) == {a, b}
    assert _shipped_emails() == 3


def test_every_bad_row_is_named_and_nothing_is_applied(shop, other_shop, campaign, orders, now):
    a, b, c = orders
    unpaid = factories.order(campaign, buyer=factories.buyer(5), now=now)
    theirs = factories.paid_order(make_campaign(other_shop, now=now), now=now)
    data = _csv(
        "resi,courier,order code",
        f"JP1234567890,jnt,{a.code}",  # fine on its own
        "JP1111111111,jnt,PO-NOPE1",
        f"JP2222222222,jnt,{theirs.code}" if theirs.code not in {a.code, b.code, c.code} else "",
        f"JP3333333333,jnt,{unpaid.code}",
        f"XYZ1,merpati pos,{b.code}",
        f",sicepat,{c.code}",
    )
    result = import_resi(shop=shop, data=data, apply=True)

    codes = [(e.row, e.code) for e in result.errors]
    assert (3, "unknown_order") in codes
    assert (5, "unpaid") in codes
    assert (6, "unknown_courier") in codes
    assert (7, "empty_resi") in codes
    assert all(e.message.startswith(f"Row {e.row}:") for e in result.errors)
    assert result.applied == 0
    assert not Shipment.objects.exists()
    assert _shipped_emails() == 0


def test_one_resi_for_two_buyers_is_refused(shop, orders):
    a, _b, c = orders
    data = _csv("order,courier,resi", f"{a.code},jne,CGK1", f"{c.code},jne,CGK1")

    result = import_resi(shop=shop, data=data, apply=True)

    assert [(e.row, e.code) for e in result.errors] == [(3, "duplicate_resi")]
    assert not Shipment.objects.exists()


def test_a_resi_of_the_wrong_shape_is_a_warning_that_apply_must_accept(shop, orders):
    a = orders[0]
    data = _csv("order,courier,resi", f"{a.code},sicepat,12345")

    preview = import_resi(shop=shop, data=data)
    assert preview.errors == [] and [w.code for w in preview.warnings] == ["resi_format"]

    refused = import_resi(shop=shop, data=data, apply=True)
    assert [e.code for e in refused.errors] == ["resi_format"]
    assert not Shipment.objects.exists()

    accepted = import_resi(shop=shop, data=data, apply=True, accept_warnings=True)
    assert accepted.applied == 1


def test_it_reads_xlsx_with_english_headers(shop, orders):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tracking Number", "Order Code", "Courier", "Weight"])
    sheet.append([1234567890, orders[2].code, "JNE", 900])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = import_resi(shop=shop, data=buffer.getvalue(), apply=True)

    assert result.applied == 1
    shipment = Shipment.objects.get()
    assert (shipment.tracking_number, shipment.weight_grams) == ("1234567890", 900)


def test_a_file_without_the_needed_columns_is_refused(shop):
    with pytest.raises(ResiFileError):
        import_resi(shop=shop, data=_csv("nama,alamat", "Rina,Jl. Melati"))
