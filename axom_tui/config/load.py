"""Reading settings: flags over environment over the config file (and its profile) over defaults."""

from __future__ import annotations

import difflib
import os
import re
import shlex
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from axom_tui.config.connection import ConnectionSettingsError, check_base_url
from axom_tui.config.schema import (
    GROUPS,
    OPTIONS,
    OPTIONS_BY_NAME,
    ConfigError,
    NotifySettings,
    PollSettings,
    Settings,
    Source,
    convert_value,
    default_value,
    shown,
)

APP_NAME = "axom-tui"
CONFIG_ENV = "AXOM_CONFIG"
PROFILE_ENV = "AXOM_PROFILE"


# --- locations


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if env is None else env
    override = environ.get(CONFIG_ENV, "").strip()
    return Path(override).expanduser() if override else config_dir() / "config.toml"


# --- reading the file

TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(r"^\s*([\w\-.\"' ]+?)\s*=")


def _key_parts(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def _line_of(text: str, parts: tuple[str, ...]) -> int | None:
    """Best-effort line number of the TOML key ``parts`` (or its nearest enclosing table)."""
    lines = text.splitlines()
    for length in range(len(parts), 0, -1):
        wanted = parts[:length]
        prefix: tuple[str, ...] = ()
        for number, line in enumerate(lines, 1):
            if header := TABLE_HEADER.match(line):
                prefix = _key_parts(header.group(1))
                if prefix == wanted:
                    return number
            elif (assign := _ASSIGN.match(line)) and prefix + _key_parts(assign.group(1)) == wanted:
                return number
    return None


@dataclass
class _File:
    path: Path
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def where(self, parts: tuple[str, ...]) -> str:
        line = _line_of(self.text, parts)
        return f"{self.path}:{line}" if line else str(self.path)


def _holds_key(data: Mapping[str, Any]) -> bool:
    tables = [data, *(p for p in (data.get("profiles") or {}).values() if isinstance(p, Mapping))]
    return any(isinstance(t.get("key"), str) and t["key"].strip() for t in tables)


def _read_file(path: Path, explicit: bool, warnings: list[str]) -> _File:
    try:
        with path.open("rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            text = handle.read().decode("utf-8")
    except FileNotFoundError:
        if explicit:
            warnings.append(f"{path}: config file not found; using defaults")
        return _File(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if _holds_key(data) and os.name != "nt" and stat.S_IMODE(mode) & 0o077:
        raise ConfigError(
            f"{path}: refusing to use this file: it holds an API key but other users can read it "
            f"(mode {stat.S_IMODE(mode):04o}). Make it private with: chmod 600 {shlex.quote(str(path))}"
        )
    return _File(path, text, data)


def _flatten(
    file: _File, table: Mapping[str, Any], at: tuple[str, ...], warnings: list[str]
) -> dict[str, tuple[Any, tuple[str, ...]]]:
    """``{"poll": {"live": 1}}`` -> ``{"poll.live": (1, at + ("poll", "live"))}``; unknown keys warn."""
    found: dict[str, tuple[Any, tuple[str, ...]]] = {}
    for key, raw in table.items():
        if key in GROUPS:
            if not isinstance(raw, Mapping):
                raise ConfigError(
                    f"{file.where(at + (key,))}: {'.'.join(at + (key,))}: expected a table"
                )
            items = [(f"{key}.{sub}", value) for sub, value in raw.items()]
        else:
            items = [(key, raw)]
        for name, value in items:
            parts = at + tuple(name.split("."))
            if name in OPTIONS_BY_NAME:
                found[name] = (value, parts)
                continue
            hint = difflib.get_close_matches(name, list(OPTIONS_BY_NAME), n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            warnings.append(
                f"{file.where(parts)}: unknown setting {'.'.join(parts)!r} ignored{suggestion}"
            )
    return found


def _profiles(file: _File) -> dict[str, Mapping[str, Any]]:
    profiles = file.data.get("profiles", {})
    if not isinstance(profiles, Mapping) or not all(
        isinstance(p, Mapping) for p in profiles.values()
    ):
        raise ConfigError(
            f"{file.where(('profiles',))}: profiles: each profile must be a table, "
            "like [profiles.staging]"
        )
    return dict(profiles)


def _check_keymap_entries(file: _File, raw: Any, parts: tuple[str, ...]) -> None:
    """Point at the one bad ``[keymap]`` entry rather than at the whole table."""
    for binding, key in raw.items() if isinstance(raw, Mapping) else ():
        if not isinstance(key, str) or not key.strip():
            entry = parts + (binding,)
            raise ConfigError(
                f"{file.where(entry)}: {'.'.join(entry)}: expected a key like "
                f'"f5" or "ctrl+r", got {shown(key)}'
            )


# --- loading


def load_settings(
    *,
    config_path: Path | None = None,
    profile: str | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve every setting; ``overrides`` are flag values by dotted name, ``None`` meaning unset.

    Raises ConfigError (never a traceback's worth of detail) for anything unusable.
    """
    environ = os.environ if env is None else env
    explicit = config_path is not None or bool(environ.get(CONFIG_ENV, "").strip())
    path = config_path if config_path is not None else default_config_path(environ)
    warnings: list[str] = []
    file = _read_file(path, explicit, warnings)
    profiles = _profiles(file)
    layers: list[tuple[Source, dict[str, tuple[Any, tuple[str, ...]]]]] = [
        (
            "file",
            _flatten(file, {k: v for k, v in file.data.items() if k != "profiles"}, (), warnings),
        )
    ]
    chosen = profile if profile is not None else (environ.get(PROFILE_ENV, "").strip() or None)
    if chosen is not None:
        if chosen not in profiles:
            origin = "--profile" if profile is not None else PROFILE_ENV
            available = ", ".join(sorted(profiles)) or "none"
            raise ConfigError(
                f"unknown profile {chosen!r} (from {origin}); profiles in {path}: {available}"
            )
        layers.append(("profile", _flatten(file, profiles[chosen], ("profiles", chosen), warnings)))

    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    where_of: dict[str, str] = {}
    for option in OPTIONS:
        name = option.name
        values[name], sources[name] = default_value(name), "default"
        for source, found in layers:
            if name in found:
                raw, parts = found[name]
                where = file.where(parts)
                if name == "keymap":
                    _check_keymap_entries(file, raw, parts)
                value = convert_value(option, raw, False, f"{where}: {'.'.join(parts)}")
                if name == "keymap" and source == "profile":
                    value = {
                        **values[name],
                        **value,
                    }  # a profile adds to the keymap, not replaces it
                values[name], sources[name], where_of[name] = value, source, where
        var = option.env_var
        if var and environ.get(var, "").strip():
            values[name] = convert_value(option, environ[var], True, f"environment variable {var}")
            sources[name], where_of[name] = "env", var

    for name, raw in (overrides or {}).items():
        if name == "key":
            raise ConfigError(
                "the API key is never taken from the command line (it would show in "
                "`ps` and shell history); set AXOM_KEY or put it in the config file"
            )
        if name not in OPTIONS_BY_NAME:
            raise ValueError(
                f"unknown setting {name!r}; expected one of {', '.join(OPTIONS_BY_NAME)}"
            )
        if raw is not None:
            values[name] = convert_value(
                OPTIONS_BY_NAME[name], raw, isinstance(raw, str), f"command line: {name}"
            )
            sources[name], where_of[name] = "flag", "command line"

    try:
        values["base_url"] = check_base_url(values["base_url"], values["insecure"])
    except ConnectionSettingsError as exc:
        where = where_of.get("base_url", "default")
        raise ConfigError(f"{where}: base_url: {exc}") from None

    groups = {
        g: {n.split(".", 1)[1]: v for n, v in values.items() if n.startswith(g + ".")}
        for g in GROUPS
    }
    top = {n: v for n, v in values.items() if "." not in n}
    return Settings(
        **top,
        poll=PollSettings(**groups["poll"]),
        notify=NotifySettings(**groups["notify"]),
        config_path=path,
        profile=chosen,
        sources=sources,
        warnings=tuple(warnings),
    )
