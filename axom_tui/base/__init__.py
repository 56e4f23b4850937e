"""The bottom layer: helpers every other package may use (lazy exports, the
sanitizer for server text, units). Imports nothing else of axom_tui."""
