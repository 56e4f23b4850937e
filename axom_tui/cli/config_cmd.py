"""`axom-tui config path` and `axom-tui config show`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from axom_tui.config import (
    ConfigError,
    default_config_path,
    load_settings,
    render_settings,
    setting_names,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="config_command", metavar="{path,show}", required=True)
    path = sub.add_parser("path", help="print where the config file is (or would be)")
    show = sub.add_parser("show", help="print the effective settings and where each came from")
    # SUPPRESS: if the main parser has its own --config/--profile, ours must not reset them.
    for p in (path, show):
        p.add_argument(
            "--config",
            type=Path,
            default=argparse.SUPPRESS,
            help="config file to use (default: $AXOM_CONFIG or the platform config folder)",
        )
    show.add_argument(
        "--profile", default=argparse.SUPPRESS, help="apply [profiles.NAME] from the file"
    )


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Flag values for ``load_settings(overrides=…)``: any attribute named like a setting
    (dots as underscores, e.g. ``poll_focused``); ``None`` means the flag was not given."""
    return {
        name: getattr(args, name.replace(".", "_"))
        for name in setting_names()
        if name != "key" and getattr(args, name.replace(".", "_"), None) is not None
    }


def run(args: argparse.Namespace) -> int:
    config_path: Path | None = getattr(args, "config", None)
    if args.config_command == "path":
        print(config_path or default_config_path())
        return 0
    try:
        settings = load_settings(
            config_path=config_path,
            profile=getattr(args, "profile", None),
            overrides=overrides_from_args(args),
        )
    except ConfigError as exc:
        print(f"axom-tui: {exc}", file=sys.stderr)
        return 2
    for warning in settings.warnings:
        print(f"axom-tui: warning: {warning}", file=sys.stderr)
    sys.stdout.write(render_settings(settings))
    return 0
