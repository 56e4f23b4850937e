"""Showing the effective settings, and saving the theme choice back into the config file."""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from axom_tui.config.load import TABLE_HEADER
from axom_tui.config.schema import GROUPS, OPTIONS, OPTIONS_BY_NAME, ConfigError, Settings

# --- showing and writing


def _toml_string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes, except TOML has no \/ (json never emits it).
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML forbids raw DEL


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value is None:
        return '""'
    return _toml_string(str(value))


#: Folders that default to the current one when unset (``d`` downloads, ``S``
#: screenshots; ``W`` saved logs and ``e`` CSV exports always go to the current one).
FOLDER_OPTIONS = frozenset({"download_dir", "screenshot_dir"})


def render_settings(settings: Settings) -> str:
    """The effective settings as TOML-ish text with each value's source; the key is masked."""
    path = settings.config_path
    state = "found" if path is not None and path.exists() else "not found"
    lines = [f"# config file: {path} ({state})"]
    if settings.profile:
        lines.append(f"# profile: {settings.profile}")

    def origin(name: str) -> str:
        source = settings.source(name)
        if source == "env":
            return f"env {OPTIONS_BY_NAME[name].env_var}"
        return f"profile {settings.profile}" if source == "profile" else source

    def row(assignment: str, name: str) -> str:
        return f"{assignment:<44} # {origin(name)}"

    for option in OPTIONS:
        name = option.name
        if "." in name or name == "keymap":
            continue
        if name == "key":
            lines.append(
                row(f"# key: {settings.key.masked}", name)
            )  # a comment: never a usable value
        elif name in FOLDER_OPTIONS and getattr(settings, name) is None:
            # unset: the folder the app will really write to, not a puzzling ""
            lines.append(
                f"{f'{name} = {_toml_value(Path.cwd())}':<44} # default: the current folder"
            )
        else:
            lines.append(row(f"{name} = {_toml_value(getattr(settings, name))}", name))
    for group in GROUPS:
        lines += ["", f"[{group}]"]
        for option in OPTIONS:
            if option.name.startswith(group + "."):
                field_name = option.name.split(".", 1)[1]
                value = getattr(getattr(settings, group), field_name)
                lines.append(row(f"{field_name} = {_toml_value(value)}", option.name))
    lines += ["", f"[keymap]{'':<36} # {origin('keymap')}"]
    for binding, key in sorted(settings.keymap.items()):
        bare = re.fullmatch(r"[\w-]+", binding) is not None
        lines.append(f"{binding if bare else _toml_string(binding)} = {_toml_string(key)}")
    return "\n".join(lines) + "\n"


def _write_private(target: Path, text: str) -> None:
    """Atomically replace ``target`` with ``text``, mode 0600."""
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _with_theme_line(text: str, line: str) -> str:
    """Replace the top-level ``theme = …`` line, or insert one before the first table."""
    lines = text.splitlines(keepends=True)
    for index, current in enumerate(lines):
        if TABLE_HEADER.match(current):
            start = index
            while start > 0 and lines[start - 1].lstrip().startswith("#"):
                start -= 1  # keep a table's leading comment attached to it
            lines.insert(start, f"{line}\n\n")
            return "".join(lines)
        if re.match(r"\s*theme\s*=", current):
            ending = current[len(current.rstrip("\r\n")) :]
            lines[index] = line + (ending or "\n")
            return "".join(lines)
    prefix = text if not text or text.endswith("\n") else text + "\n"
    return f"{prefix}{line}\n"


def save_theme_choice(path: Path, theme_name: str) -> None:
    """Persist ``theme = "<name>"`` at the top level of the config file, keeping everything else.

    Creates the file (mode 0600, folder 0700) if missing; rewrites it atomically, 0600,
    through a symlink to its target. A profile's own ``theme`` still wins over this one.
    """
    if not theme_name.strip():
        raise ValueError("theme name must not be empty")
    line = f"theme = {_toml_string(theme_name)}"
    target = Path(path).expanduser().resolve()
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_private(target, line + "\n")
        return
    try:
        text = target.read_text(encoding="utf-8")
        before = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{target}: theme choice not saved: cannot read the file: {exc}"
        ) from None
    updated = _with_theme_line(text, line)
    try:
        after = tomllib.loads(updated)
    except tomllib.TOMLDecodeError:
        after = None
    if after != {**before, "theme": theme_name}:
        raise ConfigError(
            f"{target}: theme choice not saved: could not edit the file safely; "
            f"add {line} near its top by hand"
        )
    _write_private(target, updated)
