"""The URLs of this area, joined from its page modules."""

from openpo.dashboard.money import cashflow, charges, refunds, statements, verification

urlpatterns = [
    *cashflow.urlpatterns,
    *verification.urlpatterns,
    *refunds.urlpatterns,
    *statements.urlpatterns,
    *charges.urlpatterns,
]
