"""Seller pages for the second half of a PO: production, shipping, printables, reconfirmation
and testimonials. Each page module owns its `urlpatterns`; `urls.py` joins them."""
