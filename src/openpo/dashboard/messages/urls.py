"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.messages import sending, templates

urlpatterns = [
    *sending.urlpatterns,
    *templates.urlpatterns,
]
