"""Where the run cache lives: one file per API origin and account, in the cache folder.

The account is known only by its key, and the key must never reach the disk, so the
file is named after a keyed hash of it (BLAKE2b with a fixed personalisation: a
different key, or another program hashing the same key, gives another name). The
origin is part of the name in clear (it is in the config file anyway) so that
``axom-tui cache path`` is readable.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

APP_NAME = "axom-tui"
CACHE_DIR_ENV = "AXOM_CACHE_DIR"
SUFFIX = ".sqlite3"
_PERSON = b"axom-tui-cache1"


def cache_dir(override: Path | None = None) -> Path:
    """The folder of cache files: ``override``, else ``AXOM_CACHE_DIR``, else the
    platform's user cache folder (``~/.cache/axom-tui/runs`` on Linux)."""
    if override is not None:
        return override.expanduser()
    env = os.environ.get(CACHE_DIR_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "runs"


def origin_of(base_url: str) -> str:
    """``https://console.axomlabs.ai/api`` → ``https://console.axomlabs.ai`` (default
    ports left out, host lower-cased)."""
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower() or "https"
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    netloc = host if port in (None, default) else f"{host}:{port}"
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]" if port in (None, default) else f"[{host}]:{port}"
    return f"{scheme}://{netloc}"


def account_tag(key: str) -> str:
    """A short name for the account a key belongs to; the key cannot be read back."""
    return hashlib.blake2b(key.encode(), digest_size=10, person=_PERSON).hexdigest()


def cache_file_name(base_url: str, key: str) -> str:
    origin = origin_of(base_url)
    slug = re.sub(r"[^a-z0-9.-]+", "_", origin.split("://", 1)[-1].lower()).strip("_") or "api"
    tag = account_tag(origin + "\n" + key)
    return f"{slug}-{tag}{SUFFIX}"


def cache_path(base_url: str, key: str, folder: Path | None = None) -> Path:
    return cache_dir(folder) / cache_file_name(base_url, key)


DEMO_PREFIX = "axom-tui-demo-cache-"


def demo_cache_dir() -> Path:
    """A new temporary folder for a ``--demo`` session's cache (its world starts anew at
    each launch). It is removed at exit; folders left by demo processes that are gone
    (killed before they could clean up) are removed here."""
    base = Path(tempfile.gettempdir())
    for old in base.glob(DEMO_PREFIX + "*"):
        pid = old.name[len(DEMO_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)) or old.is_symlink() or not old.is_dir():
            continue
        if old.stat().st_uid == os.getuid():  # only ours
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{DEMO_PREFIX}{os.getpid()}-"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True
