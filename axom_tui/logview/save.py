"""Writing the log pane's lines to a file (the ``W`` key), atomically.

The lines are the pane's own, already cleaned (control characters made visible), so a
saved log can be ``cat`` to a terminal as safely as it was shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def write_log(texts: Iterable[str], path: Path) -> None:
    """Write one line per entry of ``texts`` to ``path`` (UTF-8), replacing it atomically.

    The folder is created if missing; a partly written file is never left at ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            for text in texts:
                handle.write(text)
                handle.write("\n")
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
