"""A double tap or a browser retry sends the same order twice at the same instant: one order.
The same key sent again with a different order (a page changed and resent, a guessed key) is
refused and shows nothing of the first order."""

import pytest
from django.conf import settings

from openpo.catalog.models import Campaign, Variant
from openpo.orders.errors import IdempotencyMismatch
from openpo.orders.models import Order, OrderLine
from openpo.orders.services import OrderItem, place_order
from tests.concurrency import run_at_once
from tests.conftest import make_campaign


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_eight_identical_submits_make_one_order(shop, now, buyer, vendor, record_property):
    campaign = make_campaign(shop, now=now, quotas=(20,))
    variant = campaign.variants.get()

    def submit():
        fresh = Campaign.objects.select_related("shop").get(pk=campaign.pk)
        return place_order(
            terms_accepted=True,
            campaign=fresh,
            buyer=buyer,
            items={variant.pk: 2},
            idempotency_key="tap-1",
        )

    orders, errors = run_at_once([submit] * 8)

    assert errors == []
    assert len({order.pk for order in orders}) == 1
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=variant.pk).reserved_units == 2
    assert Campaign.objects.get(pk=campaign.pk).reserved_units == 2
    record_property("result", f"{vendor}: 8 identical submits → {Order.objects.count()} order")


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_submits_of_one_key_with_different_orders_make_the_first_order_only(
    shop, now, buyer, vendor, record_property
):
    """Four taps of 2 units and four of 3 with one key: the first to commit wins, the others
    of its kind get its order, the rest are refused and see nothing of it."""
    campaign = make_campaign(shop, now=now, quotas=(20,))
    variant = campaign.variants.get()

    def submit(units):
        def call():
            fresh = Campaign.objects.select_related("shop").get(pk=campaign.pk)
            return place_order(
                terms_accepted=True,
                campaign=fresh,
                buyer=buyer,
                items={variant.pk: units},
                idempotency_key="tap-1",
            )

        return call

    orders, errors = run_at_once([submit(2), submit(3)] * 4)

    order = Order.objects.get()
    assert {o.pk for o in orders} == {order.pk} and len(orders) == 4
    assert len(errors) == 4 and all(isinstance(e, IdempotencyMismatch) for e in errors)
    assert Variant.objects.get(pk=variant.pk).reserved_units == order.units
    assert Campaign.objects.get(pk=campaign.pk).reserved_units == order.units
    assert OrderLine.objects.get().quantity == order.units
    record_property(
        "result", f"{vendor}: 8 submits of one key, 2 orders → 1 order, 4 refused as mismatch"
    )


@pytest.mark.django_db
def test_a_storefront_form_sent_again_with_other_items_is_explained(client, campaign, variants):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = f"/{campaign.shop.slug}/{campaign.slug}/order/"
    form = {
        f"qty_{variants[0].pk}": "2",
        "name": "Sari Wulandari",
        "phone": "0813-2222-3333",
        "province": "Jawa Barat",
        "city": "Bandung",
        "address": "Jl. Melati No. 5",
        "postal_code": "40115",
        "terms": "on",
        "idempotency_key": "form-key-1",
    }
    assert client.post(url, form).status_code == 302
    order = Order.objects.get()

    # Back in the browser, one more shirt, and the same page sent again.
    response = client.post(url, {**form, f"qty_{variants[0].pk}": "3"})

    html = response.content.decode()
    assert response.status_code == 422
    assert "This form was already sent and made an order." in html
    assert "Reload the page to place another order." in html
    assert order.code not in html and order.secret not in html
    assert Order.objects.count() == 1
    assert Variant.objects.get(pk=variants[0].pk).reserved_units == 2
    # The same page sent again unchanged still leads to the order.
    assert client.post(url, form)["Location"] == f"/o/{order.secret}/"


@pytest.mark.django_db
def test_a_manual_order_form_sent_again_with_another_buyer_is_explained(
    client, alice, campaign, variants
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)
    url = f"/dashboard/po/{campaign.pk}/orders/new/"
    form = {
        "name": "Dewi",
        "phone": "0812 3456 7890",
        "address": "Jl. Kenanga No. 2",
        "city": "Bandung",
        "province": "Jawa Barat",
        "postal_code": "40111",
        "idempotency_key": "kunci-1",
        f"qty_{variants[0].pk}": "2",
    }
    assert client.post(url, form).status_code == 302

    response = client.post(url, {**form, "name": "Dewi Lestari", "phone": "0812 0000 1111"})

    assert response.status_code == 422
    assert "This form was already sent and made an order." in response.content.decode()
    assert Order.objects.get().buyer_name == "Dewi"
    assert Variant.objects.get(pk=variants[0].pk).reserved_units == 2


@pytest.mark.django_db
def test_items_given_once_as_a_generator_are_read_for_the_key_and_the_order(
    campaign, variants, buyer
):
    def items():
        yield OrderItem(variant_id=variants[0].pk, quantity=1)
        yield OrderItem(variant_id=variants[0].pk, quantity=1)

    first = place_order(
        terms_accepted=True, campaign=campaign, buyer=buyer, items=items(), idempotency_key="g"
    )
    again = place_order(
        terms_accepted=True,
        campaign=campaign,
        buyer=buyer,
        items={variants[0].pk: 2},
        idempotency_key="g",
    )

    assert first.units == 2 and again.pk == first.pk
    with pytest.raises(IdempotencyMismatch):
        place_order(
            terms_accepted=True,
            campaign=campaign,
            buyer=buyer,
            items=items(),
            channel=Order.Channel.API,
            idempotency_key="g",
        )
