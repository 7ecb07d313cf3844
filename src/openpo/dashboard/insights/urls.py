"""The URLs of this area."""

from openpo.dashboard.insights import pages

urlpatterns = [*pages.urlpatterns]
