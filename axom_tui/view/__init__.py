"""What each pane shows, computed from the store: pure functions, no Textual.

The widgets in ``ui/`` draw these; tests check them without an app."""
