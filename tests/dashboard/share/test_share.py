"""The share panel of a PO: the link to copy, its QR code, the caption and the posters."""

import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import formats, timezone, translation
from django.utils.html import escape
from PIL import Image

from openpo.catalog.models import Campaign
from openpo.catalog.services import add_product_photo
from openpo.dashboard.share.images import FEED, STORY, draw_poster, poster_for
from openpo.dashboard.share.poster_style import DARK, WHITE, printable, text_color
from openpo.dashboard.share.qr import link_qr, link_qr_png

pytestmark = pytest.mark.django_db


def _link(campaign) -> str:
    return f"http://testserver/toko-alice/{campaign.slug}/"


def _picture(color, size=(800, 600), kind="JPEG") -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return ContentFile(buffer.getvalue(), name=f"picture.{kind.lower()}")


def _png(response) -> Image.Image:
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def _close(color, expected) -> bool:
    """Equal but for JPEG's rounding."""
    return all(abs(a - b) <= 6 for a, b in zip(color, expected, strict=True))


def _read_qr(image: Image.Image, box, modules: int) -> list[list[bool]]:
    """The QR code's modules read back from the middle of each module's square."""
    left, top, right, _bottom = box
    step = (right - left) / modules
    gray = image.convert("L")
    return [
        [
            gray.getpixel((int(left + (x + 0.5) * step), int(top + (y + 0.5) * step))) < 128
            for x in range(modules)
        ]
        for y in range(modules)
    ]


def test_it_shows_the_link_qr_code_caption_and_images(client, alice, campaign):
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{campaign.pk}/share/")

    assert response.status_code == 200
    page = response.content.decode()
    link = _link(campaign)
    assert f'id="share-url" value="{link}"' in page
    assert '<svg role="img"' in page  # the QR code of the link, inline
    assert 'id="share-caption"' in page
    assert escape(response.context["caption"]) in page
    assert link in response.context["caption"]
    assert "Rp 120.000" in response.context["caption"]
    assert 'id="share-whatsapp" href="https://wa.me/?text=' in page
    assert f"/dashboard/po/{campaign.pk}/share/feed.png" in page
    assert f"/dashboard/po/{campaign.pk}/share/story.png" in page
    assert 'id="share-draft"' not in page


def test_staff_can_share_too(client, bob, campaign):
    client.force_login(bob)
    assert client.get(f"/dashboard/po/{campaign.pk}/share/").status_code == 200


def test_it_warns_that_a_draft_is_not_public_yet(client, alice, shop, now):
    from tests.conftest import make_campaign

    draft = make_campaign(shop, now=now, publish=False, slug="draft")
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{draft.pk}/share/")

    assert draft.status == Campaign.Status.DRAFT
    assert 'id="share-draft"' in response.content.decode()


def test_it_escapes_the_shops_words(client, alice, campaign):
    campaign.title = "<script>alert(1)</script> PO"
    campaign.save()
    client.force_login(alice)

    page = client.get(f"/dashboard/po/{campaign.pk}/share/").content.decode()

    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


@pytest.mark.parametrize(("name", "size"), [("feed", (1080, 1080)), ("story", (1080, 1920))])
def test_it_serves_the_posters_as_png_downloads(client, alice, campaign, name, size):
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{campaign.pk}/share/{name}.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (f'attachment; filename="{campaign.slug}-{name}.png"')
    image = _png(response)
    assert image.format == "PNG"
    assert image.size == size


def test_it_answers_not_modified_when_the_poster_has_not_changed(client, alice, campaign):
    client.force_login(alice)
    url = f"/dashboard/po/{campaign.pk}/share/feed.png"
    etag = client.get(url)["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})
    campaign.title = "PO Kaos September"
    campaign.save()
    changed = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("kind", [FEED, STORY])
def test_posters_carry_the_first_product_photo_when_there_is_one(campaign, kind):
    product = campaign.products.get()
    bare, _box = draw_poster(poster_for(campaign, url=_link(campaign)), kind)
    add_product_photo(product=product, image=_picture((0, 160, 60)))

    poster = poster_for(campaign, url=_link(campaign))
    image, _box = draw_poster(poster, kind)

    assert poster.photo is not None
    assert image.size == bare.size
    assert _close(image.getpixel((540, 300)), (0, 160, 60))  # the photo fills the top
    assert not _close(bare.getpixel((540, 300)), (0, 160, 60))


@pytest.mark.parametrize("kind", [FEED, STORY])
def test_the_qr_code_on_a_poster_is_the_code_of_the_exact_link(campaign, kind):
    url = _link(campaign)
    poster = poster_for(campaign, url=url)

    image, box = draw_poster(poster, kind)

    expected = link_qr(url)
    assert expected.designator.endswith("-M")  # a full-size QR code, error level M
    assert _read_qr(image, box, len(expected.matrix)) == [
        [bool(bit) for bit in row] for row in expected.matrix
    ]
    assert poster.link == url.removeprefix("http://").rstrip("/")


def test_it_serves_a_printable_qr_code_of_the_link(client, alice, campaign):
    client.force_login(alice)

    response = client.get(f"/dashboard/po/{campaign.pk}/share/qr.png")

    assert response.status_code == 200
    assert response.content == link_qr_png(_link(campaign))
    assert _png(response).format == "PNG"
    assert response["Content-Disposition"] == f'attachment; filename="{campaign.slug}-qr.png"'


def test_posters_use_the_shop_colour_and_logo(shop, campaign):
    shop.brand_color = "#F5C518"  # light yellow: dark text reads better on it
    shop.logo.save("logo.png", _picture((20, 60, 160), (200, 100), "PNG"))
    shop.save()
    campaign.refresh_from_db()

    poster = poster_for(campaign, url=_link(campaign))
    image, _box = draw_poster(poster, FEED)

    assert poster.logo is not None
    assert image.getpixel((540, 1070)) == (0xF5, 0xC5, 0x18)
    assert text_color((0xF5, 0xC5, 0x18)) == DARK
    assert text_color((0xB4, 0x23, 0x5A)) == WHITE


def test_posters_survive_long_titles_and_characters_the_font_lacks(campaign):
    campaign.title = "PO Kemeja Batik Cap Pekalongan — Edisi Lebaran ✨ Café " + "Panjang " * 30
    poster = poster_for(campaign, url=_link(campaign))

    for kind in (FEED, STORY):
        image, _box = draw_poster(poster, kind)
        assert image.size == (1080, 1080 if kind == FEED else 1920)
    assert printable("1–5 Agustus ✨ Café") == "1-5 Agustus Cafe"


def test_posters_speak_the_shops_message_language(shop, campaign):
    shop.message_language = "en"
    shop.save()
    campaign.refresh_from_db()

    poster = poster_for(campaign, url=_link(campaign))

    assert poster.price == "from Rp 120.000"
    assert "Limited slots" not in " ".join(poster.tags)  # size M is unlimited


def test_other_shops_cannot_open_the_share_panel(client, charlie, other_shop, campaign):
    client.force_login(charlie)

    for suffix in ("", "feed.png", "story.png", "qr.png"):
        assert client.get(f"/dashboard/po/{campaign.pk}/share/{suffix}").status_code == 404


def test_the_caption_is_in_the_shops_language_whatever_the_page_speaks(client, alice, campaign):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)
    closes = timezone.localtime(campaign.closes_at, campaign.shop.tzinfo)
    with translation.override("id"):
        indonesian_time = formats.time_format(closes)  # 21.00, where English says 9 p.m.

    response = client.get(f"/dashboard/po/{campaign.pk}/share/")

    assert response.headers["Content-Language"] == "en"
    assert f"{indonesian_time} WIB" in response.context["caption"]
