"""``axom-tui download RUN [--dest DIR] [--base-url URL] [--insecure] [--parallel N]``.

RUN is a run's id, any unique start of it (the 8 characters ``jobs`` prints) or its exact
name, resolved as every shell command does (:mod:`axom_tui.cli.run_ref`); a model's id works
too.

The model goes into its own folder, ``<name>-<version>/``, inside ``--dest`` (default:
the current folder): the same rule as the dashboard's downloads folder, so a second
model never lands on top of the first and a resumed download finds its ``.part`` files.

Exit status: 0 when every file is complete and verified; 1 when the download failed
(including refused file names, no model for the run, API errors); 2 for usage or
configuration errors and a RUN that names several runs; 130 when interrupted (the ``.part`` files are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from axom_tui.api.client import AxomClient
from axom_tui.api.errors import AxomError
from axom_tui.base.sanitize import clean_text
from axom_tui.cli.run_ref import AmbiguousRunRef, UnknownRunRef, resolve_run
from axom_tui.config import ConfigError
from axom_tui.config.connection import ConnectionSettings, ConnectionSettingsError
from axom_tui.download.progress_text import ProgressPrinter, outcome_report

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MAX_PARALLEL = 16


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "job_id",
        metavar="RUN",
        help="a completed run: its id, a unique start of it, or its exact name",
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder to put the model's own folder in: the files go to "
        "DIR/<model-name>-<version>/ (default: the current folder)",
    )
    # SUPPRESS: when the main parser has these flags too, a value given before the
    # subcommand is not overwritten by this parser's default.
    parser.add_argument(
        "--base-url",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="API base URL (default: $AXOM_BASE_URL or the Axom console)",
    )
    parser.add_argument(
        "--insecure",
        action="store_true",
        default=argparse.SUPPRESS,
        help="allow plain http:// to a non-loopback API host",
    )
    parser.add_argument(
        "--parallel",
        type=int,
        default=3,
        metavar="N",
        help=f"files to fetch at once (1-{MAX_PARALLEL}, default 3)",
    )


def run(
    args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command; return the exit status. The key comes from ``AXOM_KEY`` or the config file."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parallel = getattr(args, "parallel", 3)
    if not isinstance(parallel, int) or not 1 <= parallel <= MAX_PARALLEL:
        err.write(f"axom-tui download: --parallel must be between 1 and {MAX_PARALLEL}\n")
        return EXIT_USAGE
    job_id = (args.job_id or "").strip()
    if not job_id:
        err.write("axom-tui download: RUN is empty\n")
        return EXIT_USAGE
    try:
        settings = _connection_settings(args)
    except (ConnectionSettingsError, ConfigError) as exc:
        err.write(f"axom-tui download: {exc}\n")
        return EXIT_USAGE
    if not settings.key:
        err.write("axom-tui download: no API key; set AXOM_KEY (a key with the 'models' scope)\n")
        return EXIT_USAGE
    try:
        return asyncio.run(_download(settings, job_id, args.dest, parallel, out, err))
    except KeyboardInterrupt:
        err.write("\ninterrupted; run the same command again to resume (.part files are kept)\n")
        return EXIT_INTERRUPTED


def _connection_settings(args: argparse.Namespace) -> ConnectionSettings:
    """Base URL and key from flags, environment and the config file (with --profile)."""
    from axom_tui.cli.launch import settings_from_args

    return settings_from_args(args).connection()


async def _download(
    settings: ConnectionSettings,
    job_id: str,
    dest: Path | None,
    parallel: int,
    out: TextIO,
    err: TextIO,
) -> int:
    from axom_tui.download.manager import DownloadManager  # loaded only when downloading

    tty = _isatty(out)
    printer = ProgressPrinter(out, tty)
    async with AxomClient(settings.base_url, settings.key) as client:
        try:
            job_id = (await resolve_run(client, job_id)).id
        except AmbiguousRunRef as exc:
            err.write(f"axom-tui download: {exc}\n")
            return EXIT_USAGE
        except UnknownRunRef:
            pass  # perhaps a model's id: the engine looks it up and says what it found
        except AxomError as exc:
            err.write(f"axom-tui download: {clean_text(exc, 400)}\n")
            return EXIT_FAILED
        async with DownloadManager(
            client,
            max_parallel_files=parallel,
            on_progress=printer,
            progress_interval=0.25 if tty else 0.5,
            base_dir=dest,
        ) as manager:
            outcome = await manager.download(job_id)
    out_lines, err_lines = outcome_report(outcome)
    for line in out_lines:
        out.write(line + "\n")
    out.flush()
    for line in err_lines:
        err.write(line + "\n")
    err.flush()
    return EXIT_OK if outcome.ok else EXIT_FAILED


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point: ``python -m axom_tui.cli.download_cmd JOB_ID ...``."""
    parser = argparse.ArgumentParser(
        prog="axom-tui download", description="Download the model a completed run produced."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
