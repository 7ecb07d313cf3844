"""The dashboard's extra-charge pages: one charge from an order's page, cancelling an unpaid
one, and many orders of a PO from a file or typed rows (by amount, or by weight × a rate per
zone), previewed first and applied all at once; bad rows are named and nothing is applied.
Adding and cancelling are the owners'."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from openpo.catalog.services.lifecycle import close_campaign
from openpo.orders.models import Order
from openpo.payments.models import ExpectedPayment
from openpo.payments.services.charges import add_extra_charge
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def orders(campaign, alice, now):
    first = factories.paid_order(campaign, now=now, buyer=factories.buyer(1, province="Jawa Timur"))
    second = factories.paid_order(campaign, now=now, buyer=factories.buyer(2, province="Bali"))
    close_campaign(campaign=campaign, actor=alice, now=now)
    return first, second


def _due(now) -> str:
    return (now + timedelta(days=3)).date().isoformat()


def test_it_adds_one_charge_from_the_order_page(english, alice, orders, now):
    order = orders[0]
    english.force_login(alice)
    assert (
        english.get(f"/dashboard/orders/{order.pk}/")
        .content.decode()
        .count(f"/dashboard/orders/{order.pk}/charges/new/")
    )

    response = english.post(
        f"/dashboard/orders/{order.pk}/charges/new/",
        {"label": "Ongkir", "amount": "25.000", "due_on": _due(now)},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total == 160_000
    assert order.expected_payments.get(kind="extra").label == "Ongkir"


def test_staff_cannot_add_a_charge(english, bob, orders, now):
    english.force_login(bob)
    response = english.post(
        f"/dashboard/orders/{orders[0].pk}/charges/new/",
        {"label": "Ongkir", "amount": "25000", "due_on": _due(now)},
    )
    assert response.status_code == 403
    assert "Only the shop" in response.content.decode()
    assert not ExpectedPayment.objects.filter(kind="extra").exists()


def test_a_bad_amount_is_shown_on_the_form(english, alice, orders, now):
    english.force_login(alice)
    response = english.post(
        f"/dashboard/orders/{orders[0].pk}/charges/new/",
        {"label": "Ongkir", "amount": "0", "due_on": _due(now)},
    )
    assert response.status_code == 422
    assert Order.objects.get(pk=orders[0].pk).total == 135_000


def test_it_cancels_an_unpaid_charge_with_a_reason(english, alice, orders, now):
    charge = add_extra_charge(
        order=orders[0], amount=25_000, label="Ongkir", due_at=now + timedelta(days=3), actor=alice
    )
    english.force_login(alice)
    response = english.post(f"/dashboard/charges/{charge.pk}/cancel/", {"reason": "Dobel"})
    assert response.status_code == 302
    charge.refresh_from_db()
    assert charge.status == ExpectedPayment.Status.VOID
    assert Order.objects.get(pk=orders[0].pk).total == 135_000


def test_many_orders_are_previewed_then_applied(english, alice, campaign, orders, now):
    first, second = orders
    english.force_login(alice)
    rows = f"kode,ongkir\n{first.code},20000\n{second.code},30.000\n"
    data = {"label": "Ongkir", "due_on": _due(now), "mode": "amount"}

    preview = english.post(
        f"/dashboard/po/{campaign.pk}/charges/",
        {**data, "file": SimpleUploadedFile("ongkir.csv", rows.encode(), "text/csv")},
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: 2 orders, Rp 50.000" in html
    assert not ExpectedPayment.objects.filter(kind="extra").exists()

    applied = english.post(
        f"/dashboard/po/{campaign.pk}/charges/",
        {**data, "apply": "1", "rows": f"{first.code},20000\n{second.code},30000"},
    )
    assert applied.status_code == 302
    assert ExpectedPayment.objects.filter(kind="extra").count() == 2
    assert Order.objects.get(pk=second.pk).total == 165_000


def test_by_weight_the_preview_shows_kilograms_and_zones(english, alice, campaign, orders, now):
    first, second = orders
    english.force_login(alice)
    response = english.post(
        f"/dashboard/po/{campaign.pk}/charges/",
        {
            "label": "Ongkir",
            "due_on": _due(now),
            "mode": "weight",
            "rows": f"{first.code},1500\n{second.code},300",
            "rate_jawa": "10.000",
            "rate_bali_nusa": "20000",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1500 g → 2 kg" in html and "Rp 20.000" in html
    assert "Bali, NTB, NTT" in html


def test_bad_rows_are_named_and_nothing_is_applied(english, alice, campaign, orders, now):
    english.force_login(alice)
    response = english.post(
        f"/dashboard/po/{campaign.pk}/charges/",
        {
            "label": "Ongkir",
            "due_on": _due(now),
            "mode": "amount",
            "apply": "1",
            "rows": f"{orders[0].code},20000\nPO-NOPE1,1000\n{orders[0].code},5",
        },
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Row 2: no order with the code PO-NOPE1 in this shop." in html
    assert f"Row 3: order {orders[0].code} is already on row 1." in html
    assert not ExpectedPayment.objects.filter(kind="extra").exists()


def test_a_malformed_file_is_refused_with_its_row(english, alice, campaign, orders, now):
    english.force_login(alice)
    response = english.post(
        f"/dashboard/po/{campaign.pk}/charges/",
        {
            "label": "Ongkir",
            "due_on": _due(now),
            "mode": "amount",
            "file": SimpleUploadedFile("x.csv", b"code,amount\nPO-A,banyak\n", "text/csv"),
        },
    )
    assert response.status_code == 422
    assert "Row 2: “banyak” is not a whole number." in response.content.decode()
