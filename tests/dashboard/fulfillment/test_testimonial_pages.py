"""The seller's testimonials page: waiting ones first, approve and hide, the photo before
approval for the team only."""

import pytest
from django.conf import settings
from django.urls import reverse

from openpo.fulfillment.models import Testimonial
from openpo.fulfillment.services.testimonials import write_testimonial
from tests.fulfillment.test_testimonials import delivered, jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def testimonial(campaign):
    order = delivered(campaign, name="Rina Susanti")
    return write_testimonial(order=order, rating=4, text="<i>Rapi</i>", photo=jpeg_with_exif())


def test_the_page_lists_waiting_testimonials_escaped(client, alice, testimonial):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("dashboard:testimonials")).content.decode()
    assert "Rina S." in html and "&lt;i&gt;Rapi&lt;/i&gt;" in html
    assert reverse("dashboard:testimonial_approve", args=[testimonial.pk]) in html


def test_staff_approve_and_hide(client, bob, testimonial):
    client.force_login(bob)
    response = client.post(reverse("dashboard:testimonial_approve", args=[testimonial.pk]))
    assert response.status_code == 302
    testimonial.refresh_from_db()
    assert testimonial.approved_at and testimonial.approved_by == bob

    client.post(reverse("dashboard:testimonial_hide", args=[testimonial.pk]))
    testimonial.refresh_from_db()
    assert testimonial.approved_at is None


def test_the_team_sees_the_photo_before_approval(client, alice, testimonial):
    client.force_login(alice)
    response = client.get(reverse("dashboard:testimonial_photo", args=[testimonial.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_another_shop_sees_nothing(client, charlie, other_shop, testimonial):
    client.force_login(charlie)
    assert (
        client.post(reverse("dashboard:testimonial_approve", args=[testimonial.pk])).status_code
        == 404
    )
    assert Testimonial.objects.get(pk=testimonial.pk).approved_at is None
    html = client.get(reverse("dashboard:testimonials")).content.decode()
    assert "Rina S." not in html


def test_approving_takes_only_posts(client, alice, testimonial):
    client.force_login(alice)
    url = reverse("dashboard:testimonial_approve", args=[testimonial.pk])
    assert client.get(url).status_code == 405
