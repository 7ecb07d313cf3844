"""Making and changing a PO: its settings, products, variants, photos and materials, the preview
and publishing."""
