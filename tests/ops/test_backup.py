"""`openpo backup` and `openpo restore` as an operator runs them: real child processes against
the test database (SQLite, or the throwaway PostgreSQL server with `--postgres`).

The main test takes a backup while a thread keeps placing orders, restores it into a new, empty
database and data folder, and reads the restored shop back through the ORM in another child:
every order committed before the backup started is there with its lines and payments, the quota
counters agree with the lines, and the photo and the payment proof came back.
"""

import io
import json
import subprocess
import sys
import tarfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from openpo.catalog.models import ProductPhoto
from openpo.ops.backup import backup_name, to_prune
from tests import factories
from tests.conftest import make_campaign
from tests.workerprocess import database_url, worker_env

# Read back in a child process from the restored database: every order with its lines, units and
# payments; each variant's and PO's reserved units against the standing orders' lines; whether
# each uploaded file the rows name is on disk.
CHECK = """
import json
from django.db.models import Sum
from openpo.catalog.models import Campaign, ProductPhoto, Variant
from openpo.orders.models import Order, OrderLine
from openpo.payments.models import Payment, PaymentProof

standing = OrderLine.objects.filter(order__status=Order.Status.ACTIVE)
print(json.dumps({
    "orders": {
        o.code: [o.lines.count(), sum(l.quantity for l in o.lines.all()), o.payments.count()]
        for o in Order.objects.prefetch_related("lines", "payments")
    },
    "variants_agree": all(
        v.reserved_units == (standing.filter(variant=v).aggregate(n=Sum("quantity"))["n"] or 0)
        for v in Variant.objects.all()
    ),
    "campaigns_agree": all(
        c.reserved_units
        == (standing.filter(order__campaign=c).aggregate(n=Sum("quantity"))["n"] or 0)
        for c in Campaign.objects.all()
    ),
    "confirmed": Payment.objects.filter(status=Payment.Status.CONFIRMED).count(),
    "files": [
        f.storage.exists(f.name)
        for f in [p.image for p in ProductPhoto.objects.all()]
        + [p.file for p in PaymentProof.objects.all()]
    ],
}))
"""


def _openpo(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "openpo", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _empty_database(tmp_path: Path, name: str) -> str:
    """The URL of a new, empty database beside the test's own."""
    if connection.vendor == "sqlite":
        (tmp_path / name).mkdir()
        return f"sqlite:///{tmp_path / name / 'openpo.sqlite3'}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    return database_url().rsplit("/", 1)[0] + f"/{name}"


def _drop(name: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def restored_db(tmp_path):
    name = f"restored_{int(time.time() * 1000)}"
    yield name, _empty_database(tmp_path, name)
    _drop(name)


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_orders_stream_in_restores_every_order_committed_before_it(
    shop, now, tmp_path, restored_db, record_property
):
    campaign = make_campaign(shop, now=now, quotas=(5_000, None))
    first, second = campaign.variants.order_by("pk")
    product = first.product
    photo = ProductPhoto(product=product)
    photo.image.save("kaos.png", ContentFile(factories.png()), save=True)
    paid = factories.paid_order(campaign, buyer=factories.buyer(9001), units=2)
    claimed = factories.order(campaign, buyer=factories.buyer(9002), variant=second)
    factories.claimed(claimed)

    committed: list[tuple[float, str]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def stream() -> None:
        number = 0
        try:
            while not stop.is_set():
                number += 1
                placed = factories.order(
                    campaign, buyer=factories.buyer(number), items={first.pk: 1, second.pk: 2}
                )
                committed.append((time.monotonic(), placed.code))
        except BaseException as error:  # reported below; the thread must not die silently
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=stream)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(committed) < 20 and time.monotonic() < deadline and not errors:
            time.sleep(0.05)
        env = worker_env(tmp_path)
        started = time.monotonic()
        result = _openpo(env, "backup", "--to", str(tmp_path / "backups"))
        finished = time.monotonic()
        # Orders keep coming after the backup too.
        during = len(committed)
        deadline = time.monotonic() + 30
        while len(committed) < during + 10 and time.monotonic() < deadline and not errors:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(60)
    assert errors == []
    assert result.returncode == 0, result.stderr
    archive = Path(result.stdout.strip().splitlines()[-1])
    assert archive.parent == tmp_path / "backups"
    assert archive.name.startswith("openpo-backup-") and archive.stat().st_mode & 0o077 == 0

    before = {code for moment, code in committed if moment < started}
    after = {code for moment, code in committed if moment > finished}
    assert len(before) >= 20 and after

    _name, url = restored_db
    target_dir = tmp_path / "restored-data"
    restore_env = {**env, "OPENPO_DATABASE_URL": url, "OPENPO_DATA_DIR": str(target_dir)}
    restored = _openpo(restore_env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "dipulihkan" in restored.stdout

    check = _openpo(restore_env, "shell", "-c", CHECK)
    assert check.returncode == 0, check.stderr
    found = json.loads(check.stdout.strip().splitlines()[-1])
    orders = found["orders"]
    # Every order committed before the backup began is there, with both its lines (3 units) and
    # no payment; what came after the backup ended is not.
    assert before <= set(orders)
    assert all(orders[code] == [2, 3, 0] for code in before)
    assert not after & set(orders)
    assert orders[paid.code] == [1, 2, 1] and found["confirmed"] == 1
    assert orders[claimed.code][2] == 1
    assert found["variants_agree"] and found["campaigns_agree"]
    assert found["files"] == [True, True]
    assert (target_dir / "private").is_dir()
    record_property(
        "result",
        f"{connection.vendor}: backup in {finished - started:.2f} s while "
        f"{during - len(before)} orders were placed; {len(orders)} orders restored",
    )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(shop, now, tmp_path):
    campaign = make_campaign(shop, now=now)
    factories.order(campaign)
    env = worker_env(tmp_path)
    result = _openpo(env, "backup", "--to", str(tmp_path / "backups"))
    assert result.returncode == 0, result.stderr
    archive = result.stdout.strip().splitlines()[-1]

    # Into the very database it came from: that one holds tables.
    refused = _openpo(env, "restore", archive)
    assert refused.returncode != 0
    assert "kosong" in refused.stderr  # "restore only into an empty database", in Indonesian
    assert "Traceback" not in refused.stderr


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_or_foreign_file_before_writing_anything(
    shop, now, tmp_path, restored_db
):
    campaign = make_campaign(shop, now=now)
    factories.order(campaign)
    env = worker_env(tmp_path)
    result = _openpo(env, "backup", "--to", str(tmp_path / "backups"))
    archive = Path(result.stdout.strip().splitlines()[-1])

    # The same backup with its database swapped for other bytes (the manifest unchanged).
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("database."):
                data = b"x" * len(data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    not_a_backup = tmp_path / "orders.csv"
    not_a_backup.write_text("kode,nama\nA1,Budi\n")

    _name, url = restored_db
    target_dir = tmp_path / "restored-data"
    restore_env = {**env, "OPENPO_DATABASE_URL": url, "OPENPO_DATA_DIR": str(target_dir)}
    for bad, words in ((damaged, "rusak"), (not_a_backup, "cadangan")):
        refused = _openpo(restore_env, "restore", str(bad))
        assert refused.returncode != 0
        assert words in refused.stderr and "Traceback" not in refused.stderr
    # Nothing was written: the target database is still empty, no upload landed.
    assert not [p for p in target_dir.rglob("*") if p.is_file() and "media" in p.parts]
    check = _openpo(
        restore_env,
        "shell",
        "-c",
        "from openpo.ops.backup import database_tables;print(len(database_tables()))",
    )
    assert check.stdout.strip().splitlines()[-1] == "0"


def test_backup_names_never_collide_and_sort_by_time(tmp_path):
    moment = datetime(2026, 12, 5, 22, 15, 0, tzinfo=UTC)
    first = backup_name(moment, tmp_path)
    first.write_bytes(b"")
    second = backup_name(moment, tmp_path)
    assert first.name == "openpo-backup-20261205T221500Z.tar.gz"
    assert second.name == "openpo-backup-20261205T221500Z-2.tar.gz"


def test_retention_keeps_the_newest_of_each_recent_day_and_week(tmp_path):
    # Two backups a day, 01:00 and 13:00, from Sunday 1 to Monday 30 November 2026.
    start = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    backups = [
        (start + timedelta(days=day, hours=hours), tmp_path / f"b-{day + 1:02d}-{hours}")
        for day in range(30)
        for hours in (0, 12)
    ]
    doomed = set(to_prune(backups, daily=7, weekly=4))
    kept = sorted(path.name for _moment, path in backups if path not in doomed)
    # The newest of each of the last 7 days (24-30 Nov), and of each of the last 4 ISO weeks:
    # week 49 (30 Nov) and 48 (29 Nov) are among those days already, week 47 ends on Sunday
    # 22 Nov, week 46 on Sunday 15 Nov.
    assert kept == [f"b-{day:02d}-12" for day in (15, 22, 24, 25, 26, 27, 28, 29, 30)]
    # Nothing asked to be kept: only the newest survives.
    assert set(to_prune(backups, daily=0, weekly=0)) == {path for _m, path in backups[:-1]}
    assert to_prune([], daily=1, weekly=1) == []


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_prunes_old_backups_when_asked(tmp_path, now):
    folder = tmp_path / "backups"
    folder.mkdir()
    old_times = [timezone.now() - timedelta(days=days) for days in (40, 20, 3, 2, 1)]
    for moment in old_times:
        backup_name(moment, folder).write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup")
    env = worker_env(tmp_path)
    result = _openpo(env, "backup", "--to", str(folder), "--keep-daily", "2", "--keep-weekly", "0")
    assert result.returncode == 0, result.stderr
    left = sorted(p.name for p in folder.iterdir())
    # The new backup, yesterday's and nothing older; the text file is left alone.
    assert len(left) == 3 and "notes.txt" in left
    assert Path(result.stdout.strip().splitlines()[-1]).name in left
