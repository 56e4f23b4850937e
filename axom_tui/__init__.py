"""axom-tui: a terminal dashboard for Axom Labs' Fusion training runs."""

__version__ = "0.1.0"
