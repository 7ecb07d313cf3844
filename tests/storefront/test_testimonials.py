"""Testimonials from the buyer's side: the delivered order's page asks once; the shop page and
later POs' pages show approved ones, escaped; photos are public only once approved."""

import pytest
from django.conf import settings
from django.urls import reverse

from openpo.fulfillment import models
from openpo.fulfillment.services.testimonials import set_testimonial_approved, write_testimonial
from openpo.orders.models import Order
from tests import factories
from tests.conftest import make_campaign
from tests.fulfillment.test_testimonials import delivered, jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _post(client, order, **data):
    return client.post(reverse("order_testimonial", args=[order.secret]), data)


def test_a_delivered_orders_page_asks_for_a_rating_and_takes_it_once(english, campaign):
    order = delivered(campaign, name="Rina Susanti")
    html = english.get(reverse("order_page", args=[order.secret])).content.decode()
    assert 'id="testimonial"' in html and 'name="rating"' in html

    response = _post(english, order, rating="5", text="Adem!", photo=jpeg_with_exif())
    assert response.status_code == 302 and response["Location"].endswith("#testimonial")
    testimonial = models.Testimonial.objects.get(order=order)
    assert (testimonial.rating, testimonial.text, bool(testimonial.photo)) == (5, "Adem!", True)

    html = english.get(reverse("order_page", args=[order.secret])).content.decode()
    assert 'name="rating"' not in html and "Adem!" in html
    assert _post(english, order, rating="1").status_code == 409
    assert models.Testimonial.objects.get(order=order).rating == 5


def test_an_order_not_delivered_is_not_asked_and_cannot_post(english, campaign):
    order = factories.order(campaign)
    html = english.get(reverse("order_page", args=[order.secret])).content.decode()
    assert 'id="testimonial"' not in html
    assert _post(english, order, rating="5").status_code == 409
    assert not models.Testimonial.objects.exists()


def test_a_bad_rating_or_a_long_text_comes_back_with_errors(english, campaign):
    order = delivered(campaign)
    assert _post(english, order, rating="9").status_code == 422
    assert _post(english, order, rating="4", text="x" * 501).status_code == 422
    assert not models.Testimonial.objects.exists()


def test_another_orders_secret_is_404(client, campaign):
    order = delivered(campaign)
    assert _post(client, Order(secret="y" * 43), rating="5").status_code == 404
    assert not models.Testimonial.objects.filter(order=order).exists()


def test_posting_is_rate_limited(client, campaign, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "proof": (2, 600)}
    order = delivered(campaign)
    statuses = [_post(client, order, rating="9").status_code for _ in range(3)]
    assert statuses == [422, 422, 429]


def test_approved_testimonials_show_escaped_on_the_shop_and_later_pos(
    client, shop, campaign, now, alice
):
    shown = write_testimonial(order=delivered(campaign, 1), rating=5, text="<b>Mantap</b>")
    write_testimonial(order=delivered(campaign, 2), rating=2, text="Belum disetujui")
    set_testimonial_approved(testimonial=shown, approved=True, actor=alice)
    later = make_campaign(shop, now=now, title="PO berikutnya", slug="po-berikutnya")

    shop_html = client.get(reverse("shop", args=[shop.slug])).content.decode()
    assert "&lt;b&gt;Mantap&lt;/b&gt;" in shop_html and "<b>Mantap" not in shop_html
    assert "Belum disetujui" not in shop_html
    later_html = client.get(reverse("campaign", args=[shop.slug, later.slug])).content.decode()
    assert "&lt;b&gt;Mantap&lt;/b&gt;" in later_html
    # The PO's own page shows what buyers of other POs said.
    own = client.get(reverse("campaign", args=[shop.slug, campaign.slug])).content.decode()
    assert "Mantap" not in own


def test_a_photo_is_public_only_once_approved(client, campaign, alice):
    testimonial = write_testimonial(order=delivered(campaign), rating=5, photo=jpeg_with_exif())
    url = reverse("testimonial_photo", args=[testimonial.pk])
    assert client.get(url).status_code == 404

    set_testimonial_approved(testimonial=testimonial, approved=True, actor=alice)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"

    set_testimonial_approved(testimonial=testimonial, approved=False, actor=alice)
    assert client.get(url).status_code == 404
