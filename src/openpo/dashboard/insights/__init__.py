"""The seller's insights pages: the shop's figures, one PO's, the buyers of a segment."""
