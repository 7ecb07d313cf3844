"""Payments: expected amounts with their unique codes, QRIS, and later proofs and refunds."""
