"""Background tasks of hooks (Django's tasks API, the django-tasks backport, database backend).

`deliver_webhooks` sends the due webhook deliveries (`hooks.delivery.deliver_webhooks`). It is
idempotent and safe with several workers (each delivery is claimed under a lease); `openpo
worker` also calls it every few seconds and in every scheduler tick.
"""

from django_tasks import task

from openpo.hooks import delivery


@task()
def deliver_webhooks() -> int:
    """Send every due webhook delivery (bounded); returns how many were delivered."""
    return delivery.deliver_webhooks()
