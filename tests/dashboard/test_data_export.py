"""The owner's download of all the shop's data: one ZIP with a CSV per table (UTF-8 with a
byte-order mark), the proof files and a README, holding exactly this shop's rows and none of
another shop's, audited. Staff get 403; another shop's owner gets their own shop's archive."""

import csv
import io
import json
import zipfile

import pytest

from openpo.core.models import AuditEvent
from openpo.orders.models import Order
from openpo.payments.models import PaymentProof
from tests.dashboard.test_erasure import (  # noqa: F401 (_forget_endpoints: autouse)
    World,
    _forget_endpoints,
    build_world,
)

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/settings/export/"
# Only in the other shop's rows: never in alice's archive.
OTHER_SHOPS_WORDS = ("Sari di Toko Lain", "PO Charlie", "toko-charlie", "Toko Charlie")


@pytest.fixture
def world(shop, other_shop, alice, now) -> World:
    return build_world(shop, other_shop, alice, now)


def _archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    raw = archive.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), name  # Excel reads UTF-8 with its BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_page_says_what_the_archive_holds(client, alice, world):
    client.force_login(alice)

    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Unduh semua data toko" in html
    assert "orders.csv" in html and "customers.csv" in html and "messages.csv" in html
    assert "data pribadi" in html  # the warning to keep it safe


def test_the_settings_page_links_to_it(client, alice, shop):
    client.force_login(alice)

    assert PAGE in client.get("/dashboard/settings/").content.decode()


def test_it_downloads_exactly_this_shops_rows(client, alice, world):
    client.force_login(alice)

    response = client.post(PAGE, {"include_files": "on"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="openpo-toko-alice-')
    archive = _archive(response)
    names = set(archive.namelist())
    assert {
        "README.txt",
        "manifest.json",
        "orders.csv",
        "order_lines.csv",
        "customers.csv",
    } <= names
    assert {"payments.csv", "payment_requests.csv", "payment_proofs.csv", "messages.csv"} <= names
    assert {"shipments.csv", "campaigns.csv", "products.csv", "variants.csv"} <= names

    orders = _table(archive, "orders.csv")
    assert {row["code"] for row in orders} == {world.sari_order.code, world.budi_order.code}
    assert "secret" not in orders[0]  # the order page's link stays out
    customers = _table(archive, "customers.csv")
    assert sorted(row["name"] for row in customers) == ["Budi Santoso", "Sari W."]
    sari = next(row for row in customers if row["name"] == "Sari W.")
    assert sari["phone"] == "'+6281322223333"  # defused: a spreadsheet would run "+…"
    lines = _table(archive, "order_lines.csv")
    assert sorted(row["order_code"] for row in lines) == sorted(
        [world.sari_order.code, world.budi_order.code]
    )
    order = next(row for row in orders if row["code"] == world.sari_order.code)
    assert order["address"] == "Jl. Melati No. 7, RT 02" and order["total"] == str(
        world.sari_order.total
    )
    assert order["created_at"].endswith("+07:00")  # the shop's time zone (WIB)
    messages = _table(archive, "messages.csv")
    assert any(row["body"] == "Halo Sari Wulandari, PO baru dibuka!" for row in messages)

    for name in names:
        text = archive.read(name).decode("utf-8", errors="replace")
        for word in OTHER_SHOPS_WORDS:
            assert word not in text, (name, word)

    proof = PaymentProof.objects.get(order=world.sari_order)
    (proof_row,) = _table(archive, "payment_proofs.csv")
    assert archive.read(proof_row["archive_file"]) == proof.file.open("rb").read()

    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["shop"] == "toko-alice" and manifest["files"]["orders.csv"] == 2
    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "Toko Alice" in readme and "orders.csv" in readme and "WIB" in readme


def test_it_leaves_the_proof_files_out_when_asked(client, alice, world):
    client.force_login(alice)

    archive = _archive(client.post(PAGE, {}))

    assert not [name for name in archive.namelist() if name.startswith("proofs/")]
    assert len(_table(archive, "payment_proofs.csv")) == 1  # the proof's row stays


def test_it_is_audited(client, alice, world):
    client.force_login(alice)

    client.post(PAGE, {"include_files": "on"})

    event = AuditEvent.objects.get(action="shop.exported")
    assert event.actor == alice and event.shop_id == world.shop.pk
    assert event.data["proof_files"] == 1 and event.data["rows"] > 10


def test_another_shops_owner_gets_only_their_own(client, charlie, world):
    client.force_login(charlie)

    archive = _archive(client.post(PAGE, {"include_files": "on"}))

    orders = _table(archive, "orders.csv")
    assert [row["code"] for row in orders] == [world.other_order.code]
    everything = " ".join(
        archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
    )
    assert "Budi Santoso" not in everything and "Sari W." not in everything
    assert not AuditEvent.objects.filter(action="shop.exported", shop=world.shop).exists()


def test_staff_cannot_download(client, bob, world):
    client.force_login(bob)

    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"include_files": "on"}).status_code == 403
    assert not AuditEvent.objects.filter(action="shop.exported").exists()


def test_it_needs_a_login(client, world):
    response = client.post(PAGE, {"include_files": "on"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Order.objects.count() == 3  # nothing else happened either
