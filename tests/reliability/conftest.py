"""The reliability suite: six promises the app makes, each tested by the modules named.

Promise 1 — no data lost or duplicated under faults. Whatever the network does (5xx,
    429 with Retry-After, dropped connections, latency, stale or overlapping pages, runs
    preempted and re-sending steps), once answers get through the store holds exactly the
    server's data: every metric step once with its newest value, every log line once and
    in order, every event and result; the app does not crash, and shows the connection
    as degraded while it is. test_rel_soak.py (scheduler + store), test_rel_app_faults.py
    (the whole app).
Promise 2 — malformed bodies never crash. Any answer (garbage or truncated JSON, wrong
    types, HTML error pages, odd statuses and headers) becomes a typed ``AxomError`` or a
    valid record; data already held stays as it was, the failure shows as a feed error,
    and it clears when good answers return. test_rel_fuzz.py (parsers),
    test_rel_fuzz_store.py (store).
Promise 3 — server text cannot act on the terminal. No escape sequence, control
    character, bidi mark or markup that came from the server reaches the terminal or
    becomes a link or an action; the only sequences written are the app's own.
    test_rel_terminal.py.
Promise 4 — the key stays secret. It is in no output (config display, logs at DEBUG,
    screenshots, CSV, toasts, crash reports, command output) and goes to the API's origin
    only: never to storage, never across a redirect to another origin. test_rel_secrets.py.
Promise 5 — transport safety. Plain ``http://`` only to loopback unless ``--insecure``;
    TLS verification is never turned off; a server with an untrusted certificate gets
    neither a request nor the key. test_rel_transport.py.
Promise 6 — downloads survive anything. After any fault or interruption each file is
    either at its final name and verified, or absent there (at most a ``.part`` holding a
    true prefix), and running the download again asks for exactly the missing bytes.
    test_rel_downloads.py.

This file also prints the figures the tests collected (see rel_helpers.FIGURES).
"""

from __future__ import annotations

from rel_helpers import FIGURES, write_figures


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not FIGURES:
        return
    write_figures()
    terminalreporter.section("reliability figures")
    for name, value in sorted(FIGURES.items()):
        terminalreporter.write_line(f"{name:<48} {value:>12,}")
