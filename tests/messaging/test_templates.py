"""Message templates: every event has an Indonesian and an English default using only its own
placeholders; a seller's wording is checked on save and used instead of the default."""

import pytest

from openpo.messaging.models import MessageTemplate
from openpo.messaging.rendering import InvalidTemplate, check_template, render
from openpo.messaging.services import reset_template, save_template
from openpo.messaging.templates_default import EVENTS, LANGUAGES, default_template

pytestmark = pytest.mark.django_db

EXPECTED_EVENTS = {
    "order_received",
    "payment_reminder",
    "payment_confirmed",
    "payment_rejected",
    "po_opens",
    "po_closing_soon",
    "po_closed",
    "moq_failed_refund",
    "production_update",
    "shipped",
    "settlement_reminder",
    "custom_broadcast",
}


def test_every_event_has_an_indonesian_and_an_english_default_that_passes_its_own_check():
    assert set(EVENTS) >= EXPECTED_EVENTS
    for event in EVENTS:
        for language in LANGUAGES:
            subject, body = default_template(event, language)
            check_template(event, subject, body)
        assert default_template(event, "id") != default_template(event, "en")


def test_an_unknown_placeholder_is_named_in_the_field_error():
    with pytest.raises(InvalidTemplate) as caught:
        check_template("order_received", "Pesanan {kode}", "Halo {nama}, resi {resi}")

    assert list(caught.value.field_errors) == ["body"]
    assert "{resi}" in str(caught.value.field_errors["body"][0])


def test_an_unclosed_brace_is_a_mistake_in_subject_or_body():
    with pytest.raises(InvalidTemplate) as caught:
        check_template("shipped", "Resi {resi", "Halo {nama}, resi: {resi}}")

    assert set(caught.value.field_errors) == {"subject", "body"}


def test_an_empty_body_is_refused():
    with pytest.raises(InvalidTemplate) as caught:
        check_template("shipped", "Resi", "  ")

    assert "body" in caught.value.field_errors


def test_a_saved_template_replaces_the_default_in_the_shops_language(shop):
    save_template(
        shop=shop,
        event="shipped",
        language="id",
        subject="Paket {kode} meluncur",
        body="Kak {nama}, resi {resi}. Salam, {toko}",
    )

    subject, body = render("shipped", shop, {"nama": "Sari", "kode": "PO-1", "resi": "JNE1"})

    assert subject == "Paket PO-1 meluncur"
    assert body == "Kak Sari, resi JNE1. Salam, Toko Alice"


def test_a_template_with_mistakes_is_not_saved(shop):
    with pytest.raises(InvalidTemplate):
        save_template(shop=shop, event="shipped", language="id", subject="x", body="{tracking}")

    assert not MessageTemplate.objects.exists()


def test_resetting_goes_back_to_the_default(shop):
    save_template(shop=shop, event="shipped", language="id", subject="S", body="B {resi}")

    assert reset_template(shop=shop, event="shipped", language="id") is True
    assert render("shipped", shop, {"resi": "X"})[0].startswith("Pesanan")
    assert reset_template(shop=shop, event="shipped", language="id") is False


def test_an_english_shop_gets_english_defaults(shop):
    shop.message_language = "en"

    subject, _body = render("order_received", shop, {"kode": "PO-9"})

    assert subject == "Order PO-9 received"
