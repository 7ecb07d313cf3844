"""Background tasks (Django's tasks API, the django-tasks backport, database backend).

`deliver_outbox` sends what is due in the outbox; enqueue it after a commit that wrote
messages to have them leave before the next scheduler tick. `run_scheduled` runs one scheduler
tick (`openpo.ops.scheduler.run_tick`). Both are idempotent and safe with several workers (see
the scheduler's docstring), so running one twice, or on two workers at once, is harmless.
`openpo worker` runs enqueued tasks and calls the tick itself every minute.
"""

from django_tasks import task


@task()
def deliver_outbox() -> int:
    """Send every due outbox message (bounded); returns how many were sent."""
    from openpo.ops.scheduler import deliver_outbox as deliver

    return deliver()


@task()
def run_scheduled() -> dict[str, int]:
    """One scheduler tick: campaign transitions, expiries, reminders, the outbox."""
    from openpo.ops.scheduler import run_tick

    return run_tick()
