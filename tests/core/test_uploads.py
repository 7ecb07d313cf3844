"""Uploads are bounded while they stream in: a body over 10 MB is refused before any of it is
read, a file past its view's limit stops being kept and the form says so (with the other fields
as typed), and every view that takes files still checks CSRF."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import resolve

from openpo.catalog.models import Shop
from openpo.catalog.services import add_product
from openpo.core.uploads import MAX_REQUEST_BYTES
from openpo.payments.models import PaymentProof
from openpo.payments.uploads import MAX_PROOF_BYTES
from tests import factories
from tests.streamed_upload import MB, CountingUploadHandler, StreamedUpload

pytestmark = pytest.mark.django_db

JPEG_START = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


@pytest.fixture
def counting(settings):
    """Uploads are kept by a handler that counts what it was given to keep."""
    settings.FILE_UPLOAD_HANDLERS = ["tests.streamed_upload.CountingUploadHandler"]
    CountingUploadHandler.kept = 0
    return CountingUploadHandler


@pytest.fixture
def order(campaign, buyer, now):
    return factories.order(campaign, buyer=buyer, now=now)


@pytest.fixture
def owner(client, alice):
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_body_over_10_mb_is_refused_before_any_of_it_is_read(client, counting):
    upload = StreamedUpload("file", "besar.bin", head=b"x", size=11 * MB)

    response = upload.post(client, "/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 413
    assert "maksimal 10 MB" in response.content.decode()
    assert upload.bytes_read == 0 and counting.kept == 0


def test_the_api_hears_it_in_json(client):
    upload = StreamedUpload("file", "besar.bin", head=b"x", size=MAX_REQUEST_BYTES)

    response = upload.post(client, "/api/v1/campaigns/")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert upload.bytes_read == 0


def test_a_proof_past_its_limit_stops_being_kept_and_the_form_says_so(client, order, counting):
    upload = StreamedUpload("proof", "besar.jpg", head=JPEG_START, size=8 * MB)

    response = upload.post(client, f"/o/{order.secret}/proof/")

    assert response.status_code == 422
    assert "5 MB" in response.content.decode()
    # Kept up to the limit only (then deleted); the rest was read off the connection unkept.
    assert counting.kept <= MAX_PROOF_BYTES
    assert not PaymentProof.objects.exists()

    # One within the limit still arrives whole.
    counting.kept = 0
    upload = StreamedUpload("proof", "struk.pdf", head=b"%PDF-1.4\n", size=3 * MB)
    assert upload.post(client, f"/o/{order.secret}/proof/").status_code == 302
    assert counting.kept == 3 * MB
    assert PaymentProof.objects.get().size == 3 * MB


def test_the_other_fields_survive_a_refused_file(owner, shop, counting):
    fields = {
        "name": "Toko Alice Baru",
        "slug": shop.slug,
        "whatsapp_number": shop.whatsapp_number,
        "email": shop.email,
        "timezone": shop.timezone,
        "brand_color": shop.brand_color,
        "static_qris": shop.static_qris,
        "default_payment_window_hours": str(shop.default_payment_window_hours),
        "message_language": shop.message_language,
    }
    upload = StreamedUpload("logo", "logo.jpg", head=JPEG_START, size=3 * MB)

    response = upload.post(owner, "/dashboard/settings/", fields=fields)

    html = response.content.decode()
    assert response.status_code == 422
    assert "The logo is too large: at most 2 MB." in html
    assert 'value="Toko Alice Baru"' in html
    assert counting.kept <= 2 * MB
    assert Shop.objects.get(pk=shop.pk).name == "Toko Alice" and not shop.logo


def _upload_urls(order, campaign) -> list[str]:
    product = add_product(campaign=campaign, name="Topi")
    return [
        f"/o/{order.secret}/proof/",
        f"/dashboard/po/{campaign.pk}/products/add/",
        f"/dashboard/po/product/{product.pk}/photos/",
        "/dashboard/settings/",
        f"/dashboard/orders/{order.pk}/refunds/new/",
        "/dashboard/statements/",
    ]


def test_every_view_that_takes_files_installs_the_limit_and_still_checks_csrf(
    order, campaign, alice
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for url in _upload_urls(order, campaign):
        view = resolve(url).func
        # csrf_exempt for the middleware (which would parse the body before the handler is
        # in place), checked inside by csrf_protect.
        assert getattr(view, "csrf_exempt", False), url
        upload = StreamedUpload("file", "a.pdf", head=b"%PDF-1.4\n", size=1024)
        response = upload.post(client, url)
        assert response.status_code == 403, url
