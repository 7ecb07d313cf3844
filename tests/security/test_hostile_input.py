"""Hostile input at every door: the public order form, the JSON API and the seller's forms.

Each case sends one bad value and asserts what a person (or a client) would see: the status,
the error in the door's shape (a message beside the field on a page; `{"code", "message",
"errors"}` with the field's key from the API), that no row was written anywhere, and that
what a later request reads (the PO as the API shows it, the order's page) did not change.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.cache import cache
from django.utils import timezone

from openpo.orders.services import place_order
from openpo.payments.services import claim_payment
from tests.dashboard.editor.test_editor import new_po_data

pytestmark = pytest.mark.django_db

NUL = "\x00"
ESC = "\x1b"
RLO = "\u202e"  # right-to-left override: "gpj.exe" read as "exe.jpg"
BELL = "\x07"


def _rows() -> dict[str, int]:
    """How many rows every model of OpenPO holds (the audit trail and the outbox included)."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("openpo.")
    }


@dataclass
class World:
    client: object
    campaign: object
    variants: list
    order: object
    payment: object
    shop: object
    alice: object

    def public_state(self) -> str:
        """What a later buyer reads: the PO through the API and the order's page."""
        po = self.client.get(f"/api/v1/public/{self.shop.slug}/{self.campaign.slug}")
        page = self.client.get(f"/o/{self.order.secret}/")
        return po.content.decode() + str(page.status_code) + str(len(page.content))


@pytest.fixture
def world(client, campaign, variants, buyer, shop, alice, now) -> World:
    order = place_order(
        terms_accepted=True, campaign=campaign, buyer=buyer, items={variants[0].pk: 1}
    )
    payment = claim_payment(order=order)
    return World(client, campaign, variants, order, payment, shop, alice)


# --- The public order form -------------------------------------------------------------------


def order_form(world: World, **changes) -> dict:
    data = {
        f"qty_{world.variants[0].pk}": "1",
        "name": "Sari Wulandari",
        "phone": "0813-4444-5555",
        "email": "",
        "province": "Jawa Barat",
        "city": "Bandung",
        "address": "Jl. Melati No. 5",
        "postal_code": "40115",
        "notes": "",
        "terms": "on",
        "idempotency_key": "hostile-form",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key if not key.startswith("qty") else f"qty_{world.variants[0].pk}", None)
        elif key == "qty":
            data[f"qty_{world.variants[0].pk}"] = value
        else:
            data[key] = value
    return data


FORM_CASES = {
    "name with a NUL byte": ({"name": f"Sari{NUL}"}, "name"),
    "name with an escape sequence": ({"name": f"Sari{ESC}[31m"}, "name"),
    "name with a right-to-left override": ({"name": f"Sari {RLO}gpj.exe"}, "name"),
    "name of spaces only": ({"name": "    "}, "name"),
    "name with a line break": ({"name": "Sari\nAdmin"}, "name"),
    "address left empty": ({"address": ""}, "address"),
    "address of spaces and line breaks": ({"address": "  \n \r\n "}, "address"),
    "address with a NUL byte": ({"address": f"Jl. Melati{NUL} 5"}, "address"),
    "city with a line break": ({"city": "Bandung\r\nJakarta"}, "city"),
    "notes with a bell": ({"notes": f"cepat{BELL}"}, "notes"),
    "phone of letters": ({"phone": "nomor saya"}, "phone"),
    "phone with a NUL byte": ({"phone": f"0813{NUL}44445555"}, "phone"),
    "postal code of four digits": ({"postal_code": "4011"}, "postal_code"),
    "province not in the list": ({"province": "Atlantis"}, "province"),
    "email that is not one": ({"email": "sari@"}, "email"),
    "negative quantity": ({"qty": "-1"}, "qty"),
    "quantity as a word": ({"qty": "dua"}, "qty"),
    "quantity of ten digits": ({"qty": "9999999999"}, "qty"),
    "terms not accepted": ({"terms": None}, "terms"),
    "form key with a control character": ({"idempotency_key": f"k{ESC}"}, "idempotency_key"),
}


@pytest.mark.parametrize("case", FORM_CASES, ids=list(FORM_CASES))
def test_the_order_form_refuses(world, case):
    changes, field_name = FORM_CASES[case]
    before, seen = _rows(), world.public_state()

    response = world.client.post(
        f"/{world.shop.slug}/{world.campaign.slug}/order/", order_form(world, **changes)
    )

    assert response.status_code == 422, case
    html = response.content.decode()
    target = f"qty_{world.variants[0].pk}" if field_name == "qty" else field_name
    if field_name == "idempotency_key":
        assert "karakter kontrol" in html  # a hidden field's error is shown above the form
    else:
        block = html.split(f'name="{target}"', 1)[0].rsplit('<div class="field', 1)[-1]
        after = html.split(f'name="{target}"', 1)[1].split("</div>", 2)
        assert "error" in block + "".join(after[:2]), case
    assert _rows() == before, case
    assert world.public_state() == seen, case


# --- The JSON API ----------------------------------------------------------------------------


def api_body(world: World, **changes) -> dict:
    body = {
        "name": "Sari Wulandari",
        "phone": "0813-4444-5555",
        "email": "",
        "address": "Jl. Melati No. 5",
        "city": "Bandung",
        "province": "Jawa Barat",
        "postal_code": "40115",
        "notes": "",
        "items": [{"sku": world.variants[0].sku, "quantity": 1}],
    }
    for key, value in changes.items():
        if key == "quantity":
            body["items"] = [{"sku": world.variants[0].sku, "quantity": value}]
        elif value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


@dataclass
class ApiCase:
    changes: dict = field(default_factory=dict)
    status: int = 422
    code: str = "invalid"
    key: str | None = None  # the key of `errors` that names the problem
    raw: bytes | None = None  # sent as is instead of a JSON body
    content_type: str = "application/json"


API_CASES = {
    "malformed JSON": ApiCase(raw=b'{"name": "Sari",', status=400, code="malformed_json"),
    "a form-encoded body": ApiCase(
        raw=b"name=Sari&phone=0813",
        content_type="application/x-www-form-urlencoded",
        status=415,
        code="unsupported_media_type",
    ),
    "a list instead of an object": ApiCase(raw=b"[1, 2]", key="body"),
    "name with a NUL byte": ApiCase({"name": f"Sari{NUL}"}, key="name"),
    "name with a lone surrogate": ApiCase(
        raw=b'{"name": "Sari\\ud800", "phone": "081344445555", "address": "Jl. A 1",'
        b' "city": "Bandung", "province": "Jawa Barat", "postal_code": "40115",'
        b' "items": [{"sku": "SKU", "quantity": 1}]}',
        key="name",
    ),
    "name with a right-to-left override": ApiCase({"name": f"{RLO}Sari"}, key="name"),
    "name of 101 letters": ApiCase({"name": "S" * 101}, key="name"),
    "address left empty": ApiCase({"address": ""}, key="address"),
    "address of spaces": ApiCase({"address": "   \n  "}, key="address"),
    "city with a line break": ApiCase({"city": "Bandung\nJakarta"}, key="city"),
    "notes with a bell": ApiCase({"notes": f"cepat{BELL}"}, key="notes"),
    "email that is not one": ApiCase({"email": "sari@"}, key="email"),
    "phone of letters": ApiCase({"phone": "abc"}, key="phone"),
    "quantity -3": ApiCase({"quantity": -3}, key="items.0.quantity"),
    "quantity 0": ApiCase({"quantity": 0}, key="items.0.quantity"),
    "quantity 1.5": ApiCase({"quantity": 1.5}, key="items.0.quantity"),
    "quantity as a word": ApiCase({"quantity": "dua"}, key="items.0.quantity"),
    "quantity true": ApiCase({"quantity": True}, key="items.0.quantity"),
    "quantity of 10001": ApiCase({"quantity": 10_001}, key="items.0.quantity"),
    "no items at all": ApiCase({"items": []}, key="items"),
    "items missing": ApiCase({"items": ...}, key="items"),
    "an unknown SKU": ApiCase({"items": [{"sku": "TIDAK-ADA", "quantity": 1}]}, key="items.0.sku"),
}


@pytest.mark.parametrize("case", API_CASES, ids=list(API_CASES))
def test_the_api_refuses(world, case):
    spec = API_CASES[case]
    before, seen = _rows(), world.public_state()
    raw = spec.raw if spec.raw is not None else json.dumps(api_body(world, **spec.changes))
    if isinstance(raw, bytes):
        raw = raw.replace(b'"SKU"', json.dumps(world.variants[0].sku).encode())

    response = world.client.post(
        f"/api/v1/public/{world.shop.slug}/{world.campaign.slug}/orders",
        raw,
        content_type=spec.content_type,
        headers={"Idempotency-Key": f"hostile-{case}"},
    )

    assert response.status_code == spec.status, (case, response.content)
    answer = response.json()
    assert set(answer) <= {"code", "message", "errors"} and answer["message"], answer
    assert answer["code"] == spec.code, answer
    if spec.key:
        assert spec.key in answer["errors"], answer
        assert all(isinstance(m, str) and m for m in answer["errors"][spec.key])
    assert _rows() == before, case
    assert world.public_state() == seen, case


# --- The seller's forms ----------------------------------------------------------------------


def _dashboard_cases(world: World) -> dict[str, tuple[str, dict, int, str]]:
    """Per case: the URL, the POST data, the status, and a text the answer must show."""
    order, campaign, payment = world.order, world.campaign, world.payment
    variant = world.variants[0]
    too_large = "lebih dari Rp 1.000.000.000"
    control = "karakter kontrol"
    null = "Karakter null tidak diizinkan"  # Django's own check for NUL, before ours
    return {
        "cash of Rp 99.999.999.999": (
            f"/dashboard/orders/{order.pk}/payments/new/",
            {"amount": "99.999.999.999"},
            422,
            too_large,
        ),
        "cash of minus five": (
            f"/dashboard/orders/{order.pk}/payments/new/",
            {"amount": "-5"},
            422,
            "errorlist",
        ),
        "cash note with a NUL byte": (
            f"/dashboard/orders/{order.pk}/payments/new/",
            {"amount": "1000", "note": f"tunai{NUL}"},
            422,
            null,
        ),
        "a reason of spaces only": (
            f"/dashboard/payments/{payment.pk}/reject/",
            {"reason": "    "},
            302,
            "",
        ),
        "an account holder with an escape": (
            "/dashboard/settings/accounts/add/",
            {
                "account-bank_name": "BCA",
                "account-account_number": "1234567890",
                "account-account_holder": f"Alice{ESC}",
            },
            422,
            control,
        ),
        "a PO title with a NUL byte": (
            "/dashboard/po/new/",
            new_po_data(world.shop, timezone.now(), title=f"PO{NUL}"),
            422,
            null,
        ),
        "a product name with a right-to-left override": (
            f"/dashboard/po/product/{variant.product_id}/edit/",
            {f"p{variant.product_id}-name": f"Kaos {RLO}"},
            422,
            control,
        ),
        "a price as a word": (
            f"/dashboard/po/variant/{variant.pk}/edit/",
            {f"v{variant.pk}-price": "mahal", f"v{variant.pk}-is_active": "on"},
            422,
            "Masukkan bilangan bulat",
        ),
        "an internal note with an escape": (
            f"/dashboard/orders/{order.pk}/notes/",
            {"text": f"catatan{ESC}"},
            302,
            control,
        ),
        "a buyer edit without an address": (
            f"/dashboard/orders/{order.pk}/edit/",
            {"name": "Sari", "phone": "0813 2222 3333", "address": "  "},
            200,
            "errorlist",
        ),
        "a broadcast with a right-to-left override": (
            f"/dashboard/po/{campaign.pk}/broadcast/",
            {"body": f"Halo{RLO}", "channel": "whatsapp_manual"},
            422,
            control,
        ),
        "a template with an escape": (
            "/dashboard/messages/templates/edit/?event=shipped&lang=id",
            {"subject": "Dikirim", "body": f"Halo {{nama}}{ESC}"},
            422,
            control,
        ),
        "a refund of Rp 99.999.999.999": (
            f"/dashboard/orders/{order.pk}/refunds/new/",
            {"amount": "99.999.999.999", "no_proof": "on"},
            422,
            too_large,
        ),
    }


DASHBOARD_CASE_NAMES = [
    "cash of Rp 99.999.999.999",
    "cash of minus five",
    "cash note with a NUL byte",
    "a reason of spaces only",
    "an account holder with an escape",
    "a PO title with a NUL byte",
    "a product name with a right-to-left override",
    "a price as a word",
    "an internal note with an escape",
    "a buyer edit without an address",
    "a broadcast with a right-to-left override",
    "a template with an escape",
    "a refund of Rp 99.999.999.999",
]


@pytest.mark.parametrize("case", DASHBOARD_CASE_NAMES)
def test_the_sellers_forms_refuse(world, case):
    world.client.force_login(world.alice)
    url, data, status, shown = _dashboard_cases(world)[case]
    before, seen = _rows(), world.public_state()
    cache.clear()

    response = world.client.post(url, data, follow=status == 302)

    assert response.status_code == (200 if status == 302 else status), case
    if shown:
        assert shown in response.content.decode(), case
    assert _rows() == before, case
    assert world.public_state() == seen, case


def test_there_are_at_least_forty_hostile_cases():
    assert len(FORM_CASES) + len(API_CASES) + len(DASHBOARD_CASE_NAMES) >= 40
