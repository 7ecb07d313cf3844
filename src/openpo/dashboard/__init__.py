"""Seller pages (the dashboard): views, forms and templates; rules live in the services."""
