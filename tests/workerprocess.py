"""Running `openpo worker` as a real child process against the test database.

The child reads its settings from the environment like production does: `worker_env` points
OPENPO_DATABASE_URL at the database this test run created (the SQLite test file, or the
throwaway PostgreSQL server's test database), and OPENPO_EMAIL_URL at a test SMTP server.
Use it from `@pytest.mark.django_db(transaction=True)` tests: the rows the test writes are
committed, so the child sees them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from django.db import connection


def database_url() -> str:
    """The URL of the database this test uses, as OPENPO_DATABASE_URL spells it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        user = urllib.parse.quote(db.get("USER") or "", safe="")
        password = urllib.parse.quote(db.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{db['NAME']}"
    raise NotImplementedError(connection.vendor)


def worker_env(data_dir: Path, *, smtp_port: int | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openpo.settings",
        "OPENPO_DATABASE_URL": database_url(),
        "OPENPO_DATA_DIR": str(data_dir),
        "OPENPO_CACHE_URL": "locmem://",  # no separate cache database in the child
        "OPENPO_SECRET_KEY": "worker-test-secret-key",
        "OPENPO_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if smtp_port is not None:
        env["OPENPO_EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    return env


def start_worker(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen:
    """`python -m openpo worker ARGS…`, its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "openpo", "worker", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_serve(env: dict[str, str], port: int, *args: str, log: Path) -> subprocess.Popen:
    """`python -m openpo serve --port PORT ARGS…` in its own process group (so that cleanup
    reaches its gunicorn workers), its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "openpo", "serve", "--port", str(port), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen, timeout: float = 10) -> int:
    """SIGTERM, then wait for a clean exit; the exit code (SIGKILL after `timeout`)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `condition` until true; the seconds it took (AssertionError after `timeout`)."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - start
