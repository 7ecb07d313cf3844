"""Which production server should `openpo serve` run? Measure gunicorn and granian side by side.

Each server runs OpenPO (`openpo.wsgi:application`) on 127.0.0.1 with the same number of
worker processes; a load generator in this process (threads, one keep-alive `http.client`
connection each, nothing to install) sends a fixed number of GET requests to three URLs:

- `/health/`                 a JSON view that runs `SELECT 1` (the cheapest Django request),
- `/`                        the home page (template rendering and database queries),
- `/static/openpo/site.css`  a static file served by WhiteNoise from the web process.

For every server and URL it prints requests/s, p50/p95/p99 latency and errors, and for every
server the memory of its whole process tree (RSS summed over the processes, and PSS, which
counts pages shared between forked workers once), idle and at the peak of the load, plus how
long a graceful stop (SIGTERM) took.

    .venv/bin/python bench/serve_servers.py                # all servers that are installed
    .venv/bin/python bench/serve_servers.py --requests 3000 --concurrency 16 --workers 2
    .venv/bin/python bench/serve_servers.py --servers gunicorn-sync,granian --json out.json

Only 127.0.0.1 is contacted; the number of requests and the time per URL are bounded and
every server is stopped at the end, so the bench stops by itself. The client shares the CPU
with the server: absolute numbers are lower bounds, the comparison is what counts.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
URLS = ("/health/", "/", "/static/openpo/site.css")
START_TIMEOUT = 30.0  # seconds for a server to answer /health/
STOP_TIMEOUT = 15.0  # seconds for a graceful stop before SIGKILL


def _gunicorn(worker_class: str, threads: int = 1) -> Callable[[int, int], list[str]]:
    def argv(port: int, workers: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--no-control-socket",
            "--log-level",
            "warning",
            "openpo.wsgi:application",
        ]

    return argv


def _granian(port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "openpo.wsgi:application",
    ]


# name -> (importable module, argv builder, description)
SERVERS: dict[str, tuple[str, Callable[[int, int], list[str]], str]] = {
    "gunicorn-sync": ("gunicorn", _gunicorn("sync"), "gunicorn, sync workers"),
    "gunicorn-gthread": ("gunicorn", _gunicorn("gthread", 4), "gunicorn, gthread, 4 threads"),
    "granian": ("granian", _granian, "granian --interface wsgi"),
}


@dataclass
class UrlResult:
    url: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_samples: list[str] = field(default_factory=list)
    rps_min: float | None = None  # over rounds, when combined
    rps_max: float | None = None


@dataclass
class ServerResult:
    server: str
    description: str
    version: str
    workers: int
    start_seconds: float
    rss_idle_mib: float
    pss_idle_mib: float
    rss_peak_mib: float
    pss_peak_mib: float
    processes: int
    stop_seconds: float
    stopped_gracefully: bool
    urls: list[UrlResult] = field(default_factory=list)


# --- memory of a process tree (Linux /proc; zeros elsewhere) --------------------------------


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _kib(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> tuple[float, float, int]:
    """(RSS MiB summed, PSS MiB summed, number of processes) of `root` and its descendants."""
    if not Path("/proc/self/stat").exists():
        return 0.0, 0.0, 0
    pids = _process_tree(root)
    rss = sum(_kib(Path(f"/proc/{pid}/status"), "VmRSS") for pid in pids)
    pss = sum(_kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss") for pid in pids)
    return rss / 1024, pss / 1024, len(pids)


class MemorySampler(threading.Thread):
    """Samples the memory of a process tree every `interval` seconds and keeps the peak."""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_rss = self.peak_pss = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            rss, pss, _ = tree_memory(self.root)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- load generator -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def load(port: int, url: str, *, requests: int, concurrency: int, time_limit: float) -> UrlResult:
    """Send `requests` GETs to `url` from `concurrency` threads (keep-alive where the server
    allows it); stop early at `time_limit` seconds."""
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + time_limit

    def take() -> bool:
        with lock:
            if remaining[0] <= 0 or time.monotonic() > deadline:
                return False
            remaining[0] -= 1
            return True

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        try:
            while take():
                started = time.perf_counter()
                for attempt in (1, 2):
                    reused = conn.sock is not None
                    try:
                        conn.request("GET", url)
                        response = conn.getresponse()
                        response.read()
                    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                        conn.close()
                        if reused and attempt == 1:
                            continue  # the server closed an idle keep-alive connection: retry
                        with lock:
                            errors.append("connection closed")
                        break
                    except (OSError, http.client.HTTPException) as exc:
                        conn.close()
                        with lock:
                            errors.append(f"{type(exc).__name__}: {exc}")
                        break
                    if response.status == 200:
                        mine.append(time.perf_counter() - started)
                    else:
                        with lock:
                            errors.append(f"HTTP {response.status}")
                    break
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began

    done = len(latencies) + len(errors)
    p50, p95, p99 = (percentile(latencies, q) * 1000 for q in (50, 95, 99))
    return UrlResult(
        url=url,
        requests=done,
        errors=len(errors),
        seconds=round(seconds, 3),
        rps=round(len(latencies) / seconds, 1) if seconds else 0.0,
        p50_ms=round(p50, 2),
        p95_ms=round(p95, 2),
        p99_ms=round(p99, 2),
        error_samples=sorted(set(errors))[:5],
    )


# --- one server -----------------------------------------------------------------------------


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT %d %d %d %f %f %f\\n",
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def load_wrk(port: int, url: str, *, seconds: float, concurrency: int) -> UrlResult:
    """The same measurement with `wrk` (C, far lighter than the Python client), time-bounded."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{min(2, concurrency)}",
                f"-c{concurrency}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                f"http://{HOST}:{port}{url}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in out.splitlines() if line.startswith("WRK-RESULT"))
    requests, errors, micros, p50, p95, p99 = (float(x) for x in line.split()[1:])
    return UrlResult(
        url=url,
        requests=int(requests),
        errors=int(errors),
        seconds=round(micros / 1e6, 3),
        rps=round((requests - errors) / (micros / 1e6), 1),
        p50_ms=round(p50 / 1000, 2),
        p95_ms=round(p95 / 1000, 2),
        p99_ms=round(p99 / 1000, 2),
    )


def wait_until_up(process: subprocess.Popen, port: int, log: Path) -> float:
    began = time.monotonic()
    while time.monotonic() - began < START_TIMEOUT:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            try:
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    return time.monotonic() - began
            finally:
                conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> tuple[float, bool]:
    """SIGTERM the server, wait for it; SIGKILL the whole group if it does not stop."""
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
        graceful = True
    except subprocess.TimeoutExpired:
        graceful = False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # leftover workers, if any
    process.wait()
    return round(time.monotonic() - began, 2), graceful


def bench_server(name: str, args: argparse.Namespace, env: dict[str, str]) -> ServerResult:
    module, argv, description = SERVERS[name]
    port = free_port()
    log = Path(env["OPENPO_DATA_DIR"]) / f"{name}.log"
    with log.open("w") as handle:
        process = subprocess.Popen(
            argv(port, args.workers),
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing outlives the bench
        )
    try:
        start_seconds = wait_until_up(process, port, log)
        time.sleep(1.0)  # let every worker finish booting before measuring idle memory
        rss_idle, pss_idle, processes = tree_memory(process.pid)
        result = ServerResult(
            server=name,
            description=description,
            version=importlib.metadata.version(module),
            workers=args.workers,
            start_seconds=round(start_seconds, 2),
            rss_idle_mib=round(rss_idle, 1),
            pss_idle_mib=round(pss_idle, 1),
            rss_peak_mib=0.0,
            pss_peak_mib=0.0,
            processes=processes,
            stop_seconds=0.0,
            stopped_gracefully=False,
        )
        sampler = MemorySampler(process.pid)
        sampler.start()
        try:
            for url in args.urls:
                # Warm-up (not measured): imports, template loading, first connections.
                load(port, url, requests=args.warmup, concurrency=args.concurrency, time_limit=30)
                if args.client == "wrk":
                    outcome = load_wrk(
                        port, url, seconds=args.wrk_seconds, concurrency=args.concurrency
                    )
                else:
                    outcome = load(
                        port,
                        url,
                        requests=args.requests,
                        concurrency=args.concurrency,
                        time_limit=args.time_limit,
                    )
                result.urls.append(outcome)
                print(
                    f"  {name:<17} {url:<24} {outcome.rps:>8.1f} req/s  "
                    f"p50 {outcome.p50_ms:7.2f}  p95 {outcome.p95_ms:7.2f}  "
                    f"p99 {outcome.p99_ms:7.2f} ms  errors {outcome.errors}",
                    flush=True,
                )
        finally:
            sampler.stop()
        result.rss_peak_mib = round(sampler.peak_rss, 1)
        result.pss_peak_mib = round(sampler.peak_pss, 1)
    finally:
        stop_seconds, graceful = stop(process)
    result.stop_seconds, result.stopped_gracefully = stop_seconds, graceful
    return result


# --- setup and report -----------------------------------------------------------------------


def prepare(data_dir: Path, env: dict[str, str]) -> None:
    """Migrate the database and collect static files, as `openpo serve` does before serving."""
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "-m", "openpo", *command, "-v", "0"],
            env=env,
            check=True,
            timeout=120,
        )


def combine(runs: list[ServerResult]) -> ServerResult:
    """One server's rounds as one result: medians of speed and latency, summed errors, the
    highest peak memory; `rps_min`/`rps_max` keep the spread between rounds."""
    first = runs[0]
    median = statistics.median
    urls = []
    for index, url in enumerate(first.urls):
        rounds = [run.urls[index] for run in runs]
        urls.append(
            UrlResult(
                url=url.url,
                requests=sum(r.requests for r in rounds),
                errors=sum(r.errors for r in rounds),
                seconds=round(sum(r.seconds for r in rounds), 3),
                rps=round(median(r.rps for r in rounds), 1),
                p50_ms=round(median(r.p50_ms for r in rounds), 2),
                p95_ms=round(median(r.p95_ms for r in rounds), 2),
                p99_ms=round(median(r.p99_ms for r in rounds), 2),
                error_samples=sorted({e for r in rounds for e in r.error_samples})[:5],
                rps_min=min(r.rps for r in rounds),
                rps_max=max(r.rps for r in rounds),
            )
        )
    return ServerResult(
        server=first.server,
        description=first.description,
        version=first.version,
        workers=first.workers,
        start_seconds=round(median(r.start_seconds for r in runs), 2),
        rss_idle_mib=round(median(r.rss_idle_mib for r in runs), 1),
        pss_idle_mib=round(median(r.pss_idle_mib for r in runs), 1),
        rss_peak_mib=max(r.rss_peak_mib for r in runs),
        pss_peak_mib=max(r.pss_peak_mib for r in runs),
        processes=first.processes,
        stop_seconds=max(r.stop_seconds for r in runs),
        stopped_gracefully=all(r.stopped_gracefully for r in runs),
        urls=urls,
    )


def report(results: list[ServerResult], args: argparse.Namespace) -> None:
    print()
    load_text = (
        f"wrk for {args.wrk_seconds:.0f} s per URL"
        if args.client == "wrk"
        else f"{args.requests} requests per URL"
    )
    print(
        f"{load_text}, concurrency {args.concurrency}, median of {args.rounds} round(s), "
        f"{args.workers} workers, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print()
    print("| server | URL | req/s | (min–max) | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for result in results:
        for url in result.urls:
            spread = f"{url.rps_min:.0f}–{url.rps_max:.0f}" if url.rps_min is not None else ""
            print(
                f"| {result.server} | `{url.url}` | {url.rps:.0f} | {spread} | {url.p50_ms:.1f} "
                f"| {url.p95_ms:.1f} | {url.p99_ms:.1f} | {url.errors} |"
            )
    print()
    print(
        "| server | version | processes | RSS idle MiB | RSS peak MiB | PSS idle MiB "
        "| PSS peak MiB | start s | SIGTERM stop s |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        stop_text = f"{r.stop_seconds:.2f}" + ("" if r.stopped_gracefully else " (killed)")
        print(
            f"| {r.server} | {r.version} | {r.processes} | {r.rss_idle_mib:.0f} "
            f"| {r.rss_peak_mib:.0f} | {r.pss_idle_mib:.0f} | {r.pss_peak_mib:.0f} "
            f"| {r.start_seconds:.2f} | {stop_text} |"
        )
    for r in results:
        for url in r.urls:
            if url.error_samples:
                print(f"errors from {r.server} {url.url}: {url.error_samples}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated names")
    parser.add_argument("--urls", default=",".join(URLS), help="comma-separated paths")
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per URL")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests per URL")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are reported")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per server")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per URL, at most")
    parser.add_argument(
        "--client",
        choices=["python", "wrk"],
        default="python",
        help="load generator: threads in this process (default) or wrk, if installed",
    )
    parser.add_argument("--wrk-seconds", type=float, default=10.0, help="seconds per URL (wrk)")
    parser.add_argument("--data-dir", type=Path, help="OPENPO_DATA_DIR (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    args.urls = [url for url in args.urls.split(",") if url]
    names = [name for name in args.servers.split(",") if name]
    unknown = [name for name in names if name not in SERVERS]
    if unknown:
        parser.error(f"unknown server(s) {unknown}; choose from {list(SERVERS)}")
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256:
        parser.error("--requests must be 1..100000 and --concurrency 1..256")
    if not 1 <= args.rounds <= 10:
        parser.error("--rounds must be 1..10")

    if args.client == "wrk" and shutil.which("wrk") is None:
        parser.error("--client wrk needs wrk on PATH (e.g. apt-get install wrk)")
    if not 1 <= args.wrk_seconds <= 120:
        parser.error("--wrk-seconds must be 1..120")

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="openpo-serve-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "openpo.settings"),
        "OPENPO_DATA_DIR": str(data_dir),
        "OPENPO_HTTPS": "0",
        "OPENPO_DEBUG": "0",
        "OPENPO_LOG_LEVEL": "WARNING",
    }
    try:
        prepare(data_dir, env)
        installed = [name for name in names if importlib.util.find_spec(SERVERS[name][0])]
        for name in sorted(set(names) - set(installed)):
            print(f"  {name}: not installed, skipped (pip install {SERVERS[name][0]})")
        if not installed:
            print("none of the chosen servers is installed")
            return 1
        runs: list[ServerResult] = []
        for round_number in range(1, args.rounds + 1):
            # Servers take turns within each round, so background noise hits them alike.
            for name in installed:
                print(
                    f"round {round_number}/{args.rounds}: {name} ({SERVERS[name][2]}), "
                    f"{args.workers} workers",
                    flush=True,
                )
                runs.append(bench_server(name, args, env))
        report([combine([r for r in runs if r.server == name]) for name in installed], args)
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2))
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
