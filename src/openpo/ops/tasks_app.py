"""The background-task queue (django-tasks-db) under a name sellers' staff can read in the
admin; its model names are that package's own msgids, translated in our catalogue."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig

# Kept in our catalogue by makemessages: the package ships no Indonesian.
MODEL_NAMES = (gettext_noop("Task Result"), gettext_noop("Task Results"))


class BackgroundTasksConfig(TasksAppConfig):
    verbose_name = _("Background tasks")
