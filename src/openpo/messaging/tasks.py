"""Background tasks of messaging (Django's tasks API, the django-tasks backport, database
backend).

`deliver_outbox` sends what is due in the outbox (`messaging.delivery.deliver_outbox`); enqueue
it after a commit that wrote messages to have them leave before the next scheduler tick. It is
idempotent and safe with several workers (each message is claimed under a lease), so running it
twice, or on two workers at once, is harmless. `openpo worker` runs enqueued tasks; the
scheduler tick's task is `ops.tasks.run_scheduled`.
"""

from django_tasks import task

from openpo.messaging import delivery


@task()
def deliver_outbox() -> int:
    """Send every due outbox message (bounded); returns how many were sent."""
    return delivery.deliver_outbox()
