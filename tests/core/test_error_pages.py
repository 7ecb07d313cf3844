"""Dead ends lead back: "not found" is a page in the site's look and the visitor's language that
says what happened and links to the shop of a mistyped PO link, to the dashboard, or home
(error_pages.py); the API keeps its JSON; the server error page needs neither the database nor
the request; /favicon.ico answers with the icon."""

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext

from tests.core.test_csp import _PageScan, assert_strict

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("the database went away")


# For the server error test only (pytest.mark.urls): one view that fails.
urlpatterns = [path("boom/", _boom)]


def _in(language: str, text: str, **values) -> str:
    with translation.override(language):
        return gettext(text) % values if values else gettext(text)


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_mistyped_po_link_leads_to_the_shop_in_indonesian(client, shop, campaign):
    response = client.get(f"/{shop.slug}/{campaign.slug}x/")

    html = response.content.decode()
    assert response.status_code == 404
    assert response["Content-Language"] == "id" and '<html lang="id">' in html
    assert _in("id", "Page not found") in html
    link = _in("id", "See the POs of %(name)s", name="Toko Alice")
    assert f'<a class="button" href="/toko-alice/">{link}</a>' in html
    assert f"/{shop.slug}/{campaign.slug}x/" in html  # the address, to spot the typo


def test_a_mistyped_po_link_speaks_english_to_who_chose_it(client, shop, campaign):
    response = _english(client).get(f"/{shop.slug}/no-such-po/")

    html = response.content.decode()
    assert response.status_code == 404
    assert response["Content-Language"] == "en" and '<html lang="en">' in html
    assert "Toko Alice has no PO at this address." in html
    assert '<a class="button" href="/toko-alice/">See the POs of Toko Alice</a>' in html


def test_a_draft_is_not_shown_but_its_shop_is(client, shop, now):
    from tests.conftest import make_campaign

    draft = make_campaign(shop, now=now, publish=False)
    response = client.get(f"/{shop.slug}/{draft.slug}/")
    assert response.status_code == 404
    assert 'href="/toko-alice/"' in response.content.decode()


def test_an_unknown_shop_leads_home(client, shop):
    response = _english(client).get("/toko-alicee/kaos/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<a class="button" href="/">Go to the home page</a>' in html
    assert "Toko Alice" not in html


def test_a_broken_order_link_says_where_the_right_one_comes_from(client):
    response = _english(client).get("/o/not-a-secret/")
    assert response.status_code == 404
    assert "copied from the seller's message" in response.content.decode()


def test_the_dashboards_not_found_leads_back_to_the_dashboard(client, alice, other_shop, now):
    from tests.conftest import make_campaign

    someone_elses = make_campaign(other_shop, now=now)
    client.force_login(alice)
    for url in (f"/dashboard/po/{someone_elses.pk}/", "/dashboard/no-such-page/"):
        response = _english(client).get(url)
        html = response.content.decode()
        assert response.status_code == 404, url
        assert '<a class="button" href="/dashboard/">Back to your dashboard</a>' in html
        assert "Toko Charlie" not in html


def test_the_not_found_page_keeps_the_content_security_policy(client, shop):
    response = client.get(f"/{shop.slug}/nope/")
    assert response.status_code == 404
    assert_strict(response)  # its scripts (the site's, as on every page) carry the nonce


def test_the_api_keeps_its_json_not_found(client):
    for url in ("/api/nope/", "/api/v1/public/a/b/c/d"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "not_found"


@pytest.mark.urls(__name__)
def test_a_server_error_shows_the_static_error_page_in_the_visitors_language():
    client = _english(Client(raise_request_exception=False))
    response = client.get("/boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="en">' in html and "Something went wrong" in html
    assert '<a class="button" href="/">' in html
    assert 'rel="stylesheet" href="/static/openpo/site.css"' in html
    scan = _PageScan()
    scan.feed(html)
    assert (scan.scripts, scan.style_blocks, scan.inline_attributes) == ([], 0, [])


def test_the_server_error_page_renders_with_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()  # as Django does: no context at all
    assert '<html lang="id">' in html
    assert _in("id", "Something went wrong") in html


def test_favicon_ico_answers_with_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
    assert "max-age=86400" in response["Cache-Control"]
    assert client.head("/favicon.ico").status_code == 200


def test_every_page_links_its_icon(client):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/openpo/favicon.svg" type="image/svg+xml">' in html
    assert 'href="/static/openpo/favicon.ico"' in html
