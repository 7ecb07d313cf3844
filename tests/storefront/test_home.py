"""The home page says what OpenPO is and links every published PO; /health/ answers."""

from datetime import timedelta

import pytest

from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


def test_it_lists_published_pos_with_their_phase_in_indonesian(client, campaign, shop, now):
    make_campaign(shop, now=now, slug="draf", title="PO Rahasia", publish=False)
    make_campaign(
        shop,
        now=now,
        slug="nanti",
        title="PO Hoodie",
        opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=5),
    )

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Toko Alice" in html
    assert "PO Kaos Agustus" in html and "Dibuka" in html
    assert "PO Hoodie" in html and "Terjadwal" in html
    assert "PO Rahasia" not in html  # drafts stay private
    assert f"/{shop.slug}/{campaign.slug}/" in html


def test_it_speaks_indonesian_even_to_a_phone_set_to_english(client, campaign):
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    assert "Jalankan open PO tanpa ribet spreadsheet" in response.content.decode()
    assert response["Content-Language"] == "id"


def test_it_speaks_english_once_the_visitor_chooses_it(client, campaign):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302

    response = client.get("/")
    assert "Run your open PO without the spreadsheet" in response.content.decode()
    assert response["Content-Language"] == "en"


def test_it_escapes_what_sellers_type(client, shop, now):
    make_campaign(shop, now=now, title="<script>alert(1)</script>")
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_health_check_answers_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_home_page_refuses_post(client):
    assert client.post("/").status_code in (403, 405)


def test_the_stylesheet_the_pages_link_is_a_real_static_file(client):
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode()
    assert "/static/openpo/site.css" in html
    assert finders.find("openpo/site.css")
