"""The settings and their schema: names, types, ranges, defaults and environment variables."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from axom_tui.api.defaults import DEFAULT_BASE_URL
from axom_tui.api.secret import ApiKey
from axom_tui.config.connection import ConnectionSettings

Source = Literal["default", "file", "profile", "env", "flag"]


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file (and line) or variable, and the key."""


@dataclass(frozen=True)
class PollSettings:
    focused: float = 2.0  # seconds between polls of the run on screen (metrics, logs)
    live: float = 4.0  # seconds between metric/log polls of a running job shown in a compare tile
    background_rps: float = 2.5  # request budget per second for live jobs not on screen
    list: float = 4.0  # seconds between job-list refreshes
    max_in_flight: int = 4  # concurrent requests at most
    max_rps: float = 8.0  # requests per second at most, all kinds together


@dataclass(frozen=True)
class NotifySettings:
    toast: bool = True  # a watched run's end shown on screen (in the header)
    bell: bool = False
    desktop: bool = False  # OSC 9/777: a terminal may show it as a toast, a second notice


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    key: ApiKey = field(default_factory=lambda: ApiKey(""))
    insecure: bool = False
    poll: PollSettings = field(default_factory=PollSettings)
    log_cap: int = 10_000
    download_dir: Path | None = None
    theme: str = "axom-dark"
    keymap: Mapping[str, str] = field(
        default_factory=dict
    )  # binding id -> key, e.g. "refresh" -> "f5"
    notify: NotifySettings = field(default_factory=NotifySettings)
    ascii: bool = False
    mouse: bool = True
    screenshot_dir: Path | None = None
    cache: bool = True  # the local run cache (history survives a restart); False: none
    cache_size_mb: int = 1024  # the cache's size cap; least recently viewed runs go first
    cache_dir: Path | None = None  # None: the platform's cache folder
    # Where the values came from, for `axom-tui config show` and messages.
    config_path: Path | None = None
    profile: str | None = None
    sources: Mapping[str, Source] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def source(self, name: str) -> Source:
        """Where the dotted setting ``name`` (e.g. ``"poll.focused"``) came from."""
        return self.sources.get(name, "default")

    def connection(self) -> ConnectionSettings:
        return ConnectionSettings(base_url=self.base_url, key=self.key, insecure=self.insecure)


# --- converters: (raw value, raw came as text from env/argv) -> value, or raise _Invalid


class _Invalid(Exception):
    """Wrong type or out of range; the message says what was expected."""


Convert = Callable[[Any, bool], Any]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _number(low: float, high: float, *, integer: bool = False) -> Convert:
    expected = f"{'a whole number' if integer else 'a number'} from {low:g} to {high:g}"

    def convert(raw: Any, from_text: bool) -> Any:
        value = raw
        if from_text and isinstance(raw, str):
            try:
                value = int(raw) if integer else float(raw)
            except ValueError:
                raise _Invalid(expected) from None
        if isinstance(value, bool) or not isinstance(value, int if integer else (int, float)):
            raise _Invalid(expected)
        if not low <= value <= high:  # NaN fails this too
            raise _Invalid(expected)
        return value if integer else float(value)

    return convert


def _boolean(raw: Any, from_text: bool) -> bool:
    if isinstance(raw, bool):
        return raw
    if from_text and isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise _Invalid("true or false")


def _string(raw: Any, from_text: bool) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise _Invalid("a non-empty string")
    return raw.strip()


def _key(raw: Any, from_text: bool) -> ApiKey:
    if not isinstance(raw, str):
        raise _Invalid("a string")
    return ApiKey(raw)


def _path(raw: Any, from_text: bool) -> Path | None:
    if isinstance(raw, Path):
        return raw.expanduser()
    if not isinstance(raw, str):
        raise _Invalid("a path string")
    return Path(raw.strip()).expanduser() if raw.strip() else None  # "" means unset


def _keymap(raw: Any, from_text: bool) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in raw.items()
    ):
        raise _Invalid('a table of binding id = "key", e.g. refresh = "f5"')
    return {k: v.strip() for k, v in raw.items()}


@dataclass(frozen=True)
class Option:
    name: str  # dotted, as written in the file: "poll.focused"
    convert: Convert
    from_env: bool = True
    secret: bool = False

    @property
    def env_var(self) -> str | None:
        return "AXOM_" + self.name.upper().replace(".", "_") if self.from_env else None


OPTIONS: tuple[Option, ...] = (
    Option("base_url", _string),
    Option("key", _key, secret=True),
    Option("insecure", _boolean),
    Option("log_cap", _number(100, 5_000_000, integer=True)),
    Option("download_dir", _path),
    Option("theme", _string),
    Option("ascii", _boolean),
    Option("mouse", _boolean),
    Option("screenshot_dir", _path),
    Option("cache", _boolean),
    Option("cache_size_mb", _number(1, 10_000_000, integer=True)),
    Option("cache_dir", _path),
    Option("poll.focused", _number(0.5, 3600)),
    Option("poll.live", _number(0.5, 3600)),
    Option("poll.background_rps", _number(0.01, 10)),
    Option("poll.list", _number(1, 3600)),
    Option("poll.max_in_flight", _number(1, 64, integer=True)),
    Option("poll.max_rps", _number(0.1, 100)),
    Option("notify.toast", _boolean),
    Option("notify.bell", _boolean),
    Option("notify.desktop", _boolean),
    Option("keymap", _keymap, from_env=False),
)
OPTIONS_BY_NAME = {option.name: option for option in OPTIONS}
GROUPS = ("poll", "notify")
DEFAULTS = Settings()


def default_value(name: str) -> Any:
    value: Any = DEFAULTS
    for part in name.split("."):
        value = getattr(value, part)
    return value


def setting_names() -> tuple[str, ...]:
    """Every dotted setting name, in file order; ``overrides`` keys must be among these."""
    return tuple(option.name for option in OPTIONS)


def shown(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, Mapping):
        return "a table"
    if isinstance(raw, list):
        return "an array"
    text = json.dumps(raw, ensure_ascii=False) if isinstance(raw, str) else str(raw)
    return text if len(text) <= 60 else text[:57] + "…"


def convert_value(option: Option, raw: Any, from_text: bool, where: str) -> Any:
    try:
        return option.convert(raw, from_text)
    except _Invalid as exc:
        got = "" if option.secret else f", got {shown(raw)}"
        raise ConfigError(f"{where}: expected {exc}{got}") from None
