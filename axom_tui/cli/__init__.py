"""The `axom-tui` command line: the dashboard launcher and the headless commands."""
