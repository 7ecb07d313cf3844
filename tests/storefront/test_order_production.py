"""The production part of the buyer's order page: the stages as a timeline, the updates with
photos (viewable by the buyer), the delay notice and the paid buyer's one-tap cancel, which
only ever cancels the order whose secret is in the URL."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse

from openpo.catalog.models import Campaign
from openpo.fulfillment.services.delays import move_date
from openpo.fulfillment.services.production import add_stage, mark_stage_done, post_update
from openpo.orders.models import Order
from openpo.payments.balances import refunds_due
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _page(client, order):
    return client.get(reverse("order_page", args=[order.secret])).content.decode()


def _cancel(client, order):
    return client.post(reverse("order_delay_cancel", args=[order.secret]))


def _late(campaign, alice, now, days):
    campaign.refresh_from_db()
    if campaign.ships_on is None:
        campaign.ships_on = now.date() + timedelta(days=30)
        campaign.save()
    move_date(
        campaign=campaign,
        field="ships_on",
        new_date=campaign.ships_on + timedelta(days=days),
        reason="Penjahit sakit",
        actor=alice,
    )


def test_the_page_shows_the_stages_done_now_and_planned(client, campaign, now):
    order = factories.order(campaign)
    cut = add_stage(campaign=campaign, name="Potong")
    add_stage(campaign=campaign, name="Jahit")
    add_stage(campaign=campaign, name="Packing", planned_on=now.date() + timedelta(days=9))
    mark_stage_done(stage=cut, note="Kain sudah dipotong")
    html = _page(client, order)
    assert 'class="stage-done"' in html and "Potong" in html
    assert 'class="stage-now"' in html and "Jahit" in html
    assert 'class="stage-planned"' in html and "Packing" in html
    assert "Kain sudah dipotong" in html


def test_the_buyer_sees_the_production_photos(client, campaign):
    order = factories.order(campaign)
    photo = SimpleUploadedFile("a.png", factories.png(50, 50), content_type="image/png")
    update = post_update(campaign=campaign, text="Bahan datang", photos=[photo])
    stored = update.photos.get()
    html = _page(client, order)
    assert stored.thumbnail.url in html and stored.image.url in html
    # Served like product photos (the URL map's public media route), under random names.
    assert resolve(stored.thumbnail.url).url_name == "media"
    assert resolve(stored.image.url).url_name == "media"


def test_a_cancelled_order_shows_no_production(client, campaign):
    order = factories.order(campaign)
    post_update(campaign=campaign, text="Bahan datang")
    Order.objects.filter(pk=order.pk).update(
        status=Order.Status.CANCELLED, cancelled_at=order.created_at
    )
    assert "Bahan datang" not in _page(client, order)


def test_the_delay_notice_says_old_and_new_date_and_why(client, campaign, alice, now):
    order = factories.order(campaign)
    _late(campaign, alice, now, 3)
    html = _page(client, order)
    assert 'id="delay"' in html and "Penjahit sakit" in html
    assert reverse("order_delay_cancel", args=[order.secret]) not in html  # within the limit


def test_past_the_limit_a_paid_buyer_is_offered_the_cancel_and_told_what_happens(
    client, campaign, alice, now
):
    paid = factories.paid_order(campaign)
    _late(campaign, alice, now, 8)
    html = _page(client, paid)
    assert reverse("order_delay_cancel", args=[paid.secret]) in html
    assert "its items are released for other buyers" in html
    assert "refunded by the seller to the bank or e-wallet account" in html


def test_past_the_limit_an_unpaid_buyer_is_not_offered_the_cancel(client, campaign, alice, now):
    unpaid = factories.order(campaign)
    _late(campaign, alice, now, 8)
    assert reverse("order_delay_cancel", args=[unpaid.secret]) not in _page(client, unpaid)
    assert _cancel(client, unpaid).status_code == 302
    unpaid.refresh_from_db()
    assert unpaid.status == Order.Status.ACTIVE


def test_the_tap_cancels_releases_units_once_and_lists_the_refund(client, campaign, alice, now):
    paid = factories.paid_order(campaign, units=3)
    _late(campaign, alice, now, 8)
    response = _cancel(client, paid)
    assert response.status_code == 302
    assert response["Location"].endswith("#refund")
    _cancel(client, paid)  # the second tap changes nothing
    paid.refresh_from_db()
    assert paid.status == Order.Status.CANCELLED
    assert Campaign.objects.get(pk=campaign.pk).reserved_units == 0
    assert list(refunds_due(Order.objects.all())) == [paid]
    html = _page(client, paid)
    assert "Where should the refund go?" in html


def test_the_cancel_refuses_another_orders_secret(client, campaign, alice, now):
    mine = factories.paid_order(campaign, buyer=factories.buyer(1))
    other_po = make_campaign(campaign.shop, now=now, title="PO lain")
    theirs = factories.paid_order(other_po, buyer=factories.buyer(2))
    _late(campaign, alice, now, 8)  # only the first PO is late
    # The URL's secret is the only key: naming another order in the form changes nothing.
    response = client.post(reverse("order_delay_cancel", args=[theirs.secret]), {"order": mine.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == theirs.status == Order.Status.ACTIVE
    # A secret that is no order's answers 404.
    assert client.post(reverse("order_delay_cancel", args=["x" * 43])).status_code == 404


def test_the_cancel_takes_only_posts(client, campaign):
    order = factories.order(campaign)
    assert client.get(reverse("order_delay_cancel", args=[order.secret])).status_code == 405
