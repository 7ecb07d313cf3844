"""Amounts a person types are bounded: nothing past Rp 1.000.000.000 (or a count past 1.000.000)
reaches a service's write, so no column overflows (PostgreSQL's integers stop at 2,147,483,647)
and a slip of the keyboard is not taken as money; a payment recorded by hand above what the
order owes needs the seller's word. Found by an outside probe: Rp 99.999.999.999 recorded on a
Rp 174.000 order was accepted."""

import pytest

from openpo.catalog.errors import InvalidCampaign
from openpo.catalog.models import Campaign, Variant
from openpo.catalog.services import add_variant
from openpo.orders.errors import InvalidOrder
from openpo.orders.models import Order
from openpo.orders.services import place_order
from openpo.payments.errors import InvalidPayment
from openpo.payments.models import Payment
from openpo.payments.services import record_payment
from tests import factories
from tests.conftest import make_campaign
from tests.dashboard.editor.test_editor import new_po_data, product_data

pytestmark = pytest.mark.django_db

HUGE = "99.999.999.999"


@pytest.fixture
def order(campaign, buyer, now) -> Order:
    return factories.order(campaign, buyer=buyer, now=now)


def test_a_huge_cash_payment_is_refused_on_its_field(client, alice, order):
    client.force_login(alice)

    response = client.post(f"/dashboard/orders/{order.pk}/payments/new/", {"amount": HUGE})

    assert response.status_code == 422
    assert "lebih dari Rp 1.000.000.000" in response.content.decode()
    assert not Payment.objects.exists()
    assert Order.objects.get(pk=order.pk).amount_paid == 0


def test_cash_above_what_is_owed_needs_the_sellers_word(client, alice, order):
    client.force_login(alice)
    url = f"/dashboard/orders/{order.pk}/payments/new/"
    more = order.open_expected_payment.amount + 25_000  # the kode unik is not credited

    refused = client.post(url, {"amount": str(more)})

    assert refused.status_code == 422
    html = refused.content.decode()
    assert "Rp 25.000 lebih dari" in html and 'name="more_than_owed"' in html
    assert not Payment.objects.exists()

    accepted = client.post(url, {"amount": str(more), "more_than_owed": "on"})
    assert accepted.status_code == 302
    assert Order.objects.get(pk=order.pk).amount_overpaid == 25_000


def test_the_service_refuses_an_amount_past_the_bound_whatever_the_door(order):
    with pytest.raises(InvalidPayment):
        record_payment(
            order=order,
            amount=99_999_999_999,
            source=Payment.Source.MANUAL,
            allow_overpayment=True,
        )
    assert not Payment.objects.exists()


def test_confirming_a_huge_different_amount_is_refused(client, alice, order, now):
    claim = factories.claimed(order, now=now)
    client.force_login(alice)

    response = client.post(
        f"/dashboard/payments/{claim.pk}/confirm/",
        {"amount": HUGE, "second_transfer": "on"},
        follow=True,
    )

    assert "lebih dari Rp 1.000.000.000" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Payment.Status.CLAIMED and claim.amount < 1_000_000


def test_a_huge_price_or_quota_is_refused_in_the_editor(client, alice, shop, now):
    draft = make_campaign(shop, now=now, publish=False)
    client.force_login(alice)

    response = client.post(
        f"/dashboard/po/{draft.pk}/products/add/",
        product_data("Topi", price=HUGE, quota="5000000000"),
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "lebih dari Rp 1.000.000.000" in html and "lebih dari 1.000.000" in html
    assert not Variant.objects.filter(product__name="Topi").exists()

    variant = draft.variants.first()
    edit = client.post(
        f"/dashboard/po/variant/{variant.pk}/edit/",
        {
            f"v{variant.pk}-price": HUGE,
            f"v{variant.pk}-quota": "",
            f"v{variant.pk}-is_active": "on",
        },
    )
    assert edit.status_code == 422
    assert Variant.objects.get(pk=variant.pk).price == variant.price


def test_a_huge_shipping_fee_or_minimum_is_refused_on_a_new_po(client, alice, shop, now):
    client.force_login(alice)

    response = client.post(
        "/dashboard/po/new/",
        new_po_data(shop, now, shipping_fee=HUGE, moq_units="3000000000"),
    )

    assert response.status_code == 422
    assert Campaign.objects.filter(shop=shop).count() == 0


def test_the_services_refuse_a_price_past_the_bound(shop, now):
    draft = make_campaign(shop, now=now, publish=False)
    product = draft.products.first()

    with pytest.raises(InvalidCampaign) as refused:
        add_variant(product=product, price=3_000_000_000, options={"Ukuran": "XXXL"})

    assert "price" in refused.value.field_errors
    assert not Variant.objects.filter(options={"Ukuran": "XXXL"}).exists()


def test_an_order_whose_total_would_pass_the_bound_is_refused(shop, buyer, now):
    campaign = make_campaign(shop, now=now, quotas=(None,))
    variant = campaign.variants.get()
    Variant.objects.filter(pk=variant.pk).update(price=900_000_000)

    with pytest.raises(InvalidOrder) as refused:
        place_order(
            terms_accepted=True, campaign=campaign, buyer=buyer, items={variant.pk: 3}, now=now
        )

    assert "items" in refused.value.field_errors
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=variant.pk).reserved_units == 0
