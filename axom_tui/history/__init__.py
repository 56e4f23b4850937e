"""The local run cache: history that survives a restart, and bundles for offline use.

An SQLite file per API origin and account (see :mod:`~axom_tui.history.location`)
holding what the store holds — job records, metrics, logs, events, results, the
feeds' cursors — read first at start and on view, written behind the store by a
thread of its own (:mod:`~axom_tui.history.sync`). A bundle is the same kind of file
holding chosen runs. No Textual here.
"""
