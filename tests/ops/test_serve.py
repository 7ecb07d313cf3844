"""`openpo serve`: a real server in a subprocess answers pages, static files and health checks,
and stops on SIGTERM; bad options are refused with a clear message."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from openpo.ops import serve

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_until_up(process: subprocess.Popen, port: int, logs: list[Path]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = "\n".join(log.read_text() for log in logs)
            pytest.fail(f"openpo serve exited with {process.returncode}:\n{output}")
        try:
            if get(port, "/health/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"openpo serve did not answer within {START_TIMEOUT:.0f} s")


def test_serve_answers_pages_static_files_and_health_then_stops_on_sigterm(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "OPENPO_DATA_DIR": str(tmp_path),
        "OPENPO_HTTPS": "0",
        "OPENPO_DEBUG": "0",
    }
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "openpo", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,  # its own process group, so cleanup reaches the workers
        )
    try:
        wait_until_up(process, port, [out, err])

        status, headers, body = get(port, "/health/")
        assert status == 200
        assert headers["content-type"] == "application/json"
        assert json.loads(body) == {"status": "ok"}

        # Collected before serving and served by WhiteNoise from the web process.
        status, headers, body = get(port, "/static/openpo/site.css")
        assert status == 200
        assert headers["content-type"].startswith("text/css")
        assert "max-age=" in headers["cache-control"]
        assert headers["access-control-allow-origin"] == "*"  # WhiteNoise's default
        assert body == (Path(serve.__file__).parents[1] / "static/openpo/site.css").read_bytes()

        status, headers, body = get(port, "/")
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        # The page links the hashed name from the manifest, which WhiteNoise caches forever.
        link = re.search(rb'href="(/static/openpo/site\.[0-9a-f]{12}\.css)"', body)
        assert link, body
        status, headers, _ = get(port, link.group(1).decode())
        assert status == 200
        assert "immutable" in headers["cache-control"]

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(STOP_TIMEOUT) == 0
        assert time.monotonic() - started < STOP_TIMEOUT
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    printed = out.read_text()
    assert printed.splitlines()[0] == (
        f"OpenPO serving on http://127.0.0.1:{port} (gunicorn, 1 worker, "
        f"{serve.default_threads()} threads each)"
    )
    assert '"GET /health/ HTTP/1.1" 200' in printed  # the access log goes to stdout
    assert (tmp_path / "openpo.sqlite3").exists()  # migrated before serving


@pytest.fixture
def never_serve(monkeypatch):
    """If validation let bad options through, fail instead of starting a server that blocks."""

    def fail(*args, **kwargs):
        pytest.fail("invalid options reached serve()")

    monkeypatch.setattr(serve, "serve", fail)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"port": 0}, "--port harus antara 1 dan 65535, bukan 0."),
        ({"port": 65536}, "--port harus antara 1 dan 65535, bukan 65536."),
        ({"workers": 0}, "--workers (atau OPENPO_WORKERS) minimal 1, bukan 0."),
        ({"threads": 0}, "--threads (atau OPENPO_THREADS) harus antara 1 dan 64, bukan 0."),
        ({"host": " "}, "--host tidak boleh kosong"),
    ],
)
def test_invalid_options_are_refused_with_a_clear_message(options, message, never_serve):
    with pytest.raises(CommandError) as excinfo:
        call_command("serve", **options)
    assert message in str(excinfo.value)


def test_invalid_workers_from_the_environment_are_refused(monkeypatch, never_serve):
    monkeypatch.setenv("OPENPO_WORKERS", "many")
    with pytest.raises(CommandError, match="OPENPO_WORKERS harus bilangan bulat, bukan 'many'"):
        call_command("serve", port=8000)


def test_defaults_come_from_the_environment_or_the_cpu_count(monkeypatch):
    monkeypatch.delenv("OPENPO_WORKERS", raising=False)
    monkeypatch.delenv("OPENPO_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    options = serve.make_options()
    assert (options.host, options.port, options.workers, options.threads) == (
        "127.0.0.1",
        8000,
        5,
        4,
    )

    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert serve.make_options().workers == serve.MAX_DEFAULT_WORKERS

    monkeypatch.setenv("OPENPO_WORKERS", "3")
    monkeypatch.setenv("OPENPO_THREADS", "8")
    options = serve.make_options()
    assert (options.workers, options.threads) == (3, 8)
    assert serve.make_options(workers=1, threads=2).workers == 1


def test_gunicorn_settings():
    options = serve.make_options(host="::1", port=8080, workers=2, threads=4)
    announced: list[str] = []
    settings = serve.gunicorn_settings(options, announce=announced.append)
    assert settings["bind"] == ["[::1]:8080"]
    assert (settings["worker_class"], settings["workers"], settings["threads"]) == (
        "gthread",
        2,
        4,
    )
    assert settings["accesslog"] == "-"
    settings["when_ready"](object())
    assert announced == [
        "OpenPO serving on http://[::1]:8080 (gunicorn, 2 workers, 4 threads each)"
    ]
