"""Whether there is a terminal to draw the dashboard on, and which characters it can show.

Without a terminal on standard input, standard output and standard error (Textual draws
on stderr) the full-screen app cannot work: `axom-tui < /dev/null` read end-of-file
forever, `nohup axom-tui` (stdin on a write-only /dev/null) crashed with EBADF, `<&-`
with an AttributeError. A dumb terminal (Emacs' shell, some CI logs) cannot take the
alternate screen, mouse reporting or colour codes. In all these cases the dashboard
is refused with one line that names the commands made for them.

The glyphs (braille charts, box borders, status icons) are UTF-8; when the user's
locale cannot encode them (``LANG=C``, a Latin-1 locale), the app draws in ``--ascii``.
"""

from __future__ import annotations

import codecs
import locale
import os
import sys
from collections.abc import Mapping

HEADLESS_HINT = "without one, use `axom-tui jobs`, `watch RUN` or `download RUN`"
#: Characters the dashboard draws outside --ascii: braille, box drawing, blocks, icons.
GLYPHS = "⣿─│╭▕▏●✓✗…·—▶"
_STREAMS = ((0, "standard input"), (1, "standard output"), (2, "standard error"))
#: What Python sets ``LC_CTYPE`` to when it coerces a C locale (PEP 538).
_COERCED = ("C.UTF-8", "C.utf8", "UTF-8")


def refusal(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the dashboard cannot run here (one line), or None when it can."""
    env = os.environ if environ is None else environ
    for fd, name in _STREAMS:
        if not _is_tty(fd):
            return f"axom-tui: {name} is not a terminal; {HEADLESS_HINT}"
    if env.get("TERM", "").strip().lower() == "dumb":
        return f"axom-tui: TERM=dumb cannot show the dashboard; {HEADLESS_HINT}"
    return None


def _is_tty(fd: int) -> bool:
    try:
        return os.isatty(fd)
    except OSError:
        return False  # closed (`<&-`)


def locale_charset(environ: Mapping[str, str] | None = None) -> str:
    """The character set the user's locale names (``LC_ALL``, then ``LC_CTYPE``, then
    ``LANG``), as the terminal and every other program see it.

    Python itself runs a C locale as UTF-8 (PEP 538/540: it sets ``LC_CTYPE=C.UTF-8``
    for itself and its children and turns UTF-8 mode on), so the interpreter's own
    encoding says nothing about what the terminal shows. A ``LC_CTYPE`` of exactly the
    coerced value while UTF-8 mode is on that nobody asked for is that coercion, and
    the variables under it decide.
    """
    env = os.environ if environ is None else environ
    coerced = (
        sys.flags.utf8_mode
        and "PYTHONUTF8" not in env
        and "utf8" not in sys._xoptions
        and env.get("LC_CTYPE") in _COERCED
        and not env.get("LC_ALL")
    )
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(name, "")
        if not value or (name == "LC_CTYPE" and coerced):
            continue
        return _codeset(value)
    return "ascii"  # no locale at all: POSIX


def _codeset(name: str) -> str:
    if name in ("C", "POSIX"):
        return "ascii"
    saved = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, name)
        return locale.nl_langinfo(locale.CODESET) or "ascii"
    except locale.Error:
        # Not installed here: C programs then run in the C locale. The name may still
        # say what the user meant (`en_US.UTF-8` on a box with only C.UTF-8).
        _, _, charset = name.partition(".")
        return charset.partition("@")[0] or "ascii"
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)


def glyphs_fit(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the locale's character set can encode the dashboard's glyphs."""
    charset = locale_charset(environ)
    try:
        codecs.lookup(charset)
        GLYPHS.encode(charset)
    except (LookupError, UnicodeEncodeError):
        return False
    return True
