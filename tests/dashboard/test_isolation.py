"""No shop sees another's data: every dashboard URL, asked with another shop's ids by a member
of a different shop, answers 404. The list of URLs comes from the URLconf, so a new view that
forgets the access helper fails here."""

import pytest
from django.urls import URLPattern, get_resolver

from openpo.catalog.services import create_shop
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def _dashboard_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    (dashboard,) = [p for p in resolver.url_patterns if str(p.pattern) == "dashboard/"]
    return list(dashboard.url_patterns)


def _url_with_ids(pattern: URLPattern, ids: dict[str, object]) -> str:
    route = str(pattern.pattern)
    for name, converter in pattern.pattern.converters.items():
        route = route.replace(f"<{type(converter).__name__[:-9].lower()}:{name}>", str(ids[name]))
        route = route.replace(f"<{name}>", str(ids[name]))
    return "/dashboard/" + route


def test_every_dashboard_url_hides_other_shops_objects(client, shop, now, charlie):
    campaign = make_campaign(shop, now=now)
    create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    client.force_login(charlie)
    ids = {"campaign_id": campaign.pk, "shop_slug": shop.slug}

    patterns = _dashboard_patterns()
    assert len(patterns) >= 3
    for pattern in patterns:
        url = _url_with_ids(pattern, ids)
        if not pattern.pattern.converters:
            continue  # shop-level pages show charlie's own shop; checked below
        method = client.post if "switch" in pattern.name else client.get
        assert method(url).status_code == 404, url


def test_the_dashboard_shows_only_the_members_shop(client, shop, now, charlie, alice):
    make_campaign(shop, now=now, title="PO Alice")
    other = create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    make_campaign(other, now=now, title="PO Charlie")

    client.force_login(charlie)
    html = client.get("/dashboard/").content.decode()
    assert "PO Charlie" in html and "PO Alice" not in html


def test_the_dashboard_needs_a_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
