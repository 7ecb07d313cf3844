"""Throwaway PostgreSQL server for the test suite.

This module owns the whole life cycle of a private, disposable PostgreSQL
cluster used by the pytest conftest: locating the server binaries, creating a
temporary data directory with ``initdb``, starting ``postgres`` on a free
TCP port bound to 127.0.0.1 (trust authentication, durability switched off for
speed), exposing a connection URL, restarting it in place (same port, same data:
what an outage test needs), and stopping the server and deleting every
file it created.  Nothing outside the temporary directory is touched.

When the tests run as root, every PostgreSQL binary is run as the ``postgres``
system user through ``runuser`` (``initdb`` and ``postgres`` refuse to run as
root).  When a server cannot be started here (no binaries, no ``postgres``
user, no ``runuser``, start-up failure) :class:`PostgresUnavailable` is raised
with a human-readable reason, so callers can skip or fail cleanly.

Only the standard library is used.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PostgresServer", "PostgresUnavailable", "find_bindir"]

BINDIR_ENV = "OPENPO_PG_BINDIR"
REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
SYSTEM_USER = "postgres"  # OS account used to run the binaries when we are root
LOG_TAIL_LINES = 40
COMMAND_TIMEOUT = 120  # seconds, for any single initdb / pg_ctl call
START_ATTEMPTS = 3  # retries when the chosen port was grabbed by someone else

# Client variables that must not leak into our pg_ctl / initdb calls.
_SCRUBBED_ENV = ("PGDATA", "PGPORT", "PGHOST", "PGHOSTADDR", "PGUSER", "PGDATABASE", "PGOPTIONS")


# Servers this process started and has not stopped, by port: a test that must restart the
# suite's server finds it by the port its database connection names (`serving`).
_RUNNING: dict[int, PostgresServer] = {}


class PostgresUnavailable(Exception):
    """Why a server cannot be started here (message is the human reason)."""


def find_bindir() -> Path | None:
    """Directory holding initdb/pg_ctl/postgres.

    Lookup order: ``$OPENPO_PG_BINDIR`` (returned as given, even if wrong, so
    that an explicit override is never silently ignored), else
    ``pg_config --bindir`` if it contains ``initdb``, else the directory of
    ``initdb`` found on ``PATH`` (resolved through symlinks), else the newest
    ``/usr/lib/postgresql/*/bin``.  ``None`` when nothing is found.
    """
    override = os.environ.get(BINDIR_ENV)
    if override:
        return Path(override).expanduser()

    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and (Path(out) / "initdb").is_file():
            return Path(out)

    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent

    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").is_file()]
    if candidates:
        return max(candidates, key=lambda p: _version_key(p.parent.name))
    return None


def _version_key(name: str) -> tuple[int, ...]:
    """Sort key for directory names such as ``9.6`` or ``15``."""
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (-1,)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _find_runuser() -> str | None:
    found = shutil.which("runuser")
    if found:
        return found
    for candidate in ("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(could not read {path}: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


def _describe(result: subprocess.CompletedProcess[str]) -> str:
    output = "\n".join(
        part.strip() for part in (result.stdout, result.stderr) if part and part.strip()
    )
    return f"exit code {result.returncode}" + (f":\n{output}" if output else "")


@dataclass
class PostgresServer:
    """A running throwaway cluster; create it with :meth:`start`."""

    bindir: Path
    basedir: Path
    port: int
    user: str = "postgres"
    _run_as: str | None = field(default=None, repr=False)  # OS user, when we are root
    _runuser: str | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)
    _version: str | None = field(default=None, repr=False)
    _options: str = field(default="", repr=False)  # postgres' options, to start it again

    # ----------------------------------------------------------------- info

    @property
    def datadir(self) -> Path:
        return self.basedir / "data"

    @property
    def logfile(self) -> Path:
        return self.basedir / "server.log"

    @property
    def url(self) -> str:
        """libpq URL, e.g. ``postgres://postgres@127.0.0.1:PORT/postgres`` (trust auth)."""
        return f"postgres://{self.user}@127.0.0.1:{self.port}/postgres"

    @property
    def version(self) -> str:
        """Server version such as ``"15.18"``, from ``postgres --version``."""
        if self._version is None:
            # --version is answered before postgres' refuse-to-run-as-root check.
            result = self._run([str(self.bindir / "postgres"), "--version"], as_pg=False)
            text = result.stdout.strip()
            match = re.search(r"\(PostgreSQL\)\s+(\S+)", text) or re.search(
                r"(\d+(?:\.\d+)+)", text
            )
            self._version = match.group(1) if match else text
        return self._version

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def start(cls, *, max_connections: int = 200) -> PostgresServer:
        """Create, start and return a fresh server; raise PostgresUnavailable if impossible."""
        bindir = find_bindir()
        if bindir is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries not found (set $OPENPO_PG_BINDIR, put initdb on PATH, "
                "or install the postgresql server package)"
            )
        missing = [name for name in REQUIRED_BINARIES if not os.access(bindir / name, os.X_OK)]
        if missing:
            raise PostgresUnavailable(f"{bindir} lacks executable {', '.join(missing)}")

        run_as = runuser = None
        if _is_root():
            try:
                account = pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise PostgresUnavailable(
                    f"running as root, and there is no {SYSTEM_USER!r} system user "
                    "to run PostgreSQL as"
                ) from None
            runuser = _find_runuser()
            if runuser is None:
                raise PostgresUnavailable(
                    "running as root, and `runuser` is not available to drop privileges"
                )
            run_as = SYSTEM_USER

        basedir = Path(tempfile.mkdtemp(prefix="openpo-pg-"))
        server = cls(bindir=bindir, basedir=basedir, port=0, _run_as=run_as, _runuser=runuser)
        try:
            if run_as is not None:
                os.chown(basedir, account.pw_uid, account.pw_gid)
                check = server._run(["test", "-w", str(basedir)])
                if check.returncode != 0:
                    raise PostgresUnavailable(
                        f"user {run_as!r} cannot write to {basedir}; a parent directory is not "
                        "accessible to it (point TMPDIR at a world-traversable directory "
                        "such as /tmp)"
                    )
            server._initdb()
            server._start_postmaster(max_connections)
        except BaseException:
            server._cleanup()
            raise
        atexit.register(server.stop)
        _RUNNING[server.port] = server
        return server

    @classmethod
    def serving(cls, port: int) -> PostgresServer | None:
        """The server this process started on `port`, if it is still running."""
        return _RUNNING.get(int(port))

    def stop(self) -> None:
        """Stop the server and delete its directory. Safe to call more than once."""
        if self._stopped:
            return
        self._stopped = True
        _RUNNING.pop(self.port, None)
        atexit.unregister(self.stop)
        self._cleanup()

    def restart(self, *, down_for: float = 0.0, mode: str = "fast") -> None:
        """Stop the server (`pg_ctl stop -m fast`: every session is ended, open transactions
        roll back, committed ones are kept), keep it down `down_for` seconds, then start it
        again on the same port with the same data. Raises PostgresUnavailable."""
        if self._stopped:
            raise PostgresUnavailable("the server was stopped for good")
        pg_ctl = str(self.bindir / "pg_ctl")
        result = self._run([pg_ctl, "-D", str(self.datadir), "-m", mode, "-w", "stop"])
        if result.returncode != 0:
            raise PostgresUnavailable(f"pg_ctl stop failed ({_describe(result)})")
        if down_for > 0:
            time.sleep(down_for)
        result = self._pg_ctl_start(self._options)
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"pg_ctl start failed after a stop ({_describe(result)})\n"
                f"--- tail of {self.logfile} ---\n{_tail(self.logfile)}"
            )

    # -------------------------------------------------------------- helpers

    def _run(self, args: list[str], *, as_pg: bool = True) -> subprocess.CompletedProcess[str]:
        if as_pg and self._run_as is not None:
            args = [self._runuser or "runuser", "-u", self._run_as, "--", *args]
        env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
        try:
            return subprocess.run(
                args,
                capture_output=True,
                text=True,
                # The caller's cwd may be unreadable for the postgres user.
                cwd=self.basedir if self.basedir.is_dir() else "/",
                env=env,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresUnavailable(
                f"{shlex.join(args)} timed out after {COMMAND_TIMEOUT}s"
            ) from exc
        except OSError as exc:
            raise PostgresUnavailable(f"cannot run {args[0]}: {exc}") from exc

    def _initdb(self) -> None:
        base = [str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", self.user]
        base += ["--auth=trust", "--encoding=UTF8"]
        failures = []
        for locale_args in (["--locale=C.UTF-8"], ["--no-locale"]):
            result = self._run(base + locale_args)
            if result.returncode == 0:
                return
            failures.append(f"initdb {locale_args[0]}: {_describe(result)}")
            shutil.rmtree(self.datadir, ignore_errors=True)
        raise PostgresUnavailable("initdb failed:\n" + "\n\n".join(failures))

    def _start_postmaster(self, max_connections: int) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = _free_port()
            options = [
                f"-p {self.port}",
                f"-k {shlex.quote(str(self.basedir))}",
                "-c listen_addresses=127.0.0.1",
                f"-c max_connections={int(max_connections)}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
            result = self._pg_ctl_start(" ".join(options))
            if result.returncode == 0:
                self._options = " ".join(options)
                return
            log = _tail(self.logfile)
            port_taken = "could not bind" in log or "already in use" in log
            if port_taken and attempt < START_ATTEMPTS:
                self._pg_ctl_stop()  # in case a half-started postmaster is around
                self.logfile.unlink(missing_ok=True)
                continue
            raise PostgresUnavailable(
                f"pg_ctl start failed ({_describe(result)})\n--- tail of {self.logfile} ---\n{log}"
            )

    def _pg_ctl_start(self, options: str) -> subprocess.CompletedProcess[str]:
        return self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )

    def _pg_ctl_stop(self) -> None:
        if not (self.datadir / "postmaster.pid").exists():
            return
        # Best effort: a timed-out stop must not hide the original problem.
        with contextlib.suppress(PostgresUnavailable):
            self._run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]
            )

    def _cleanup(self) -> None:
        self._pg_ctl_stop()
        shutil.rmtree(self.basedir, ignore_errors=True)
