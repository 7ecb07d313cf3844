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
    assert f"/admin/catalog/campaign/{campaign.pk}/change/" in html


def test_it_speaks_english_when_asked(client, campaign):
    response = client.get("/", headers={"accept-language": "en"})
    assert "Run your open PO without the spreadsheet" in response.content.decode()


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
