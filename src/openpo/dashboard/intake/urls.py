"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.intake import form_import, paste

urlpatterns = [
    *paste.urlpatterns,
    *form_import.urlpatterns,
]
