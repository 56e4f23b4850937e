"""Start the dashboard: settings → services (or the demo simulator) → the Textual app."""

from __future__ import annotations

import argparse
import gc
import sys
from dataclasses import replace
from pathlib import Path

from axom_tui.config import ConfigError, Settings, load_settings
from axom_tui.config.connection import ConnectionSettingsError


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides = {
        "base_url": getattr(args, "base_url", None),
        "insecure": getattr(args, "insecure", None),
        "theme": getattr(args, "theme", None),
        "ascii": getattr(args, "ascii", None),
        "mouse": getattr(args, "mouse", None),
        "log_cap": getattr(args, "log_cap", None),
        "cache": getattr(args, "cache", None),
    }
    config = getattr(args, "config", None)
    return load_settings(
        config_path=Path(config) if config else None,
        profile=getattr(args, "profile", None),
        overrides=overrides,
    )


def poll_policy(settings: Settings, clock_speed: float = 1.0):
    from axom_tui.poll import PollPolicy
    from axom_tui.poll.policy import for_clock_speed

    p = settings.poll
    return for_clock_speed(
        PollPolicy(
            focused_active=p.focused,
            visible_active=p.live,
            background_rps=p.background_rps,
            jobs_list=p.list,
            max_in_flight=p.max_in_flight,
            rps=p.max_rps,
            burst=max(p.max_rps, 1.0),
        ),
        clock_speed,
    )


def ui_settings(settings: Settings, label: str):
    from axom_tui.ui.settings import UiSettings

    return UiSettings(
        ascii=settings.ascii,
        log_cap=settings.log_cap,
        label=label,
        theme=settings.theme,
        notify_toast=settings.notify.toast,
        notify_bell=settings.notify.bell,
        notify_desktop=settings.notify.desktop,
        download_dir=settings.download_dir,
        screenshot_dir=settings.screenshot_dir,
        keymap=dict(settings.keymap),
        config_path=settings.config_path,
        save_theme=label != "demo",
    )


def history_options(settings: Settings, base_url: str, key: str, *, demo: bool = False):
    """Where the run cache is (None: no cache). The demo's world starts anew with each
    launch, so its cache lives in a temporary folder removed at exit."""
    if not settings.cache:
        return None
    from axom_tui.history.location import cache_path
    from axom_tui.runtime.services import HistoryOptions

    folder = None
    if demo:
        from axom_tui.history.location import demo_cache_dir

        folder = demo_cache_dir()
    else:
        folder = settings.cache_dir
    return HistoryOptions(
        path=cache_path(base_url, key, folder), cap_bytes=settings.cache_size_mb * 1024 * 1024
    )


def run_dashboard(args: argparse.Namespace) -> int:
    from axom_tui.cli.terminal import glyphs_fit, refusal

    try:
        settings = settings_from_args(args)
    except (ConfigError, ConnectionSettingsError) as exc:
        print(f"axom-tui: {exc}", file=sys.stderr)
        return 2
    for warning in settings.warnings:
        print(f"axom-tui: warning: {warning}", file=sys.stderr)
    reason = refusal()  # after the settings: their errors say more, and need no terminal
    if reason is not None:
        print(reason, file=sys.stderr)
        return 2
    if settings.source("ascii") == "default" and not glyphs_fit():
        settings = replace(settings, ascii=True)  # the locale cannot show the glyphs

    from axom_tui.runtime.services import DemoServer, build_services

    demo_server = None
    label = ""
    base_url, key = settings.base_url, settings.key
    if args.demo:
        try:
            demo_server = DemoServer(speed=args.speed, seed=args.seed, faults=args.faults)
        except ValueError as exc:  # a bad --faults spec
            print(f"axom-tui: --faults: {exc}", file=sys.stderr)
            return 2
        base_url, key = demo_server.base_url, demo_server.key  # served after the first frame
        label = "demo"
    elif not key:
        from axom_tui.ui.no_key import NoKeyApp
        from axom_tui.ui.session import run_app

        gc.enable()  # off for the dashboard's start-up (cli.main)
        return run_app(NoKeyApp(str(settings.config_path))) or 2
    history = history_options(settings, base_url, key.reveal(), demo=demo_server is not None)
    try:
        services = build_services(
            base_url,
            key,
            policy=poll_policy(settings, args.speed if args.demo else 1.0),
            log_cap=settings.log_cap,
            history=history,
        )
        services.demo_server = demo_server
        from axom_tui.ui.app import AxomApp
        from axom_tui.ui.session import run_app

        return run_app(AxomApp(services, ui_settings(settings, label)), mouse=settings.mouse)
    finally:
        if demo_server is not None:
            demo_server.stop()
            if history is not None:
                import shutil

                shutil.rmtree(history.path.parent, ignore_errors=True)


def open_bundle(args: argparse.Namespace, path: Path) -> int:
    """The dashboard on a bundle file: every run comes from the file; no key, no network."""
    from axom_tui.cli.terminal import glyphs_fit, refusal

    try:
        settings = settings_from_args(args)
    except (ConfigError, ConnectionSettingsError) as exc:
        print(f"axom-tui: {exc}", file=sys.stderr)
        return 2
    reason = refusal()
    if reason is not None:
        print(reason, file=sys.stderr)
        return 2
    if settings.source("ascii") == "default" and not glyphs_fit():
        settings = replace(settings, ascii=True)
    services = bundle_services(path, settings.log_cap)
    from axom_tui.ui.app import AxomApp
    from axom_tui.ui.session import run_app

    return run_app(AxomApp(services, ui_settings(settings, "bundle")), mouse=settings.mouse)


def bundle_services(path: Path, log_cap: int = 10_000):
    """Services over a bundle file: an offline scheduler, a client that is never used."""
    from axom_tui.history.offline import OfflineScheduler, offline_client
    from axom_tui.runtime.services import HistoryOptions, Services
    from axom_tui.store import RunStore

    store = RunStore(log_cap=log_cap)
    client = offline_client()
    scheduler = OfflineScheduler(store, path.name, client)
    services = Services(
        client,
        store,
        scheduler,  # type: ignore[arg-type]
        HistoryOptions(path=path, cap_bytes=None, readonly=True),
    )
    services.offline = path.name
    return services
