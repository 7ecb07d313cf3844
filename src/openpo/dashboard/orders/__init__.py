"""A PO's orders: the table with its filters, bulk actions and exports, one order's page and
changes, and orders the seller takes by hand."""
