"""The Django admin shows a shop's WhatsApp secrets only by their last characters."""

import pytest

from openpo.messaging.models import WhatsAppAccount

pytestmark = pytest.mark.django_db

TOKEN = "EAAG" + "x" * 60 + "tok9"
SECRET = "f" * 28 + "sec7"


def test_the_admin_never_shows_or_takes_the_secrets(client, shop, django_user_model):
    account = WhatsAppAccount.objects.create(
        shop=shop, phone_number_id="106540352242922", access_token=TOKEN, app_secret=SECRET
    )
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)

    html = client.get(f"/admin/messaging/whatsappaccount/{account.pk}/change/").content.decode()

    assert "106540352242922" in html  # the page is the account's
    assert TOKEN not in html and SECRET not in html
    assert "••••tok9" in html and "••••sec7" in html
    assert 'name="access_token"' not in html and 'name="app_secret"' not in html
