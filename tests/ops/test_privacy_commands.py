"""The operator's doors to the same two things: `openpo export_shop SHOP [--to DIR]` writes the
shop's archive (path alone on the last line, readable by its owner only, audited), and
`openpo erase_buyer SHOP CUSTOMER_ID` erases a buyer (refused for an order in progress
without `--confirm-in-progress`, another shop's buyer unknown, a second run a no-op)."""

import csv
import io
import json
import stat
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from openpo.core.models import AuditEvent
from openpo.orders.archive import _snapshot
from openpo.orders.models import Customer, Order
from tests import factories
from tests.dashboard.test_erasure import (  # noqa: F401 (_forget_endpoints: autouse)
    World,
    _forget_endpoints,
    assert_others_untouched,
    assert_sari_is_erased,
    build_world,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(shop, other_shop, alice, now) -> World:
    return build_world(shop, other_shop, alice, now)


def _run(*args) -> list[str]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db(transaction=True)  # as the operator runs it: no test transaction around
def test_export_shop_writes_the_archive_and_prints_its_path(world, tmp_path):
    lines = _run("export_shop", "toko-alice", "--to", str(tmp_path / "exports"))

    path = Path(lines[-1])
    assert path.parent == tmp_path / "exports" and path.name.startswith("openpo-toko-alice-")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob("*.part"))
    with zipfile.ZipFile(path) as archive:
        orders = list(csv.DictReader(io.StringIO(archive.read("orders.csv").decode("utf-8-sig"))))
        assert {row["code"] for row in orders} == {world.sari_order.code, world.budi_order.code}
        assert any(name.startswith("proofs/") for name in archive.namelist())
    event = AuditEvent.objects.get(action="shop.exported")
    assert event.actor is None and event.actor_label == "operator"


@pytest.mark.django_db(transaction=True)
def test_the_archive_is_read_from_one_snapshot(world):
    """An order placed while the archive is read is in none of its files (it would otherwise
    be in order_lines.csv without its row in orders.csv)."""
    campaign = world.sari_order.campaign

    def place_another() -> None:
        try:
            factories.order(campaign, buyer=factories.buyer(9))
        finally:
            connection.close()

    with _snapshot():
        before = Order.objects.count()
        writer = threading.Thread(target=place_another)
        writer.start()
        writer.join(timeout=30)
        seen_inside = Order.objects.count()
    assert not writer.is_alive()
    assert seen_inside == before
    assert Order.objects.count() == before + 1


def test_export_shop_twice_in_a_second_keeps_both(world, tmp_path):
    first = _run("export_shop", "toko-alice", "--to", str(tmp_path), "--no-files")[-1]
    second = _run("export_shop", "toko-alice", "--to", str(tmp_path), "--no-files")[-1]

    assert first != second and Path(first).exists() and Path(second).exists()


def test_export_shop_refuses_an_unknown_shop(db, tmp_path):
    with pytest.raises(CommandError, match="toko-entah"):
        call_command("export_shop", "toko-entah", "--to", str(tmp_path))

    assert not list(tmp_path.iterdir())


def test_erase_buyer_erases_and_prints_what_it_changed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lines = _run("erase_buyer", "toko-alice", str(world.sari.pk))

    summary = json.loads(lines[-1])
    assert summary["customer_id"] == world.sari.pk and summary["orders"] == 1
    assert summary["proof_files"] == 1 and not summary["already_erased"]
    assert_sari_is_erased(world)
    assert_others_untouched(world)
    event = AuditEvent.objects.get(action="customer.erased")
    assert event.actor_label == "operator" and event.subject_id == str(world.sari.pk)


def test_erase_buyer_a_second_time_changes_nothing(world):
    _run("erase_buyer", "toko-alice", str(world.sari.pk))

    summary = json.loads(_run("erase_buyer", "toko-alice", str(world.sari.pk))[-1])

    assert summary["already_erased"] and summary["orders"] == 0
    assert AuditEvent.objects.filter(action="customer.erased").count() == 1


def test_erase_buyer_does_not_reach_another_shops_buyer(world):
    other_buyer = world.other_order.customer_id

    with pytest.raises(CommandError, match=str(other_buyer)):
        call_command("erase_buyer", "toko-alice", str(other_buyer))

    assert Customer.objects.get(pk=other_buyer).name == "Sari di Toko Lain"


def test_erase_buyer_needs_the_flag_for_an_order_in_progress(world):
    factories.pay(world.budi_order)

    with pytest.raises(CommandError, match="--confirm-in-progress"):
        call_command("erase_buyer", "toko-alice", str(world.budi.pk))
    assert Customer.objects.get(pk=world.budi.pk).name == "Budi Santoso"

    lines = _run("erase_buyer", "toko-alice", str(world.budi.pk), "--confirm-in-progress")

    assert json.loads(lines[-1])["in_progress"] == [world.budi_order.code]
    assert Customer.objects.get(pk=world.budi.pk).name == f"Anonim #{world.budi.pk}"
