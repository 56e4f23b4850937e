"""What the UI needs to know from the user's settings (a plain value object)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class UiSettings:
    ascii: bool = False
    log_cap: int = 10_000
    label: str = ""
    theme: str = "axom-dark"
    notify_toast: bool = True
    notify_bell: bool = False
    notify_desktop: bool = False
    download_dir: Path | None = None
    screenshot_dir: Path | None = None
    export_dir: Path | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    config_path: Path | None = None
    save_theme: bool = True  # T's choice goes to config_path (not in --demo: a trial run)
