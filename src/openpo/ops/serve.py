"""`openpo serve`: run OpenPO in production, in the foreground, with gunicorn.

This module owns how the web process starts: the defaults for workers and threads
(`OPENPO_WORKERS`, `OPENPO_THREADS`), checking them, preparing the site (migrate, collect the
static files that WhiteNoise then serves from the same process) and running gunicorn
programmatically, so nothing is looked up on PATH. The management command only parses the
command line and maps `InvalidServeOptions` to a `CommandError`.

Why gunicorn with threaded (gthread) workers: measured against gunicorn sync workers and
granian (bench/serve_servers.py, numbers in bench/README.md), gthread serves the real pages as
fast as granian with less memory and tighter tail latency, and gunicorn is pure Python: it
installs on any machine that has Python 3.11, with no binary wheel or Rust toolchain.

Metrics: before the workers fork, a fresh directory under the data directory
(`metrics/serve-<pid>`, removed on exit, and any left by a server that died) is named in
`PROMETHEUS_MULTIPROC_DIR`, so the workers' request counters add up in every scrape of
/metrics (ops/metrics.py); a worker that exits is marked dead there (gunicorn's child_exit).
Each SQL statement of a request may take at most `OPENPO_DB_STATEMENT_TIMEOUT` seconds
(PostgreSQL; set on the workers' connections after `migrate`, which has no limit).

Signals (gunicorn's): SIGTERM stops gracefully (stop accepting, let in-flight requests finish
for up to `graceful_timeout` seconds, exit 0); SIGINT (Ctrl-C) and SIGQUIT stop at once,
also exiting 0; SIGHUP restarts the workers (the app is preloaded in the master, so new
code needs a full restart); SIGTTIN/SIGTTOU add/remove a worker.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

SERVER_NAME = "gunicorn"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 4
# 2 x cores + 1 is gunicorn's rule of thumb; past 8 processes a single OpenPO host gains little
# (SQLite writes queue on one lock, PostgreSQL prefers fewer connections) and pays 30-40 MiB each.
MAX_DEFAULT_WORKERS = 8
MAX_THREADS = 64
GRACEFUL_TIMEOUT = 30  # seconds in-flight requests get after SIGTERM


class InvalidServeOptions(ValueError):
    """An option of `openpo serve` (or its environment variable) is out of range."""


@dataclass(frozen=True)
class ServeOptions:
    host: str
    port: int
    workers: int
    threads: int

    @property
    def bind(self) -> str:
        """gunicorn's bind address: `host:port`, with an IPv6 host in brackets."""
        host = self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.bind}"

    def describe(self) -> str:
        """The one line printed when the server is ready."""
        workers = f"{self.workers} worker{'s' if self.workers != 1 else ''}"
        threads = f"{self.threads} thread{'s' if self.threads != 1 else ''} each"
        return f"OpenPO serving on {self.url} ({SERVER_NAME}, {workers}, {threads})"


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidServeOptions(
            _("%(name)s must be a whole number, not %(value)r.") % {"name": name, "value": raw}
        ) from None


def default_workers() -> int:
    """`OPENPO_WORKERS`, else 2 x CPU cores + 1, at most MAX_DEFAULT_WORKERS."""
    from_env = _env_int("OPENPO_WORKERS")
    if from_env is not None:
        return from_env
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


def default_threads() -> int:
    """`OPENPO_THREADS`, else DEFAULT_THREADS threads per worker."""
    from_env = _env_int("OPENPO_THREADS")
    return DEFAULT_THREADS if from_env is None else from_env


def make_options(
    *,
    host: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    threads: int | None = None,
) -> ServeOptions:
    """Fill in the defaults and check every value; raises InvalidServeOptions."""
    options = ServeOptions(
        host=(host if host is not None else DEFAULT_HOST).strip(),
        port=port if port is not None else DEFAULT_PORT,
        workers=workers if workers is not None else default_workers(),
        threads=threads if threads is not None else default_threads(),
    )
    if not options.host:
        raise InvalidServeOptions(_("--host must not be empty (e.g. 127.0.0.1 or 0.0.0.0)."))
    if not 1 <= options.port <= 65535:
        raise InvalidServeOptions(
            _("--port must be between 1 and 65535, not %(port)s.") % {"port": options.port}
        )
    if options.workers < 1:
        raise InvalidServeOptions(
            _("--workers (or OPENPO_WORKERS) must be at least 1, not %(workers)s.")
            % {"workers": options.workers}
        )
    if not 1 <= options.threads <= MAX_THREADS:
        raise InvalidServeOptions(
            _("--threads (or OPENPO_THREADS) must be between 1 and %(max)s, not %(threads)s.")
            % {"max": MAX_THREADS, "threads": options.threads}
        )
    return options


def prepare_site() -> None:
    """Bring the database schema up to date and collect static files, both quietly."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # The workers are forked from this process: they must not share its database connections.
    connections.close_all()


def limit_statement_time() -> None:
    """From now on (the workers' connections), each PostgreSQL statement is cancelled after
    DB_STATEMENT_TIMEOUT seconds: a request never waits on the database for ever."""
    seconds = settings.DB_STATEMENT_TIMEOUT
    if not seconds:
        return
    for database in settings.DATABASES.values():
        if database["ENGINE"] != "django.db.backends.postgresql":
            continue
        options = database.setdefault("OPTIONS", {})
        existing = options.get("options", "")
        options["options"] = f"{existing} -c statement_timeout={seconds * 1000}".strip()
    connections.close_all()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare_metrics_dir() -> Path:
    """A fresh directory for the workers' metric files, named in PROMETHEUS_MULTIPROC_DIR;
    directories left by servers no longer running are removed."""
    base = Path(settings.DATA_DIR) / "metrics"
    base.mkdir(parents=True, exist_ok=True)
    for old in base.glob("serve-*"):
        pid = old.name.removeprefix("serve-")
        if not pid.isdigit() or not _alive(int(pid)) or int(pid) == os.getpid():
            shutil.rmtree(old, ignore_errors=True)
    path = base / f"serve-{os.getpid()}"
    path.mkdir()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    # prometheus_client picks its value class when imported; if something imported it before
    # this (nothing in OpenPO does), pick again so the workers' metrics go to the files.
    values = sys.modules.get("prometheus_client.values")
    if values is not None:
        values.ValueClass = values.get_value_class()
    return path


def _worker_exited(server: object, worker: Any) -> None:
    """gunicorn's child_exit: the worker's live gauges leave the sums (its counts stay)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class _Gunicorn(BaseApplication):
    """gunicorn configured from a dict, serving an application object loaded in the master
    (preloaded: workers fork with Django already imported, and share those pages)."""

    def __init__(self, application: Callable[..., Any], settings: dict[str, Any]) -> None:
        self._application = application
        self._settings = settings
        super().__init__(prog="openpo serve")

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        return self._application


def gunicorn_settings(
    options: ServeOptions, announce: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """gunicorn's settings for `options`; `announce` gets the "serving on" line once bound."""

    def when_ready(arbiter: object) -> None:
        if announce is not None:
            announce(options.describe())

    return {
        "bind": [options.bind],
        "workers": options.workers,
        "worker_class": "gthread",
        "threads": options.threads,
        "preload_app": True,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": "-",  # access log on stdout
        "errorlog": "-",  # server messages on stderr
        "proc_name": "openpo",
        # gunicorn's control socket lives at one path per user: a second server (or a test)
        # would take it over. Operations go through signals instead.
        "control_socket_disable": True,
        "when_ready": when_ready,
        "child_exit": _worker_exited,
    }


def follow_served_address(options: ServeOptions) -> str:
    """Links in messages and emails point to the address served, unless OPENPO_SITE_URL is
    set: `openpo serve --port 8100` writes :8100 links. A wildcard host (0.0.0.0, ::) is no
    address a buyer can open, so links then name this machine's loopback."""
    if not settings.SITE_URL_IS_SET:
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]"}.get(
            options.host, options.host
        )
        served = replace(options, host=host)
        settings.SITE_URL = served.url
        # The workers are forked from this process (preloaded), and see the same setting.
        os.environ["OPENPO_SITE_URL"] = served.url
    return settings.SITE_URL


def serve(options: ServeOptions, announce: Callable[[str], None] | None = None) -> None:
    """Prepare the site, then serve it in the foreground until a signal stops the server."""
    follow_served_address(options)
    metrics_dir = prepare_metrics_dir()
    master = os.getpid()
    try:
        prepare_site()
        limit_statement_time()
        # Built after collectstatic: WhiteNoise indexes the static files when the app is created.
        from openpo.wsgi import application

        _Gunicorn(application, gunicorn_settings(options, announce)).run()
    finally:
        # A worker's exit (SystemExit, raised in the fork) comes through here too: only the
        # master removes the directory.
        if os.getpid() == master:
            shutil.rmtree(metrics_dir, ignore_errors=True)
