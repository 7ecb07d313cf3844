"""Personal API tokens: made by `openpo create_token`, stored hashed, seeing one shop only."""

import io

import pytest
from django.core.management import CommandError, call_command

from openpo.catalog.models import ApiToken, Membership
from openpo.catalog.services.api_tokens import create_token, revoke_token
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _get(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1/shop/{path}", headers=headers)


def test_the_command_prints_the_token_once_alone_on_the_last_line(client, shop, alice, now):
    make_campaign(shop, now=now, slug="kaos")
    out = io.StringIO()

    call_command("create_token", alice.username, "--shop", shop.slug, stdout=out)

    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("opo_") and " " not in raw
    stored = ApiToken.objects.get()
    assert raw not in {stored.digest, stored.prefix} and raw.startswith(stored.prefix)
    response = _get(client, "campaigns", raw)
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()] == ["kaos"]


def test_the_command_refuses_a_stranger_and_an_unknown_shop(shop, charlie):
    with pytest.raises(CommandError, match="anggota"):
        call_command("create_token", charlie.username, "--shop", shop.slug, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_token", "nobody", "--shop", shop.slug, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_token", charlie.username, "--shop", "no-such", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_another_shops_po_answers_404_as_if_it_did_not_exist(
    client, shop, other_shop, alice, charlie, now
):
    make_campaign(other_shop, now=now, slug="rahasia")
    _token, raw = create_token(shop=shop, user=alice, name="sync")

    assert _get(client, "campaigns", raw).json() == []
    response = _get(client, "campaigns/rahasia", raw)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("token", [None, "opo_wrong", "Bearer", "x" * 500])
def test_no_or_a_wrong_token_answers_401_in_the_api_shape(client, shop, token):
    response = _get(client, "campaigns", token)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_a_revoked_token_and_a_former_members_token_stop_working(client, shop, alice, bob):
    token, raw = create_token(shop=shop, user=alice, name="sheet")
    _other, bobs = create_token(shop=shop, user=bob, name="bot")
    assert _get(client, "campaigns", raw).status_code == 200

    assert revoke_token(token=token)
    Membership.objects.filter(shop=shop, user=bob).delete()

    assert _get(client, "campaigns", raw).status_code == 401
    assert _get(client, "campaigns", bobs).status_code == 401
    assert not revoke_token(token=token)  # once is enough


def test_making_and_revoking_a_token_is_in_the_shops_history(shop, alice):
    from openpo.core.models import AuditEvent

    token, raw = create_token(shop=shop, user=alice, name="sync")
    revoke_token(token=token, actor=alice)
    revoke_token(token=token, actor=alice)  # a second time changes nothing, writes nothing

    events = list(AuditEvent.objects.filter(action__startswith="shop.api_token").order_by("pk"))
    assert [e.action for e in events] == ["shop.api_token_created", "shop.api_token_revoked"]
    assert all(e.shop_id == shop.pk and e.actor_id == alice.pk for e in events)
    assert all(raw not in str(e.data) for e in events)  # the token itself is never kept
