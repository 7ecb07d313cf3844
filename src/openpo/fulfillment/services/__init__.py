"""Every change of fulfilment state: one module per part of the second half of a PO."""
