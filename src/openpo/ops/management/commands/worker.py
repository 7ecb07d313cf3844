"""`openpo worker`: runs background tasks and, every minute, the scheduler tick.

One loop, in the foreground (a separate process type from `openpo serve`; run one or more):

- every `--interval` seconds: run the enqueued tasks (the django-tasks-db queue, drained with
  its own `Worker`) and deliver due outbox messages and webhooks, so a message written by a
  request leaves within seconds;
- every `--tick` seconds (60): the scheduler tick (`openpo.ops.scheduler.run_tick`): campaign
  transitions, order expiries, reminders, the outbox.

After each round that went through, the worker writes its heartbeat to the shared cache
(`ops.health.record_heartbeat`, at most every 10 s), which /healthz and /metrics read: a
worker that died or hangs shows there within `OPENPO_HEALTH_HEARTBEAT_MAX_AGE` seconds.

`--once` runs one tick and drains the task queue, then exits (tests, cron). SIGTERM or SIGINT
stops it cleanly: the task or outbox batch in hand is finished (at most a few messages), then
the process exits 0; a second signal exits at once. Every step is idempotent and safe with
several workers (see the scheduler), so any number may run side by side.
"""

import logging
import signal
import time
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from openpo.hooks.delivery import deliver_webhooks
from openpo.messaging.delivery import deliver_outbox
from openpo.ops.health import record_heartbeat
from openpo.ops.scheduler import run_tick

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 2.0
DEFAULT_TICK = 60.0


def _positive(value: str) -> float:
    number = float(value)
    if not number > 0 or number == float("inf"):
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Background worker: runs queued tasks and delivers the outbox every few seconds, and "
        "every minute the scheduler (campaigns opening and closing, payment expiries, "
        "reminders). --once runs one round and exits. SIGTERM stops it cleanly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="one scheduler tick, drain the queue, then exit"
        )
        parser.add_argument(
            "--interval",
            type=_positive,
            default=DEFAULT_INTERVAL,
            help="seconds between looks at the task queue and the outbox "
            f"(default {DEFAULT_INTERVAL:g})",
        )
        parser.add_argument(
            "--tick",
            type=_positive,
            default=DEFAULT_TICK,
            help=f"seconds between scheduler ticks (default {DEFAULT_TICK:g})",
        )

    def handle(self, *args, once: bool, interval: float, tick: float, **options) -> None:
        self.verbosity = options["verbosity"]
        # The queue's worker logs every empty look at the queue; only with -v 2.
        logging.getLogger("django_tasks_db").setLevel(
            logging.DEBUG if self.verbosity >= 2 else logging.WARNING
        )
        self.stopping = False
        self.tasks = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=min(interval, 0.5),
            batch=True,  # run what is ready, then return to this loop
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._say(f"worker {self.tasks.worker_id} started (tick every {tick:g} s)")
            if once:
                self._tick()
                self._drain_tasks()
                record_heartbeat(force=True)
                return
            self._loop(interval, tick)
            self._say("worker stopped")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _loop(self, interval: float, tick: float) -> None:
        next_tick = time.monotonic()
        while not self.stopping:
            close_old_connections()
            try:
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + tick
                    self._tick()
                else:
                    sent = deliver_outbox(keep_going=self._keep_going)
                    if sent:
                        self._say(f"sent {sent} message(s)")
                    delivered = deliver_webhooks(keep_going=self._keep_going)
                    if delivered:
                        self._say(f"delivered {delivered} webhook(s)")
                self._drain_tasks()
                record_heartbeat()
            except Exception:
                # The database gone for a moment must not end the worker: try again later.
                log.exception("worker round failed; trying again in %s s", interval)
            self._sleep(interval)

    def _keep_going(self) -> bool:
        return not self.stopping

    def _tick(self) -> None:
        counts = run_tick(keep_going=self._keep_going)
        if any(counts.values()):
            self._say("tick: " + ", ".join(f"{k}={v}" for k, v in counts.items()))

    def _drain_tasks(self) -> None:
        if self.stopping:
            return
        self.tasks.running = True
        self.tasks.run()

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, deadline - time.monotonic()))

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            raise SystemExit(1)  # a second signal: stop now
        self._say(f"{signal.strsignal(signum)}: finishing what is in hand, then stopping")
        self.stopping = True
        self.tasks.running = False  # the task queue's loop ends after the task in hand

    def _say(self, line: str) -> None:
        if self.verbosity:
            self.stdout.write(line)
            self.stdout.flush()
