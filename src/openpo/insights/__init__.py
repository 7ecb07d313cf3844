"""Insights: what sold, when buyers order, who they are, and a plan for the next PO."""
