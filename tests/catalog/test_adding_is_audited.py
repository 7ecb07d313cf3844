"""Adding a product, a photo or a bank account goes through one service each, and each leaves
one audit event, whoever calls it: the dashboard (a seller), the demo or a test (no one)."""

from datetime import timedelta

import pytest

from openpo.catalog.services import (
    add_bank_account,
    add_product,
    add_product_photo,
    create_campaign,
)
from openpo.catalog.services.products import add_product_with_variants
from openpo.core.models import AuditEvent
from tests.catalog.test_editing import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(shop, now):
    return create_campaign(
        shop=shop,
        title="PO Hoodie",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=6),
    )


def _events(action: str, subject) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, subject_type=subject._meta.label_lower, subject_id=str(subject.pk)
        )
    )


@pytest.mark.parametrize("by_alice", [True, False])
def test_adding_a_product_is_audited_once(draft, alice, shop, by_alice):
    product = add_product(campaign=draft, name="Hoodie Basic", actor=alice if by_alice else None)

    [event] = _events("product.added", product)
    assert event.shop_id == shop.pk
    assert event.actor == (alice if by_alice else None)
    assert event.data["name"] == "Hoodie Basic"


def test_adding_a_product_with_variants_and_a_photo_audits_each_part_once(draft, alice):
    product = add_product_with_variants(
        campaign=draft, name="Kaos", price=100_000, sizes=["S", "M"], photo=png(), actor=alice
    )

    [added] = _events("product.added", product)
    [variants] = _events("product.variants_added", product)
    [photo] = _events("photo.added", product.photos.get())
    assert added.actor == variants.actor == photo.actor == alice
    assert variants.data["skus"] == ["KAOS-S", "KAOS-M"]


@pytest.mark.parametrize("by_alice", [True, False])
def test_adding_a_photo_is_audited_once(draft, alice, shop, by_alice):
    product = add_product(campaign=draft, name="Kaos")

    photo = add_product_photo(product=product, image=png(), actor=alice if by_alice else None)

    [event] = _events("photo.added", photo)
    assert event.shop_id == shop.pk
    assert event.actor == (alice if by_alice else None)
    assert photo.alt_text == "Kaos"


@pytest.mark.parametrize("by_alice", [True, False])
def test_adding_a_bank_account_is_audited_once(shop, alice, by_alice):
    account = add_bank_account(
        shop=shop,
        bank_name="BCA",
        account_number="123-456-7890",
        account_holder="Alice",
        actor=alice if by_alice else None,
    )

    [event] = _events("shop.bank_account_added", account)
    assert event.shop_id == shop.pk
    assert event.actor == (alice if by_alice else None)
    assert event.data == {"bank": "BCA", "account_number": "1234567890"}
