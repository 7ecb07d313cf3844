"""The API tokens page: a member makes a token, sees it once, then only its first characters;
owners see and revoke every token of the shop, staff only their own."""

import re

import pytest

from openpo.catalog.models import ApiToken
from openpo.catalog.services.api_tokens import create_token

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/settings/api-tokens/"


def test_a_member_makes_a_token_that_works_and_is_shown_once(client, shop, bob):
    client.force_login(bob)

    made = client.post(PAGE, {"name": "Google Sheets"})

    assert made.status_code == 200
    raw = re.search(r'<code class="token">(opo_[^<]+)</code>', made.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (bob, "Google Sheets")
    again = client.get(PAGE).content.decode()
    assert raw not in again and f"{token.prefix}…" in again
    answer = client.get("/api/v1/shop/campaigns", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200


def test_a_nameless_token_is_refused_with_a_message(client, shop, bob):
    client.force_login(bob)

    response = client.post(PAGE, {"name": "  "})

    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_staff_see_and_revoke_only_their_own_owners_every_one(client, shop, alice, bob):
    alices, _ = create_token(shop=shop, user=alice, name="jurnal-alice")
    bobs, _ = create_token(shop=shop, user=bob, name="chatbot")

    client.force_login(bob)
    page = client.get(PAGE).content.decode()
    assert "chatbot" in page and "jurnal-alice" not in page
    assert client.post(f"{PAGE}{alices.pk}/revoke/").status_code == 404

    client.force_login(alice)
    assert "chatbot" in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}{bobs.pk}/revoke/").status_code == 302
    bobs.refresh_from_db()
    alices.refresh_from_db()
    assert bobs.revoked_at is not None and alices.revoked_at is None
