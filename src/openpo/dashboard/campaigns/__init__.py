"""The POs of the shop: the list with its counters, one PO's overview with its live figures and
lifecycle steps, and the production recap."""
