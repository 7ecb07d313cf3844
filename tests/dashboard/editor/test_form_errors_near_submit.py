"""The seller's long forms sent back with errors: each problem is listed right above the
button (a link to its field) and the first one takes the focus, so a seller on a phone who
pressed the button at the bottom is led to it without JavaScript. The new PO, the PO settings,
adding a product, the shop settings, bank accounts and the manual order."""

import pytest

from openpo.catalog.models import BankAccount, Campaign
from openpo.orders.models import Order
from tests.dashboard.editor.test_editor import new_po_data, product_data
from tests.dashboard.shop.test_shop_settings import _form as shop_data
from tests.formpage import FormPage, summary_right_above_a_button

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client, alice):
    client.force_login(alice)
    return client


def _sent_back(response, status: int = 422) -> FormPage:
    html = response.content.decode()
    assert response.status_code == status, html
    assert summary_right_above_a_button(html)
    return FormPage(html)


def test_a_new_po_without_a_title_leads_to_the_title(owner, shop, now):
    response = owner.post("/dashboard/po/new/", new_po_data(shop, now, title="", closes_at=""))

    page = _sent_back(response)
    assert page.summary_links == ["#id_title", "#id_closes_at"]
    assert page.focused == "id_title"
    assert not Campaign.objects.filter(shop=shop, title="").exists()


def test_the_po_settings_on_the_edit_page_lead_to_their_first_error(owner, shop, campaign, now):
    data = {f"po-{k}": v for k, v in new_po_data(shop, now, payment_window_hours="0").items()}
    response = owner.post(f"/dashboard/po/{campaign.pk}/edit/", data)

    page = _sent_back(response)
    assert (page.focused, page.summary_links) == (
        "id_po-payment_window_hours",
        ["#id_po-payment_window_hours"],
    )


def test_adding_a_product_without_name_and_price_leads_to_the_name(owner, campaign):
    data = product_data("", price="")
    response = owner.post(f"/dashboard/po/{campaign.pk}/products/add/", data)

    page = _sent_back(response)
    assert page.summary_links[:2] == ["#id_add-name", "#id_add-price"]
    assert page.focused == "id_add-name"
    assert page.invalid[:2] == ["add-name", "add-price"]


def test_the_shop_settings_lead_to_a_wrong_number(owner, shop):
    response = owner.post("/dashboard/settings/", shop_data(shop, whatsapp_number="12"))

    page = _sent_back(response)
    assert (page.focused, page.summary_links) == (
        "id_whatsapp_number",
        ["#id_whatsapp_number"],
    )


def test_a_new_bank_account_leads_to_its_number(owner, shop):
    data = {"bank_name": "BCA", "account_number": "abc", "account_holder": "A"}
    response = owner.post(
        "/dashboard/settings/accounts/add/", {f"account-{k}": v for k, v in data.items()}
    )

    page = _sent_back(response)
    assert page.focused == "id_account-account_number"
    assert not BankAccount.objects.exists()


def test_an_edited_bank_account_leads_to_what_is_missing(owner, shop):
    account = BankAccount.objects.create(
        shop=shop, bank_name="BCA", account_number="1234567890", account_holder="Alice"
    )
    response = owner.post(
        f"/dashboard/settings/accounts/{account.pk}/edit/",
        {"bank_name": "", "account_number": "1234567890", "account_holder": ""},
    )

    page = _sent_back(response)
    assert page.summary_links == ["#id_bank_name", "#id_account_holder"]
    assert page.focused == "id_bank_name"


def test_a_manual_order_without_a_phone_leads_to_the_phone(owner, campaign, variants):
    data = {"name": "Dewi", "phone": "", "address": "Jl. Anggrek 7", "idempotency_key": "k"}
    response = owner.post(
        f"/dashboard/po/{campaign.pk}/orders/new/", {**data, f"qty_{variants[0].pk}": "2"}
    )

    page = _sent_back(response)
    assert page.focused == "id_phone"
    assert not Order.objects.exists()


def test_a_manual_order_without_items_leads_to_the_first_quantity(owner, campaign, variants):
    data = {"name": "Dewi", "phone": "0812 3456 7890", "address": "Jl. Anggrek 7"}
    response = owner.post(
        f"/dashboard/po/{campaign.pk}/orders/new/", {**data, "idempotency_key": "k"}
    )

    page = _sent_back(response)
    assert page.focused == f"qty_{variants[0].pk}"
    assert page.summary_links == ["#order-items"]
    assert "Pilih minimal satu item." in page.summary_text


def test_a_manual_order_for_more_than_is_left_says_so_above_the_button(owner, campaign, variants):
    data = {"name": "Dewi", "phone": "0812 3456 7890", "address": "Jl. Anggrek 7"}
    response = owner.post(
        f"/dashboard/po/{campaign.pk}/orders/new/",
        {**data, "idempotency_key": "k", f"qty_{variants[0].pk}": "21"},
    )

    page = _sent_back(response)
    assert "hanya tersisa 20" in page.summary_text
    assert page.autofocused == [page.summary]
