"""Background tasks of operations (Django's tasks API, the django-tasks backport, database
backend).

`run_scheduled` runs one scheduler tick (`ops.scheduler.run_tick`). The tick is idempotent and
safe with several workers (see the scheduler's docstring), so running it twice, or on two
workers at once, is harmless. `openpo worker` runs enqueued tasks and calls the tick itself
every minute. The outbox's own task is `messaging.tasks.deliver_outbox`.
"""

from django_tasks import task

from openpo.ops.scheduler import run_tick


@task()
def run_scheduled() -> dict[str, int]:
    """One scheduler tick: campaign transitions, expiries, reminders, the outbox."""
    return run_tick()
