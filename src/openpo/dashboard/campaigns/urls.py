"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.campaigns import list, overview, recap

urlpatterns = [
    *list.urlpatterns,
    *overview.urlpatterns,
    *recap.urlpatterns,
]
