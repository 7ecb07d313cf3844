"""OpenPO: open pre-order campaigns for small sellers."""

__version__ = "0.1.0"
