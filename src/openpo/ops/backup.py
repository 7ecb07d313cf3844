"""Backups that restore: what `openpo backup` writes and `openpo restore` reads back.

A backup is one file, `openpo-backup-20261205T221500Z.tar.gz`, holding

- `database.sqlite3` (SQLite's online backup API: a consistent copy of the file while buyers
  keep ordering) or `database.pgdump` (`pg_dump`'s custom format, taken in a snapshot that the
  row counts below are read in too);
- `media/…` and `private/…`: the public uploads (photos, logos, production photos) and the
  payment proofs, copied after the database, so every file a row of the copy names is there;
- `manifest.json` (last): the format, when, the engine, the migrations applied, the rows of every
  table at the snapshot, and the size and SHA-256 of every other member.

`restore` checks every member against the manifest before it writes anything, refuses a database
that already holds tables, writes the files (an identical file already there is fine, a different
one stops it), then the database (SQLite: the backup API again; PostgreSQL: `pg_restore` in one
transaction), and counts the rows again against the manifest.

The secret key is not in a backup (it would let whoever holds the file forge log-ins): set
`OPENPO_SECRET_KEY` in production, or sellers are logged out after a restore on a new machine.

Retention (`prune`): keep the newest backup of each of the last N days that have one and of each
of the last M ISO weeks; only files named like a backup in that folder are ever deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

FORMAT = "openpo-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
NAME = re.compile(r"^openpo-backup-(\d{8}T\d{6})Z(?:-(\d+))?\.tar\.gz$")
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the reader's language."""


@dataclass(frozen=True)
class Restored:
    """What a restore wrote: the engine, the tables and rows it checked, the files it wrote."""

    engine: str
    tables: int
    rows: int
    files: int
    created: str


def engine() -> str:
    """`sqlite` or `postgresql`: the engine of the default database."""
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def upload_roots() -> dict[str, Path]:
    """Archive folder → the folder on disk it comes from and goes back to."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


# --- Writing a backup -------------------------------------------------------------------------


def backup_name(now: datetime, directory: Path) -> Path:
    """A new file name in `directory` for a backup taken at `now` (UTC), never an existing one."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    path = directory / f"openpo-backup-{stamp}Z.tar.gz"
    number = 2
    while path.exists():
        path = directory / f"openpo-backup-{stamp}Z-{number}.tar.gz"
        number += 1
    return path


def write_backup(directory: Path, *, now: datetime | None = None) -> Path:
    """Take a backup into `directory` (made if missing); the path of the new file.

    The file appears under its final name only when complete (written beside it, then renamed),
    readable by its owner only: it holds every buyer's personal data.
    """
    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    kind = engine()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".openpo-backup-") as scratch:
        scratch_dir = Path(scratch)
        if kind == "sqlite":
            member, counts = SQLITE_MEMBER, _sqlite_snapshot(scratch_dir / SQLITE_MEMBER)
        else:
            member, counts = PG_MEMBER, _pg_snapshot(scratch_dir / PG_MEMBER)
        partial = scratch_dir / "backup.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(fd, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) as tar,
        ):
            members = {member: _add_file(tar, member, scratch_dir / member)}
            for prefix, root in upload_roots().items():
                for relative, path in _files_under(root):
                    added = _add_file(tar, f"{prefix}/{relative}", path)
                    if added is not None:
                        members[f"{prefix}/{relative}"] = added
            manifest = {
                "format": FORMAT,
                "created": now.astimezone(UTC).isoformat(),
                "engine": kind,
                "database": member,
                "migrations": _migrations(),
                "rows": counts,
                "members": members,
            }
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
        final = backup_name(now, directory)
        os.replace(partial, final)
    return final


def _files_under(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


class _Hashing(io.RawIOBase):
    """A file read through, its SHA-256 counted on the way."""

    def __init__(self, handle) -> None:
        self.handle, self.sha256 = handle, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.handle.read(len(buffer))
        self.sha256.update(data)
        buffer[: len(data)] = data
        return len(data)


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict | None:
    """Add `path` as `name`; its size and SHA-256, or None if it vanished meanwhile."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        stat = os.fstat(handle.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _Hashing(handle)
        tar.addfile(info, io.BufferedReader(reader, CHUNK))
        return {"size": stat.st_size, "sha256": reader.sha256.hexdigest()}


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in rows]


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        return {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in _sqlite_tables(db)
        }
    finally:
        db.close()


def _sqlite_snapshot(target: Path) -> dict[str, int]:
    """Copy the live database with SQLite's online backup API; the rows of every table in it."""
    source = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    copy = sqlite3.connect(target)
    try:
        # All pages in one step: the copy is one consistent snapshot (a write in between would
        # make a stepwise copy start over), and WAL readers do not block the shop's writers.
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return _sqlite_counts(target)


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, variable in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST")):
        if db.get(key):
            env[variable] = str(db[key])
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    return env


def pg_program(name: str) -> str:
    """`pg_dump` or `pg_restore`: on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(part) for part in re.findall(r"\d+", p.parts[-3])],
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        _("%(program)s was not found: install PostgreSQL's client programs (postgresql-client).")
        % {"program": name}
    )


def _pg_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_snapshot(target: Path) -> dict[str, int]:
    """`pg_dump -Fc` in a snapshot exported by a repeatable-read transaction that also counts the
    rows: the counts are of exactly what the dump holds."""
    program = pg_program("pg_dump")
    with connection.cursor() as probe:
        probe.execute("SELECT 1")  # connect, so a new connection below shares its settings
    snapshot_connection = connection.copy()
    try:
        snapshot_connection.connect()
        snapshot_connection.set_autocommit(False)
        with snapshot_connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            result = subprocess.run(
                [program, "--format=custom", f"--snapshot={snapshot}", "--file", str(target)],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(
                    _("pg_dump failed: %(error)s") % {"error": result.stderr.strip()[-500:]}
                )
            counts = _pg_counts(cursor)
        snapshot_connection.rollback()
    finally:
        snapshot_connection.close()
    return counts


# --- Retention --------------------------------------------------------------------------------


def backups_in(directory: Path) -> list[tuple[datetime, Path]]:
    """The backups in `directory` by their names, oldest first."""
    found = []
    for path in directory.iterdir() if directory.is_dir() else ():
        match = NAME.match(path.name)
        if match and path.is_file():
            taken = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            found.append((taken, int(match.group(2) or 1), path))
    return [(taken, path) for taken, _n, path in sorted(found)]


def to_prune(backups: list[tuple[datetime, Path]], *, daily: int, weekly: int) -> list[Path]:
    """Of `backups` (oldest first), those that neither the newest of one of the last `daily`
    days nor of one of the last `weekly` ISO weeks; the newest backup is always kept."""
    keep: set[Path] = set()
    days: dict[object, Path] = {}
    weeks: dict[object, Path] = {}
    for taken, path in reversed(backups):  # newest first: the first seen of a day is its newest
        days.setdefault(taken.date(), path)
        weeks.setdefault(taken.isocalendar()[:2], path)
    keep.update(list(days.values())[:daily])
    keep.update(list(weeks.values())[:weekly])
    if backups:
        keep.add(backups[-1][1])
    return [path for _taken, path in backups if path not in keep]


def prune(directory: Path, *, daily: int, weekly: int) -> list[Path]:
    """Delete the backups in `directory` that retention does not keep; the paths deleted."""
    doomed = to_prune(backups_in(directory), daily=daily, weekly=weekly)
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


# --- Restoring --------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.load(tar.extractfile(member))
    except (KeyError, ValueError, AttributeError, TypeError) as error:
        raise BackupError(_("This file is not an OpenPO backup (no manifest).")) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This file is not an OpenPO backup of a format this version reads."))
    return manifest


def _safe_member(name: str) -> bool:
    parts = name.split("/")
    return (
        not name.startswith("/")
        and ".." not in parts
        and "" not in parts
        and (name in {SQLITE_MEMBER, PG_MEMBER} or parts[0] in {"media", "private"})
    )


def _unpack(archive: Path, scratch: Path) -> dict:
    """Every member of `archive` into `scratch`, each checked against the manifest."""
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 (closed by the `with` below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(
            _("%(file)s cannot be read as a backup: %(error)s") % {"file": archive, "error": error}
        ) from error
    with tar:
        manifest = read_manifest(tar)
        expected = manifest.get("members") or {}
        seen = set()
        for member in tar:
            if member.name == MANIFEST:
                continue
            if not member.isfile() or not _safe_member(member.name) or member.name not in expected:
                raise BackupError(
                    _("The backup holds an unexpected entry %(name)s; nothing was restored.")
                    % {"name": member.name}
                )
            target = scratch / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with tar.extractfile(member) as source, target.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(
                    _("%(name)s in the backup is damaged (wrong checksum); nothing was restored.")
                    % {"name": member.name}
                )
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            _("The backup is incomplete (%(name)s is missing); nothing was restored.")
            % {"name": missing[0]}
        )
    return manifest


def database_tables() -> list[str]:
    """The tables the default database holds now."""
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _same_file(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as one, b.open("rb") as other:
        while True:
            left, right = one.read(CHUNK), other.read(CHUNK)
            if left != right:
                return False
            if not left:
                return True


def _uploads(scratch: Path) -> list[tuple[Path, Path]]:
    """(unpacked file, where it goes) for every upload, refusing a different file in the way."""
    moves = []
    for prefix, root in upload_roots().items():
        for relative, path in _files_under(scratch / prefix):
            destination = root / relative
            if destination.exists() and not _same_file(path, destination):
                raise BackupError(
                    _("%(path)s already exists with other contents; nothing was restored.")
                    % {"path": destination}
                )
            moves.append((path, destination))
    return moves


def restore_backup(
    archive: Path, *, progress: Callable[[str], None] = lambda line: None
) -> Restored:
    """Restore `archive` into the empty default database and the upload folders."""
    kind = engine()
    tables = database_tables()
    if tables:
        raise BackupError(
            _(
                "The database already holds %(count)s tables: restore only into an empty "
                "database (a new one, named by OPENPO_DATABASE_URL)."
            )
            % {"count": len(tables)}
        )
    if not archive.is_file():
        raise BackupError(_("There is no file %(file)s.") % {"file": archive})
    root = Path(settings.MEDIA_ROOT).parent
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".openpo-restore-") as scratch:
        scratch_dir = Path(scratch)
        manifest = _unpack(archive, scratch_dir)
        if manifest["engine"] != kind:
            raise BackupError(
                _("This is a backup of a %(backup)s database; the target is %(target)s.")
                % {"backup": manifest["engine"], "target": kind}
            )
        moves = _uploads(scratch_dir)
        progress(
            _("Backup of %(created)s checked: %(count)s files.")
            % {"created": manifest["created"], "count": len(manifest["members"])}
        )
        written = 0
        for source, destination in moves:
            if destination.exists():
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, destination)
            written += 1
        if kind == "sqlite":
            counts = _sqlite_restore(scratch_dir / SQLITE_MEMBER)
        else:
            counts = _pg_restore(scratch_dir / PG_MEMBER)
    expected = manifest["rows"]
    if counts != expected:
        wrong = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
        raise BackupError(
            _("The restored database differs from the backup in %(tables)s.")
            % {"tables": ", ".join(wrong[:5])}
        )
    return Restored(
        engine=kind,
        tables=len(counts),
        rows=sum(counts.values()),
        files=written,
        created=manifest["created"],
    )


def _sqlite_restore(copy: Path) -> dict[str, int]:
    connection.close()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    with contextlib.closing(sqlite3.connect(connection.settings_dict["NAME"])) as check:
        check.execute("PRAGMA journal_mode=WAL")
    return _sqlite_counts(Path(connection.settings_dict["NAME"]))


def _pg_restore(dump: Path) -> dict[str, int]:
    program = pg_program("pg_restore")
    connection.close()
    result = subprocess.run(
        [
            program,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            connection.settings_dict["NAME"],
            str(dump),
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(
            _("pg_restore failed; the database is as it was: %(error)s")
            % {"error": result.stderr.strip()[-500:]}
        )
    with connection.cursor() as cursor:
        return _pg_counts(cursor)
