"""Orders that arrive as text: chat messages and Google Forms exports, read against a PO's
catalogue (pure functions), then imported through `place_order` (`services`)."""
