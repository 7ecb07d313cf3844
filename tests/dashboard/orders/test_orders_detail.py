"""One order's page and the seller's actions on it: edit the buyer, change items, cancel,
notes; and orders the seller enters by hand."""

import pytest
from django.conf import settings

from openpo.catalog.models import Campaign, Variant
from openpo.core.models import AuditEvent
from openpo.orders.models import Order, OrderNote
from openpo.orders.services.changing import add_order_note
from openpo.payments.services.recording import claim_payment
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(campaign, buyer):
    return factories.order(campaign, units=2, buyer=buyer)


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _reserved(campaign):
    return list(
        Variant.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("reserved_units", flat=True)
    )


def test_the_order_page_shows_buyer_money_links_and_timeline(en, bob, order, alice):
    add_order_note(order=order, text="Minta dibungkus kado", actor=alice)
    en.force_login(bob)

    response = en.get(f"/dashboard/orders/{order.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sari Wulandari" in html and "0813-2222-3333" in html and "Bandung" in html
    assert "https://wa.me/6281322223333" in html
    assert f"/o/{order.secret}/" in html
    assert "Rp 255.000" in html  # total and outstanding
    assert order.open_expected_payment and html.count("Rp 255.") >= 2
    timeline = html[html.index('id="timeline"') :]
    assert timeline.index("Order placed") < timeline.index("Minta dibungkus kado")


def test_the_history_says_what_happened_in_words_not_codes(client, en, bob, order):
    claim_payment(order=order)
    client.force_login(bob)

    timeline = en.get(f"/dashboard/orders/{order.pk}/").content.decode()
    timeline = timeline[timeline.index('id="timeline"') :]
    assert "Payment reported, waiting for the seller&#x27;s check" in timeline
    assert "· Buyer" in timeline
    assert "payment.claimed" not in timeline

    en.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    timeline = en.get(f"/dashboard/orders/{order.pk}/").content.decode()
    assert "Pembayaran dilaporkan, menunggu dicek penjual" in timeline
    assert "· Pembeli" in timeline


def test_it_edits_the_buyers_details(en, alice, order):
    en.force_login(alice)
    url = f"/dashboard/orders/{order.pk}/edit/"
    assert 'value="Sari Wulandari"' in en.get(url).content.decode()

    response = en.post(
        url,
        {
            "name": "Sari W.",
            "phone": "0813 2222 3333",
            "address": "Jl. Kenanga 3",
            "city": "Cimahi",
            "postal_code": "40511",
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.buyer_name, order.city, order.postal_code) == ("Sari W.", "Cimahi", "40511")
    assert AuditEvent.objects.filter(action="order.buyer_updated").exists()


def test_a_bad_number_is_shown_on_its_field_and_nothing_changes(en, alice, order):
    en.force_login(alice)
    response = en.post(
        f"/dashboard/orders/{order.pk}/edit/",
        {"name": "Sari", "phone": "12", "address": "Jl. Kenanga 3", "postal_code": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "valid WhatsApp number" in html and "5 digits" in html
    order.refresh_from_db()
    assert order.buyer_phone == "+6281322223333"


def test_it_changes_items_within_the_quota(client, alice, campaign, variants, order):
    small, medium = variants
    client.force_login(alice)
    assert 'name="qty_' in client.get(f"/dashboard/orders/{order.pk}/items/").content.decode()

    response = client.post(
        f"/dashboard/orders/{order.pk}/items/",
        {f"qty_{small.pk}": "5", f"qty_{medium.pk}": "1"},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.units, order.total) == (6, 735_000)
    assert _reserved(campaign) == [5, 1]


def test_more_than_the_quota_is_refused_clearly_and_nothing_changes(
    en, alice, campaign, variants, order
):
    en.force_login(alice)
    response = en.post(f"/dashboard/orders/{order.pk}/items/", {f"qty_{variants[0].pk}": "25"})

    assert response.status_code == 422
    assert "only 18 left" in response.content.decode()
    order.refresh_from_db()
    assert order.units == 2
    assert _reserved(campaign) == [2, 0]


def test_fewer_items_release_units(client, alice, campaign, variants, order):
    client.force_login(alice)
    client.post(f"/dashboard/orders/{order.pk}/items/", {f"qty_{variants[0].pk}": "1"})
    order.refresh_from_db()
    assert (order.units, order.total) == (1, 135_000)
    assert _reserved(campaign) == [1, 0]


def test_cancelling_asks_first_then_releases_the_quota(en, alice, campaign, order):
    en.force_login(alice)
    url = f"/dashboard/orders/{order.pk}/cancel/"
    assert "Yes, cancel the order" in en.get(url).content.decode()
    assert Order.objects.get(pk=order.pk).status == "active"

    refused = en.post(url, {"reason": ""})
    assert refused.status_code == 200 and Order.objects.get(pk=order.pk).status == "active"

    response = en.post(url, {"reason": "Pembeli membatalkan lewat WA"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Pembeli membatalkan lewat WA")
    assert _reserved(campaign) == [0, 0]
    assert (
        "Pembeli membatalkan lewat WA" in en.get(f"/dashboard/orders/{order.pk}/").content.decode()
    )


def test_internal_notes_are_added_and_never_shown_to_the_buyer(client, bob, order):
    client.force_login(bob)
    response = client.post(f"/dashboard/orders/{order.pk}/notes/", {"text": "Sudah ditelepon"})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    note = OrderNote.objects.get(order=order)
    assert (note.text, note.author) == ("Sudah ditelepon", bob)
    assert "Sudah ditelepon" in client.get(f"/dashboard/orders/{order.pk}/").content.decode()
    client.logout()
    assert "Sudah ditelepon" not in client.get(f"/o/{order.secret}/").content.decode()


def test_an_empty_note_is_refused(client, bob, order):
    client.force_login(bob)
    client.post(f"/dashboard/orders/{order.pk}/notes/", {"text": "   "})
    assert not OrderNote.objects.exists()


def _manual(campaign, variant, key="kunci-1", **extra):
    return {
        "name": "Dewi",
        "phone": "0812 3456 7890",
        "address": "Jl. Anggrek 7, Bandung",
        "idempotency_key": key,
        f"qty_{variant.pk}": "2",
        **extra,
    }


def test_a_manual_order_is_placed_once_even_when_submitted_twice(client, alice, campaign, variants):
    client.force_login(alice)
    url = f"/dashboard/po/{campaign.pk}/orders/new/"
    form = client.get(url).content.decode()
    assert 'name="idempotency_key"' in form and f'name="qty_{variants[0].pk}"' in form

    first = client.post(url, _manual(campaign, variants[0]))
    second = client.post(url, _manual(campaign, variants[0]))

    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/dashboard/orders/{order.pk}/"
    assert (order.channel, order.units, order.buyer_phone) == ("manual", 2, "+6281234567890")
    assert AuditEvent.objects.get(action="order.placed").actor == alice
    assert _reserved(campaign) == [2, 0]


def test_another_shops_variant_in_the_manual_form_is_refused(
    client, alice, campaign, variants, other_shop, now
):
    foreign = make_campaign(other_shop, now=now).variants.first()
    client.force_login(alice)
    response = client.post(
        f"/dashboard/po/{campaign.pk}/orders/new/",
        {
            "name": "Dewi",
            "phone": "0812 3456 7890",
            "idempotency_key": "k",
            f"qty_{foreign.pk}": "1",
        },
    )
    assert response.status_code == 422
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=foreign.pk).reserved_units == 0


def test_a_sold_out_or_closed_po_is_explained(en, alice, campaign, variants):
    en.force_login(alice)
    url = f"/dashboard/po/{campaign.pk}/orders/new/"
    response = en.post(url, _manual(campaign, variants[0], **{f"qty_{variants[0].pk}": "21"}))
    assert response.status_code == 422 and "only 20 left" in response.content.decode()

    Campaign.objects.filter(pk=campaign.pk).update(status="closed", close_reason="early")
    response = en.post(url, _manual(campaign, variants[0], key="kunci-2"))
    html = response.content.decode()
    assert response.status_code == 422 and "not taking orders" in html
    assert not Order.objects.exists()


def test_other_shops_cannot_see_or_change_the_order(client, charlie, other_shop, order):
    client.force_login(charlie)
    for path in ("", "edit/", "items/", "cancel/"):
        assert client.get(f"/dashboard/orders/{order.pk}/{path}").status_code == 404
    client.post(f"/dashboard/orders/{order.pk}/cancel/", {"reason": "x"})
    assert Order.objects.get(pk=order.pk).status == "active"
