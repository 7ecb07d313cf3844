"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.share import panel

urlpatterns = [
    *panel.urlpatterns,
]
