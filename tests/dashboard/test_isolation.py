"""No shop sees another's data: every dashboard URL, asked with another shop's ids by a member
of a different shop, answers 404 to GET and to POST. The list of URLs comes from the URLconf,
so a new view that forgets the access helper fails here; a new kind of id in a URL must be
added to `_alices_ids` below (the test says so)."""

import pytest
from django.urls import URLPattern, get_resolver

from openpo.catalog.models import Invitation, Material, ProductPhoto
from openpo.catalog.services import add_bank_account, create_shop
from openpo.catalog.services.api_tokens import create_token
from openpo.fulfillment.models import (
    ProductionPhoto,
    ProductionStage,
    ProductionUpdate,
    Reconfirmation,
    ScheduleChange,
    Shipment,
    Testimonial,
)
from openpo.hooks.services import create_endpoint
from openpo.orders.models import OrderNote
from openpo.payments.models import (
    Payment,
    PaymentProof,
    Refund,
    StatementImport,
    StatementLine,
)
from tests import factories
from tests.conftest import make_campaign

pytestmark = pytest.mark.django_db

# Shop-level pages only the owner may use: a staff member gets 403.
OWNER_ONLY = {
    "settings",
    "shop_export",
    "settings_account_add",
    "team_invite",
    "team_member_role",
    "team_member_remove",
    "message_templates",
    "message_template_edit",
    "message_template_reset",
    "webhooks",
}


def _dashboard_patterns() -> list[URLPattern]:
    resolver = get_resolver()
    (dashboard,) = [p for p in resolver.url_patterns if str(p.pattern) == "dashboard/"]
    return list(dashboard.url_patterns)


def _url_with_ids(pattern: URLPattern, ids: dict[str, object]) -> str:
    route = str(pattern.pattern)
    for name, converter in pattern.pattern.converters.items():
        assert name in ids, f"add an id for <{name}> to _alices_ids (URL {route})"
        route = route.replace(f"<{type(converter).__name__[:-9].lower()}:{name}>", str(ids[name]))
        route = route.replace(f"<{name}>", str(ids[name]))
    return "/dashboard/" + route


def _extra_charge(shop, order, now):
    from openpo.payments.models import ExpectedPayment

    return ExpectedPayment.objects.create(
        shop=shop,
        order=order,
        kind=ExpectedPayment.Kind.EXTRA,
        label="Ongkir",
        base_amount=10000,
        unique_code=7,
        amount=10007,
        due_at=now,
        created_at=now,
    )


def _alices_ids(shop, alice, buyer, now) -> dict[str, object]:
    """One object of every kind, all of alice's shop."""
    campaign = make_campaign(shop, now=now)
    variant = campaign.variants.first()
    product = variant.product
    photo = ProductPhoto.objects.create(product=product, image="photos/x.jpg")
    material = Material.objects.create(variant=variant, name="Kain", quantity_per_unit=1, unit="m")
    order = factories.order(campaign, variant=variant, buyer=buyer)
    note = OrderNote.objects.create(order=order, author=alice, text="catatan", created_at=now)
    account = add_bank_account(
        shop=shop, bank_name="BCA", account_number="1234567890", account_holder="Alice"
    )
    invitation = Invitation.objects.create(
        shop=shop, email="x@example.com", token="t" * 43, expires_at=now
    )
    proof = PaymentProof.objects.create(
        order=order, file="1/1/x.png", content_type="image/png", size=1, uploaded_at=now
    )
    payment = Payment.objects.create(
        shop=shop,
        order=order,
        amount=1000,
        status=Payment.Status.CLAIMED,
        source=Payment.Source.PROOF,
        proof=proof,
        received_at=now,
        created_at=now,
    )
    refund = Refund.objects.create(shop=shop, order=order, amount=1, refunded_at=now)
    statement = StatementImport.objects.create(shop=shop, bank_format="bca", imported_at=now)
    line = StatementLine.objects.create(
        shop=shop,
        statement=statement,
        fingerprint="f" * 64,
        posted_on=now.date(),
        amount=1000,
        match=StatementLine.Match.UNMATCHED,
    )
    stage = ProductionStage.objects.create(campaign=campaign, name="Potong", position=1)
    update = ProductionUpdate.objects.create(campaign=campaign, text="Kain datang", created_at=now)
    production_photo = ProductionPhoto.objects.create(update=update, image="production/x.jpg")
    shipment = Shipment.objects.create(
        shop=shop, campaign=campaign, courier="jne", created_at=now, updated_at=now
    )
    shipment.orders.add(order)
    reconfirmation = Reconfirmation.objects.create(
        shop=shop, order=order, reason=Reconfirmation.Reason.NOTE, created_at=now
    )
    schedule_change = ScheduleChange.objects.create(
        campaign=campaign, field="ships_on", new_date=now.date(), reason="hujan", created_at=now
    )
    token, _raw = create_token(shop=shop, user=alice, name="sync")
    endpoint, _secret = create_endpoint(
        shop=shop, url="https://alice.example/hook", events=["order.paid"]
    )
    testimonial = Testimonial.objects.create(
        shop=shop, campaign=campaign, order=order, rating=5, author_name="Rina", created_at=now
    )
    return {
        "stage_id": stage.pk,
        "update_id": update.pk,
        "production_photo_id": production_photo.pk,
        "shipment_id": shipment.pk,
        "reconfirmation_id": reconfirmation.pk,
        "schedule_change_id": schedule_change.pk,
        "testimonial_id": testimonial.pk,
        # An extra charge is an expected payment of kind "extra".
        "charge_id": _extra_charge(shop, order, now).pk,
        "campaign_id": campaign.pk,
        "product_id": product.pk,
        "variant_id": variant.pk,
        "photo_id": photo.pk,
        "material_id": material.pk,
        "order_id": order.pk,
        "customer_id": order.customer_id,
        "note_id": note.pk,
        "account_id": account.pk,
        "invitation_id": invitation.pk,
        "token_id": token.pk,
        "endpoint_id": endpoint.pk,
        "proof_id": proof.pk,
        "payment_id": payment.pk,
        "refund_id": refund.pk,
        "statement_id": statement.pk,
        "line_id": line.pk,
        "shop_slug": shop.slug,
    }


def test_every_dashboard_url_hides_other_shops_objects(client, shop, alice, buyer, now, charlie):
    ids = _alices_ids(shop, alice, buyer, now)
    create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    client.force_login(charlie)

    patterns = [p for p in _dashboard_patterns() if p.pattern.converters]
    assert len(patterns) >= 5
    for pattern in patterns:
        url = _url_with_ids(pattern, ids)
        answers = {client.get(url).status_code, client.post(url).status_code}
        # 405 (method not allowed) is fine for the other method; it says nothing about data.
        assert answers <= {404, 405} and 404 in answers, (url, answers)


def test_staff_cannot_open_owner_only_pages(client, shop, bob):
    client.force_login(bob)  # bob is staff at alice's shop
    names = {p.name for p in _dashboard_patterns()}
    assert names >= OWNER_ONLY
    for pattern in _dashboard_patterns():
        if pattern.name in OWNER_ONLY:
            url = _url_with_ids(pattern, {})
            assert client.get(url).status_code == 403, url
            assert client.post(url).status_code == 403, url


def test_the_dashboard_shows_only_the_members_shop(client, shop, now, charlie, alice):
    make_campaign(shop, now=now, title="PO Alice")
    other = create_shop(name="Toko Charlie", slug="toko-charlie", owner=charlie)
    make_campaign(other, now=now, title="PO Charlie")

    client.force_login(charlie)
    html = client.get("/dashboard/").content.decode()
    assert "PO Charlie" in html and "PO Alice" not in html


def test_the_dashboard_needs_a_login(client):
    for pattern in _dashboard_patterns():
        if pattern.pattern.converters:
            continue
        response = client.get("/dashboard/" + str(pattern.pattern))
        assert response.status_code == 302, pattern.name
        assert response["Location"].startswith("/accounts/login/")
