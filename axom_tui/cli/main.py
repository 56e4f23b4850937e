"""The `axom-tui` command line: the dashboard by default, plus subcommands."""

from __future__ import annotations

import argparse
import gc

from axom_tui import __version__

EPILOG = """\
examples:
  axom-tui --demo                      try it against the built-in simulator
  AXOM_KEY=axom_live_… axom-tui        watch your runs (key from the environment)
  axom-tui --profile staging           use the [profiles.staging] settings
  axom-tui jobs --json                 print the job list once, as JSON
  axom-tui watch 5f0aac7e              follow one run (an id, its start, or a name); exit 0 on completed
  axom-tui download RUN --dest DIR     download a run's model into DIR/<name>-<version>/
  axom-tui export RUN --csv - | head   a run's metrics as CSV, to a file or standard output
  axom-tui sim --port 8321             serve the Fusion API simulator
  axom-tui config show                 show settings and where each came from
  axom-tui cache size                  what the local run cache holds (path, clear [JOB])
  axom-tui bundle JOB_ID -o run.axom   one file with a run's whole history, to view offline
  axom-tui open run.axom               the dashboard on a bundle: no key, no network
"""


def add_connection_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url", dest="base_url", default=None, help="API base URL (env AXOM_BASE_URL)"
    )
    parser.add_argument(
        "--insecure",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="allow plain http:// to a non-loopback host",
    )
    parser.add_argument("--profile", default=None, help="settings profile from the config file")
    parser.add_argument("--config", default=None, help="config file (env AXOM_CONFIG)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="axom-tui",
        description="Terminal dashboard for Axom Fusion training runs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"axom-tui {__version__}")
    parser.add_argument("--demo", action="store_true", help="run against the built-in simulator")
    parser.add_argument(
        "--speed", type=float, default=30.0, help="demo: simulated clock speed (default 30)"
    )
    parser.add_argument("--seed", type=int, default=7, help="demo: simulator seed")
    parser.add_argument(
        "--faults", default=None, help="demo: simulator fault spec (see `axom-tui sim -h`)"
    )
    parser.add_argument("--theme", default=None, help="theme name (axom-dark, axom-light, …)")
    parser.add_argument(
        "--ascii",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw charts and borders without braille/box characters",
    )
    parser.add_argument(
        "--mouse",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="--no-mouse leaves native text selection to the terminal",
    )
    parser.add_argument(
        "--log-cap", dest="log_cap", type=int, default=None, help="log lines kept per run"
    )
    parser.add_argument(
        "--cache",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="--no-cache: neither read nor write the local run cache",
    )
    add_connection_flags(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from axom_tui.cli import config_cmd as config_cli, download_cmd as download_cli, headless
    from axom_tui.sim import cli as sim_cli

    sim_cli.add_arguments(sub.add_parser("sim", help="serve the Fusion API simulator"))
    download_parser = sub.add_parser("download", help="download the model a completed run produced")
    download_cli.add_arguments(download_parser)
    config_cli.add_arguments(sub.add_parser("config", help="show the config file path or settings"))
    headless.add_subcommands(sub, add_connection_flags)
    from axom_tui.cli import cache_cmd as history_cli

    history_cli.add_subcommands(sub, add_connection_flags)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates a few hundred thousand objects (modules, styles, widgets) that
    # live as long as the process: collecting on the way only costs time before the first
    # frame. The dashboard turns the collector back on once that frame is out.
    gc.disable()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is not None:
        gc.enable()
    try:
        if args.command == "sim":
            from axom_tui.sim import cli as sim_cli

            return sim_cli.run(args)
        if args.command == "download":
            from axom_tui.cli import download_cmd as download_cli

            return download_cli.run(args)
        if args.command == "config":
            from axom_tui.cli import config_cmd as config_cli

            return config_cli.run(args)
        if args.command in ("cache", "bundle", "open"):
            from axom_tui.cli import cache_cmd as history_cli

            return history_cli.run(args)
        if args.command in ("jobs", "watch", "export"):
            from axom_tui.cli import headless

            return headless.run(args)
        from axom_tui.cli.launch import run_dashboard

        return run_dashboard(args)
    except KeyboardInterrupt:
        return 130
