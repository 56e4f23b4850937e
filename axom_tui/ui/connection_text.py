"""What is wrong with the connection, and where, in one sentence the panes can show.

With a rejected key the header said ``key rejected`` while the job list was blank, the
lifecycle said ``select a run`` and the chart ``waiting for metrics…``: four panes, one
of them right. When the connection keeps the dashboard from having anything to show,
every pane that would be empty says why, naming the server.
"""

from __future__ import annotations

from axom_tui.base.sanitize import clean_text
from axom_tui.store.health import ConnectionState

CONFIG_HINT = "set AXOM_KEY (or key in the file `axom-tui config path` names) and restart"


def connection_problem(connection: ConnectionState, base_url: str) -> str | None:
    """A sentence for a connection that shows nothing; None when it is fine or just busy."""
    where = clean_text(base_url.rstrip("/"), 120)
    detail = clean_text(connection.message, 160)
    if connection.state == "auth":
        return f"The API at {where} rejected the key (401): {CONFIG_HINT}."
    if connection.state == "forbidden":
        return (
            f"The key lacks the read scope at {where} (403): use a key with `read` "
            f"(and `models` to download)."
        )
    if connection.state == "offline" or (
        connection.state == "retrying" and connection.last_success_at is None
    ):
        reason = detail or "no answer"
        return f"Cannot reach {where}: {reason}. Retrying; check the URL (--base-url)."
    return None
