"""The message template editor: a seller sees every event, edits the wording of one in one
language with placeholder help, previews it with a real order, and can go back to the default;
a mistake in a placeholder is shown and nothing is saved."""

import pytest
from django.conf import settings

from openpo.messaging.models import MessageTemplate
from tests import factories

pytestmark = pytest.mark.django_db

LIST = "/dashboard/messages/templates/"
EDIT = "/dashboard/messages/templates/edit/?event=shipped&lang=id"
RESET = "/dashboard/messages/templates/reset/?event=shipped&lang=id"


@pytest.fixture
def order(campaign, buyer, now):
    return factories.order(campaign, buyer=buyer)


def test_the_list_links_every_event_in_both_languages(client, alice, shop):
    client.force_login(alice)

    page = client.get(LIST).content.decode()

    assert 'id="event-order_received"' in page and 'id="event-shipped"' in page
    assert "?event=shipped&amp;lang=en" in page


def test_the_editor_previews_the_default_with_a_real_order_of_the_shop(client, alice, order):
    client.force_login(alice)

    page = client.get(EDIT).content.decode()

    assert "{resi}" in page  # placeholder help
    assert f"Pesanan {order.code} sudah dikirim" in page  # the preview with the order
    assert "JNE0123456789" in page


def test_saving_a_template_is_used_for_the_shop(client, alice, shop, order):
    client.force_login(alice)

    response = client.post(
        EDIT, {"subject": "Paket {kode} OTW", "body": "Kak {nama}, resi {resi}", "save": "1"}
    )

    assert response.status_code == 302
    saved = MessageTemplate.objects.get(shop=shop)
    assert (saved.event, saved.language, saved.subject) == ("shipped", "id", "Paket {kode} OTW")
    assert "Paket " + order.code + " OTW" in client.get(EDIT).content.decode()


def test_an_unknown_placeholder_is_shown_and_nothing_is_saved(client, alice, shop):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(EDIT, {"subject": "Paket", "body": "Resi: {tracking}", "save": "1"})

    assert response.status_code == 422
    assert "Unknown placeholder {tracking}" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_preview_shows_unsaved_text_without_saving(client, alice, order):
    client.force_login(alice)

    response = client.post(EDIT, {"subject": "S {kode}", "body": "Hai {nama}!", "preview": "1"})

    assert f"S {order.code}" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_reset_goes_back_to_the_default(client, alice, shop):
    client.force_login(alice)
    client.post(EDIT, {"subject": "S", "body": "B {resi}", "save": "1"})

    response = client.post(RESET)

    assert response.status_code == 302
    assert not MessageTemplate.objects.filter(shop=shop).exists()


def test_another_shops_order_cannot_be_previewed(client, charlie, other_shop, order):
    client.force_login(charlie)

    assert client.get(EDIT + f"&order={order.pk}").status_code == 404
    assert client.get("/dashboard/messages/templates/edit/?event=nope").status_code == 404
