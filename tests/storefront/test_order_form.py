"""Ordering through the public form: with and without HTMX, errors beside their fields and
listed above the button, the first one taking the focus."""

import pytest

from openpo.orders.models import Customer, Order
from tests.formpage import FormPage, summary_right_above_a_button

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data(variants):
    return {
        f"qty_{variants[0].pk}": "2",
        f"qty_{variants[1].pk}": "1",
        "name": "Sari Wulandari",
        "phone": "0813-2222-3333",
        "email": "sari@example.com",
        "province": "Jawa Barat",
        "city": "Bandung",
        "address": "Jl. Melati No. 5, RT 02/RW 03",
        "postal_code": "40115",
        "notes": "",
        "terms": "on",
        "idempotency_key": "form-key-1",
    }


def _post(client, campaign, data, **headers):
    return client.post(f"/{campaign.shop.slug}/{campaign.slug}/order/", data, headers=headers)


def test_it_places_the_order_and_sends_the_buyer_to_the_order_page(client, campaign, form_data):
    response = _post(client, campaign, form_data)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/{order.secret}/"
    assert (order.units, order.total, order.buyer_phone) == (3, 375_000, "+6281322223333")
    assert order.channel == "web" and order.province == "Jawa Barat"
    assert "Bayar lunas paling lambat 24 jam" in order.terms_accepted


def test_a_double_submit_makes_one_order(client, campaign, form_data):
    first = _post(client, campaign, form_data)
    second = _post(client, campaign, form_data)
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1


def test_without_accepting_the_terms_nothing_is_ordered(client, campaign, form_data):
    form_data.pop("terms")
    response = _post(client, campaign, form_data)
    assert response.status_code == 422
    assert "Mohon baca dan setujui ketentuan PO." in response.content.decode()
    assert Order.objects.count() == 0


def test_an_invalid_number_is_explained_and_the_rest_is_kept(client, campaign, form_data):
    form_data["phone"] = "12345"
    response = _post(client, campaign, form_data)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Masukkan nomor WhatsApp yang benar" in html
    assert 'value="Sari Wulandari"' in html and 'value="form-key-1"' in html
    assert Order.objects.count() == 0


def test_no_items_is_explained(client, campaign, variants, form_data):
    form_data[f"qty_{variants[0].pk}"] = "0"
    form_data[f"qty_{variants[1].pk}"] = ""
    response = _post(client, campaign, form_data)
    assert response.status_code == 422
    assert "Pilih minimal satu item." in response.content.decode()


def test_asking_for_more_than_is_left_is_refused_with_the_number_left(
    client, campaign, variants, form_data
):
    form_data[f"qty_{variants[0].pk}"] = "21"
    response = _post(client, campaign, form_data)
    assert response.status_code == 409
    assert "hanya tersisa 20" in response.content.decode()
    assert Order.objects.count() == 0


def test_with_htmx_errors_come_back_as_the_form_alone(client, campaign, form_data):
    form_data.pop("terms")
    response = _post(client, campaign, form_data, HX_Request="true")
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith("<form") and "<html" not in html


def test_with_htmx_success_redirects_through_a_header(client, campaign, form_data):
    response = _post(client, campaign, form_data, HX_Request="true")
    order = Order.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/o/{order.secret}/"


def test_too_many_orders_from_one_address_get_a_friendly_page(
    client, campaign, form_data, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order": (3, 60)}
    for number in range(3):
        form_data["idempotency_key"] = f"k{number}"
        assert _post(client, campaign, form_data).status_code == 302
    form_data["idempotency_key"] = "k-last"
    response = _post(client, campaign, form_data)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Order.objects.count() == 3


def test_a_closed_po_refuses_the_post(client, shop, now, form_data, campaign):
    from openpo.catalog.services import close_campaign

    close_campaign(campaign=campaign, now=now)
    response = _post(client, campaign, form_data)
    assert response.status_code == 409
    assert Order.objects.count() == 0


def test_the_form_needs_a_csrf_token(campaign, form_data):
    from django.test import Client

    response = _post(Client(enforce_csrf_checks=True), campaign, form_data)
    assert response.status_code == 403
    assert Order.objects.count() == 0


# A buyer hears about a shop's next POs only when they ticked the box for it.
def test_a_buyer_who_ticks_the_box_opts_in(client, campaign, form_data):
    _post(client, campaign, {**form_data, "wants_updates": "on"})
    assert Customer.objects.get().reminders_opt_in is True


def test_no_tick_means_no_news_and_a_later_order_without_it_keeps_the_choice(
    client, campaign, form_data
):
    _post(client, campaign, form_data)
    assert Customer.objects.get().reminders_opt_in is False

    _post(client, campaign, {**form_data, "wants_updates": "on", "idempotency_key": "k2"})
    _post(client, campaign, {**form_data, "idempotency_key": "k3"})
    assert Customer.objects.get().reminders_opt_in is True


# A buyer at the button sees that something needs fixing and is led to it, without JavaScript
# too: the summary sits right above the button, the first problem takes the focus.
def test_a_missing_field_is_listed_above_the_button_and_takes_the_focus(
    client, campaign, form_data
):
    form_data["city"] = form_data["postal_code"] = ""
    response = _post(client, campaign, form_data)

    html = response.content.decode()
    page = FormPage(html)
    assert response.status_code == 422
    assert summary_right_above_a_button(html)
    assert page.summary_links == ["#id_city", "#id_postal_code"]
    assert (page.focused, page.invalid) == ("id_city", ["city", "postal_code"])
    assert not Order.objects.exists()


def test_a_wrong_quantity_leads_first_as_it_comes_first_on_the_page(
    client, campaign, variants, form_data
):
    form_data["name"] = ""
    form_data[f"qty_{variants[1].pk}"] = "-1"
    page = FormPage(_post(client, campaign, form_data).content.decode())

    assert page.focused == f"id_qty_{variants[1].pk}"
    assert page.summary_links == [f"#id_qty_{variants[1].pk}", "#id_name"]


def test_more_than_is_left_is_said_above_the_button_which_takes_the_focus(
    client, campaign, variants, form_data
):
    form_data[f"qty_{variants[0].pk}"] = "21"
    response = _post(client, campaign, form_data)

    html = response.content.decode()
    page = FormPage(html)
    assert response.status_code == 409
    assert summary_right_above_a_button(html)
    assert "hanya tersisa 20" in page.summary_text
    assert page.autofocused == [page.summary]
    assert not Order.objects.exists()


def test_unaccepted_terms_lead_to_the_checkbox(client, campaign, form_data):
    form_data.pop("terms")
    page = FormPage(_post(client, campaign, form_data).content.decode())

    assert (page.focused, page.invalid) == ("id_terms", ["terms"])
    assert "Mohon baca dan setujui ketentuan PO." in page.summary_text


def test_with_htmx_the_form_comes_back_with_the_same_summary_and_focus(client, campaign, form_data):
    form_data["city"] = ""
    response = _post(client, campaign, form_data, HX_Request="true")

    html = response.content.decode()
    assert summary_right_above_a_button(html)
    assert FormPage(html).focused == "id_city"
