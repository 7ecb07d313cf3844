"""Announcing a PO: the share panel with its link, QR code and caption, and the feed and story
posters."""
