"""Testimonials: once per delivered order, rating 1–5, short text, a photo stored without its
metadata; approved by the shop's team before its public pages show them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from openpo.fulfillment import models
from openpo.fulfillment.services.testimonials import (
    TestimonialRefused,
    approved_testimonials,
    set_testimonial_approved,
    shown_name,
    write_testimonial,
)
from openpo.orders.models import Order
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def delivered(campaign, n=1, **details):
    order = factories.order(campaign, buyer=factories.buyer(n, **details))
    Order.objects.filter(pk=order.pk).update(fulfillment_status=Order.FulfillmentStatus.DELIVERED)
    order.refresh_from_db()
    return order


def jpeg_with_exif() -> SimpleUploadedFile:
    picture = Image.new("RGB", (60, 40), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("kaos.jpg", out.getvalue(), "image/jpeg")


def test_a_delivered_order_is_rated_once(campaign):
    order = delivered(campaign, name="Rina Susanti")
    testimonial = write_testimonial(order=order, rating=5, text="  Bahannya adem!  ")
    assert (testimonial.rating, testimonial.text) == (5, "Bahannya adem!")
    assert testimonial.author_name == "Rina S." and testimonial.approved_at is None
    assert testimonial.shop_id == order.shop_id and testimonial.campaign_id == campaign.pk

    with pytest.raises(TestimonialRefused) as refused:
        write_testimonial(order=order, rating=1)
    assert refused.value.message == str(TestimonialRefused.already)
    assert models.Testimonial.objects.count() == 1


def test_an_order_not_delivered_cannot_be_rated(campaign):
    order = factories.order(campaign)
    with pytest.raises(TestimonialRefused):
        write_testimonial(order=order, rating=5)
    assert not models.Testimonial.objects.exists()


@pytest.mark.parametrize("rating", [0, 6, -1, True])
def test_the_rating_is_one_to_five(campaign, rating):
    with pytest.raises(TestimonialRefused):
        write_testimonial(order=delivered(campaign), rating=rating)


def test_the_text_is_short_and_clean(campaign):
    order = delivered(campaign)
    with pytest.raises(TestimonialRefused):
        write_testimonial(order=order, rating=4, text="x" * 501)
    with pytest.raises(TestimonialRefused):
        write_testimonial(order=order, rating=4, text="bagus\u202e")
    assert write_testimonial(order=order, rating=4, text="x" * 500).text == "x" * 500


def test_the_photo_is_stored_again_without_its_metadata(campaign):
    testimonial = write_testimonial(order=delivered(campaign), rating=5, photo=jpeg_with_exif())
    assert testimonial.photo.name.startswith(f"testimonials/{campaign.shop_id}/")
    with testimonial.photo.open("rb") as stored, Image.open(stored) as picture:
        assert picture.format == "JPEG" and picture.size == (60, 40)
        assert not picture.getexif()


def test_a_file_that_is_not_a_photo_is_refused(campaign):
    order = delivered(campaign)
    with pytest.raises(TestimonialRefused) as refused:
        write_testimonial(order=order, rating=5, photo=factories.proof_pdf())
    assert "photo" in refused.value.field_errors
    assert not models.Testimonial.objects.exists()


def test_the_team_approves_and_hides_and_only_approved_ones_are_listed(shop, campaign, now, bob):
    first = write_testimonial(order=delivered(campaign, 1), rating=5)
    write_testimonial(order=delivered(campaign, 2), rating=3)
    later = make_campaign(shop, now=now, title="PO berikutnya")

    approved = set_testimonial_approved(testimonial=first, approved=True, actor=bob)
    assert approved.approved_at and approved.approved_by == bob
    assert list(approved_testimonials(shop)) == [first]
    assert list(approved_testimonials(shop, exclude_campaign=later)) == [first]
    assert list(approved_testimonials(shop, exclude_campaign=campaign)) == []

    set_testimonial_approved(testimonial=first, approved=False, actor=bob)
    assert list(approved_testimonials(shop)) == []


@pytest.mark.parametrize(
    ("name", "shown"), [("Rina Susanti", "Rina S."), ("Budi", "Budi"), ("  ", "—")]
)
def test_only_the_first_name_and_an_initial_are_shown(name, shown):
    assert shown_name(name) == shown
