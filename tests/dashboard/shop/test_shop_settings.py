"""Shop settings: owners change the shop's details, logo, QRIS and bank accounts; a refused
change leaves everything as it was; staff cannot open the page."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from openpo.catalog.models import BankAccount, Shop
from openpo.catalog.services import add_bank_account
from openpo.core.models import AuditEvent
from openpo.payments.qris import DEMO_STATIC_QRIS, validate_static

pytestmark = pytest.mark.django_db

URL = "/dashboard/settings/"


@pytest.fixture
def owner(client, shop, alice):
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _form(shop: Shop, **changes) -> dict:
    data = {
        "name": shop.name,
        "slug": shop.slug,
        "whatsapp_number": shop.whatsapp_number,
        "email": shop.email,
        "timezone": shop.timezone,
        "brand_color": shop.brand_color,
        "static_qris": shop.static_qris,
        "default_payment_window_hours": shop.default_payment_window_hours,
        "message_language": shop.message_language,
    }
    data.update(changes)
    return data


def _image(size=(1200, 800), fmt="PNG", mode="RGB", name="logo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new(mode, size, (180, 35, 90) if mode == "RGB" else (180, 35, 90, 128)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def test_it_shows_the_shops_settings(owner, shop):
    response = owner.get(URL)
    html = response.content.decode()

    assert response.status_code == 200
    assert 'value="Toko Alice"' in html and 'value="toko-alice"' in html
    assert 'type="color"' in html
    assert "every public link" in html


def test_it_saves_every_setting(owner, shop, alice):
    response = owner.post(
        URL,
        _form(
            shop,
            name="Toko Alice Rajut",
            whatsapp_number="0813 9999 8888",
            email="toko@example.com",
            timezone=Shop.TimeZone.WITA,
            brand_color="#0a7d5a",
            default_payment_window_hours=6,
            message_language=Shop.Language.ENGLISH,
        ),
    )

    assert response.status_code == 302 and response["Location"] == URL
    shop.refresh_from_db()
    assert shop.name == "Toko Alice Rajut"
    assert shop.whatsapp_number == "+6281399998888"
    assert shop.email == "toko@example.com"
    assert shop.timezone == "Asia/Makassar"
    assert shop.brand_color == "#0A7D5A"
    assert shop.default_payment_window_hours == 6
    assert shop.message_language == "en"
    event = AuditEvent.objects.get(action="shop.settings_changed")
    assert event.actor == alice and "name" in event.data["fields"]
    assert "Shop settings saved." in owner.get(URL).content.decode()


def test_a_valid_qris_shows_its_merchant_back(owner, shop):
    response = owner.post(URL, _form(shop, static_qris=DEMO_STATIC_QRIS), follow=True)
    html = response.content.decode()

    shop.refresh_from_db()
    assert shop.static_qris == DEMO_STATIC_QRIS
    merchant = validate_static(DEMO_STATIC_QRIS)
    assert merchant.merchant_name in html and merchant.merchant_city in html
    assert 'id="qris-merchant"' in html


def test_a_qris_with_a_wrong_checksum_is_refused_and_nothing_changes(owner, shop):
    broken = DEMO_STATIC_QRIS[:-4] + ("0000" if DEMO_STATIC_QRIS[-4:] != "0000" else "1111")
    response = owner.post(URL, _form(shop, name="Nama Baru", static_qris=broken))
    html = response.content.decode()

    assert response.status_code == 422
    assert "checksum does not match" in html
    assert "Nothing was saved" in html
    shop.refresh_from_db()
    assert shop.name == "Toko Alice" and shop.static_qris == ""
    assert not AuditEvent.objects.filter(action="shop.settings_changed").exists()


def test_several_problems_are_shown_together_and_nothing_changes(owner, shop):
    response = owner.post(
        URL,
        _form(
            shop,
            name="Nama Baru",
            whatsapp_number="12",
            brand_color="merah",
            default_payment_window_hours=0,
        ),
    )
    html = response.content.decode()

    assert response.status_code == 422
    assert html.count('class="error"') >= 2
    shop.refresh_from_db()
    assert shop.name == "Toko Alice" and shop.whatsapp_number == "+6281211112222"


def test_the_service_refuses_a_bad_number_and_colour_at_once(shop, alice):
    from openpo.catalog.errors import InvalidShop
    from openpo.catalog.services.shop_settings import update_shop_settings

    with pytest.raises(InvalidShop) as refused:
        update_shop_settings(
            shop=shop,
            actor=alice,
            name="Baru",
            whatsapp_number="12",
            brand_color="red",
            default_payment_window_hours=0,
        )

    assert set(refused.value.field_errors) == {
        "whatsapp_number",
        "brand_color",
        "default_payment_window_hours",
    }
    assert shop.name == "Toko Alice"
    shop.refresh_from_db()
    assert shop.name == "Toko Alice"


def test_changing_the_link_moves_the_public_page_and_warns(owner, shop):
    response = owner.post(URL, _form(shop, slug="Rajut Alice"), follow=True)

    shop.refresh_from_db()
    assert shop.slug == "rajut-alice"
    assert "/rajut-alice/" in response.content.decode()
    assert owner.get("/rajut-alice/").status_code == 200
    assert owner.get("/toko-alice/").status_code == 404


def test_a_taken_or_reserved_link_is_refused(owner, shop, other_shop):
    for slug in ("toko-charlie", "dashboard"):
        response = owner.post(URL, _form(shop, slug=slug))
        assert response.status_code == 422
        assert "already taken" in response.content.decode()
    shop.refresh_from_db()
    assert shop.slug == "toko-alice"


def test_keeping_the_same_link_is_not_a_conflict_with_itself(owner, shop):
    response = owner.post(URL, _form(shop, name="Toko Alice 2"))

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.slug == "toko-alice" and shop.name == "Toko Alice 2"


def test_a_big_logo_is_resized_to_512_px(owner, shop):
    response = owner.post(URL, {**_form(shop), "logo": _image((1200, 800), "JPEG", name="a.jpg")})

    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.logo.name.startswith(f"logos/{shop.pk}/") and shop.logo.name.endswith(".jpg")
    with Image.open(shop.logo.path) as logo:
        assert logo.format == "JPEG" and logo.size == (512, 341)
    assert shop.logo.url in owner.get(URL).content.decode()


def test_a_transparent_logo_stays_a_png(owner, shop):
    upload = _image((300, 300), "PNG", mode="RGBA")
    owner.post(URL, {**_form(shop), "logo": upload})

    shop.refresh_from_db()
    with Image.open(shop.logo.path) as logo:
        assert logo.format == "PNG" and logo.size == (300, 300) and logo.mode == "RGBA"


def test_a_text_file_named_png_is_refused(owner, shop):
    fake = SimpleUploadedFile("logo.png", b"not a picture at all", content_type="image/png")
    response = owner.post(URL, {**_form(shop, name="Nama Baru"), "logo": fake})

    assert response.status_code == 422
    assert "not a picture" in response.content.decode()
    shop.refresh_from_db()
    assert not shop.logo and shop.name == "Toko Alice"


def test_a_gif_is_refused(owner, shop):
    response = owner.post(URL, {**_form(shop), "logo": _image((50, 50), "GIF", name="a.gif")})

    assert response.status_code == 422
    assert "JPEG, PNG or WebP" in response.content.decode()
    shop.refresh_from_db()
    assert not shop.logo


def test_the_logo_can_be_removed(owner, shop):
    owner.post(URL, {**_form(shop), "logo": _image((100, 100), "PNG")})
    shop.refresh_from_db()
    assert shop.logo

    owner.post(URL, {**_form(shop), "remove_logo": "on"})
    shop.refresh_from_db()
    assert not shop.logo


def test_staff_cannot_open_or_change_the_settings(client, shop, bob):
    client.force_login(bob)

    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(shop, name="Punya Bob")).status_code == 403
    shop.refresh_from_db()
    assert shop.name == "Toko Alice"


# --- Bank accounts --------------------------------------------------------------------------


def test_the_owner_adds_a_bank_account(owner, shop):
    response = owner.post(
        "/dashboard/settings/accounts/add/",
        {
            "account-bank_name": "BCA",
            "account-account_number": "123-456-7890",
            "account-account_holder": "Alice",
        },
    )

    assert response.status_code == 302
    account = shop.bank_accounts.get()
    assert account.account_number == "1234567890" and account.is_active
    assert AuditEvent.objects.filter(action="shop.bank_account_added").exists()
    assert "1234567890" in owner.get(URL).content.decode()


def test_a_bank_account_without_a_number_is_explained(owner, shop):
    response = owner.post(
        "/dashboard/settings/accounts/add/",
        {
            "account-bank_name": "BCA",
            "account-account_number": "abc",
            "account-account_holder": "A",
        },
    )

    assert response.status_code == 422
    assert "account number" in response.content.decode()
    assert not shop.bank_accounts.exists()


def test_the_owner_edits_hides_shows_and_deletes_an_account(owner, shop):
    account = add_bank_account(
        shop=shop, bank_name="BCA", account_number="1234567890", account_holder="Alice"
    )
    base = f"/dashboard/settings/accounts/{account.pk}/"

    assert owner.get(base + "edit/").status_code == 200
    response = owner.post(
        base + "edit/",
        {"bank_name": "BRI", "account_number": "0987 6543 21", "account_holder": "Alice W"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.bank_name, account.account_number, account.account_holder) == (
        "BRI",
        "0987654321",
        "Alice W",
    )

    owner.post(base + "toggle/")
    account.refresh_from_db()
    assert not account.is_active
    owner.post(base + "toggle/")
    account.refresh_from_db()
    assert account.is_active

    assert owner.post(base + "delete/").status_code == 302
    assert not BankAccount.objects.filter(pk=account.pk).exists()
    assert AuditEvent.objects.filter(action="shop.bank_account_deleted").exists()


def test_editing_an_account_into_a_duplicate_is_refused(owner, shop):
    add_bank_account(shop=shop, bank_name="BCA", account_number="1111111111", account_holder="A")
    second = add_bank_account(
        shop=shop, bank_name="BCA", account_number="2222222222", account_holder="A"
    )

    response = owner.post(
        f"/dashboard/settings/accounts/{second.pk}/edit/",
        {"bank_name": "BCA", "account_number": "1111111111", "account_holder": "A"},
    )

    assert response.status_code == 422
    assert "already listed" in response.content.decode()
    second.refresh_from_db()
    assert second.account_number == "2222222222"


def test_staff_cannot_change_bank_accounts(client, shop, bob):
    account = add_bank_account(
        shop=shop, bank_name="BCA", account_number="1234567890", account_holder="Alice"
    )
    client.force_login(bob)

    assert client.post(f"/dashboard/settings/accounts/{account.pk}/delete/").status_code == 403
    assert BankAccount.objects.filter(pk=account.pk).exists()
