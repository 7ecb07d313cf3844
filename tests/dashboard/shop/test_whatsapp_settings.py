"""The WhatsApp Cloud API settings page: an owner sets up the shop's number; the access token
and app secret are shown back only by their last four characters and an empty field keeps
them; the verify token and callback URL are there to paste into Meta; nothing secret reaches
the audit trail; staff and other shops' owners cannot see or change it."""

import pytest
from django.conf import settings as django_settings

from openpo.core.models import AuditEvent
from openpo.messaging.models import WhatsAppAccount

pytestmark = pytest.mark.django_db

URL = "/dashboard/settings/whatsapp/"
TOKEN = "EAAGm0PX4ZCpsBAKZCtoken1234wxyz"
SECRET = "3f1c9a7e5b2d4c6a8e0f1a2b3c4d9876"


@pytest.fixture
def owner(client, shop, alice):
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _form(**changes) -> dict:
    return {
        "phone_number_id": "106540352242922",
        "access_token": TOKEN,
        "app_secret": SECRET,
        "template_name": "openpo_update",
        "template_language": "id",
        "is_active": "on",
        **changes,
    }


def test_it_shows_the_empty_form_and_the_callback_url(owner, shop):
    response = owner.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Not set up" in html
    assert "/api/v1/whatsapp/toko-alice/webhook" in html
    assert 'type="password" name="access_token"' in html


def test_the_settings_page_links_to_it(owner, shop):
    assert URL in owner.get("/dashboard/settings/").content.decode()


def test_an_owner_sets_it_up_and_secrets_are_shown_only_by_their_last_four(owner, shop):
    response = owner.post(URL, _form())

    assert response.status_code == 302
    account = WhatsAppAccount.objects.get(shop=shop)
    assert (account.access_token, account.app_secret) == (TOKEN, SECRET)
    assert account.is_active and account.template_name == "openpo_update"
    assert len(account.verify_token) >= 24

    html = owner.get(URL).content.decode()
    assert "••••wxyz" in html and "••••9876" in html
    assert TOKEN not in html and SECRET not in html
    assert TOKEN[:-4] not in html and SECRET[:-4] not in html
    assert account.verify_token in html  # the seller pastes it into Meta


def test_a_blank_secret_keeps_the_saved_one(owner, shop):
    owner.post(URL, _form())
    verify_token = WhatsAppAccount.objects.get(shop=shop).verify_token

    response = owner.post(URL, _form(access_token="", app_secret="", template_name=""))

    assert response.status_code == 302
    account = WhatsAppAccount.objects.get(shop=shop)
    assert (account.access_token, account.app_secret) == (TOKEN, SECRET)
    assert account.template_name == ""
    assert account.verify_token == verify_token


def test_a_new_secret_replaces_the_old_and_a_new_verify_token_can_be_made(owner, shop):
    owner.post(URL, _form())
    old_verify_token = WhatsAppAccount.objects.get(shop=shop).verify_token

    owner.post(
        URL, _form(access_token="EAAG-new-token-5678", app_secret="", renew_verify_token="on")
    )

    account = WhatsAppAccount.objects.get(shop=shop)
    assert account.access_token == "EAAG-new-token-5678"
    assert account.app_secret == SECRET
    assert account.verify_token != old_verify_token


def test_the_secrets_are_required_at_first(owner, shop):
    response = owner.post(URL, _form(access_token="", app_secret=""))

    assert response.status_code == 422
    assert "Paste it from Meta" in response.content.decode()
    assert not WhatsAppAccount.objects.exists()


def test_it_refuses_what_meta_would_not_take(owner, shop):
    response = owner.post(
        URL, _form(phone_number_id="abc", template_name="Bad Name", template_language="x")
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "digits only" in html
    assert "lower-case letters" in html
    assert "language code" in html
    assert not WhatsAppAccount.objects.exists()


def test_saving_is_audited_without_any_secret(owner, shop):
    owner.post(URL, _form())
    owner.post(URL, _form(access_token="EAAG-new-token-5678", app_secret=""))

    events = AuditEvent.objects.filter(action="whatsapp.account_saved").order_by("id")
    assert events.count() == 2
    for event in events:
        assert event.shop_id == shop.pk
        text = str(event.data)
        assert TOKEN not in text and SECRET not in text and "5678" not in text
        assert WhatsAppAccount.objects.get().verify_token not in text
    assert events.last().data["renewed"] == ["access_token"]


def test_saving_forgets_the_cached_wording(owner, shop, campaign):
    from openpo.messaging.rendering import shop_and_template

    _shop, _template = shop_and_template(campaign, "po_closed")
    assert campaign.shop.has_cloud_api is False

    owner.post(URL, _form())

    campaign.refresh_from_db()
    campaign = type(campaign).objects.select_related("shop").get(pk=campaign.pk)
    shop_and_template(campaign, "po_closed")
    assert campaign.shop.has_cloud_api is True


def test_staff_are_refused(client, shop, bob):
    client.force_login(bob)

    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert not WhatsAppAccount.objects.exists()


def test_another_shops_owner_sees_only_their_own(client, shop, other_shop, charlie):
    WhatsAppAccount.objects.create(
        shop=shop, phone_number_id="106540352242922", access_token=TOKEN, app_secret=SECRET
    )
    client.force_login(charlie)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(URL).content.decode()

    assert "106540352242922" not in html and "wxyz" not in html
    assert "/api/v1/whatsapp/toko-charlie/webhook" in html
    client.post(URL, _form(phone_number_id="999999"))
    assert WhatsAppAccount.objects.get(shop=shop).phone_number_id == "106540352242922"
    assert WhatsAppAccount.objects.get(shop=other_shop).phone_number_id == "999999"


def test_it_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]
