"""`axom-tui cache path|size|clear [RUN...]`, `axom-tui bundle RUN... -o FILE`, `axom-tui open FILE`."""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from axom_tui.api.records import Job
from axom_tui.base.sanitize import clean_text


def add_subcommands(
    sub: Any, add_connection_flags: Callable[[argparse.ArgumentParser], None]
) -> None:
    cache = sub.add_parser("cache", help="the local run cache: where it is, its size; clear it")
    cache.add_argument(
        "action",
        choices=("path", "size", "clear"),
        help="path: the file; size: what it holds; clear: remove runs (all, or JOB...)",
    )
    cache.add_argument(
        "job_ids", nargs="*", metavar="JOB", help="clear: only these runs (id or prefix)"
    )
    add_connection_flags(cache)
    bundle = sub.add_parser("bundle", help="write runs to one file to view offline (axom-tui open)")
    bundle.add_argument("job_ids", nargs="+", metavar="JOB_ID", help="run ids (or unique prefixes)")
    bundle.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    add_connection_flags(bundle)
    opener = sub.add_parser("open", help="the dashboard on a bundle: no key, no network")
    opener.add_argument("file", type=Path, metavar="FILE")
    opener.add_argument("--config", default=None, help="config file (theme, keys)")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    if args.command == "open":
        return _open(args, err)
    from axom_tui.cli.launch import settings_from_args
    from axom_tui.config import ConfigError
    from axom_tui.config.connection import ConnectionSettingsError

    try:
        settings = settings_from_args(args)
    except (ConfigError, ConnectionSettingsError) as exc:
        print(f"axom-tui: {exc}", file=err)
        return 2
    if args.command == "cache":
        return _cache(args, settings, out, err)
    return _bundle(args, settings, out, err)


# ---------------------------------------------------------------- cache


def _cache(args: argparse.Namespace, settings: Any, out: TextIO, err: TextIO) -> int:
    from axom_tui.history.location import cache_dir, cache_path

    folder = cache_dir(settings.cache_dir)
    if not settings.key:
        if args.action == "path":
            print(folder, file=out)
            print("axom-tui: no API key: the file for an account is in this folder", file=err)
            return 0
        print("axom-tui: no API key: set AXOM_KEY (each account has its own cache file)", file=err)
        return 2
    path = cache_path(settings.base_url, settings.key.reveal(), settings.cache_dir)
    if args.action == "path":
        print(path, file=out)
        return 0
    if not path.exists():
        print(f"no cache yet: {path}", file=out)
        return 0
    if args.action == "size":
        return _size(path, settings.cache_size_mb, out, err)
    return _clear(path, args.job_ids, out, err)


def _human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _size(path: Path, cap_mb: int, out: TextIO, err: TextIO) -> int:
    from axom_tui.history import db

    on_disk = sum(p.stat().st_size for p in db.companions(path) if p.exists())
    try:
        conn = db.connect(path, readonly=True)
        try:
            runs, points, lines = conn.execute(
                "SELECT count(*), coalesce(sum(points), 0), coalesce(sum(log_lines), 0) FROM runs"
            ).fetchone()
            top = conn.execute(
                "SELECT job_id, job, bytes, points FROM runs ORDER BY bytes DESC LIMIT 10"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        print(f"axom-tui: {path}: {clean_text(exc, 200)}", file=err)
        return 1
    print(
        f"{_human(on_disk)} on disk (cap {_human(cap_mb * 1024 * 1024)}): {runs:,} runs, "
        f"{points:,} metric points, {lines:,} log lines",
        file=out,
    )
    print(f"  {path}", file=out)
    for job_id, job, size, count in top:
        if count:
            name = _name(job) or job_id[:8]
            print(
                f"  {clean_text(job_id, 40)[:8]}  {clean_text(name, 40):<40} {_human(size):>10}  "
                f"{count:,} points",
                file=out,
            )
    return 0


def _name(job_blob: bytes | None) -> str:
    if job_blob is None:
        return ""
    from axom_tui.history import codec

    try:
        return codec.decode_job(job_blob).display_name
    except codec.CodecError:
        return ""


def _clear(path: Path, job_ids: list[str], out: TextIO, err: TextIO) -> int:
    from axom_tui.history import db
    from axom_tui.history.write import delete_run

    if not job_ids:
        for p in db.companions(path):
            p.unlink(missing_ok=True)
        print(f"cleared {path}", file=out)
        return 0
    try:
        conn = db.connect(path, create=False)
    except (sqlite3.Error, OSError) as exc:
        print(f"axom-tui: {path}: {clean_text(exc, 200)}", file=err)
        return 1
    try:
        from axom_tui.cli.run_ref import RunRefError, match_run

        known = _cached_jobs(path)
        chosen = []
        for wanted in job_ids:
            try:
                chosen.append(match_run(wanted, known).id)
            except RunRefError as exc:
                print(f"axom-tui: {exc} (in the cache)", file=err)
                return 2
        conn.execute("BEGIN IMMEDIATE")
        for job_id in chosen:
            delete_run(conn, job_id)
        conn.execute("COMMIT")
        conn.execute("PRAGMA incremental_vacuum")
    except sqlite3.Error as exc:
        print(f"axom-tui: {path}: {clean_text(exc, 200)}", file=err)
        return 1
    finally:
        conn.close()
    for job_id in chosen:
        print(f"cleared {clean_text(job_id, 60)}", file=out)
    return 0


# ---------------------------------------------------------------- bundle


class ProgressBar:
    """One line on stderr, redrawn in place on a terminal (plain lines otherwise)."""

    WIDTH = 30

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.tty = err.isatty()
        self._last = ""

    def __call__(self, p: Any) -> None:
        total = p.total or 0
        share = (
            min(1.0, p.done / total)
            if total and p.feed == "metrics"
            else (1.0 if p.feed == "done" else 0.0)
        )
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        what = (
            f"metrics {p.done:,}/{total:,} steps"
            if p.feed == "metrics" and total
            else f"{p.feed} {p.done:,}"
            if p.feed == "logs"
            else p.feed
        )
        line = (
            f"[{bar}] {p.index}/{p.runs} {clean_text(p.name, 30)}: {what} ({p.requests} requests)"
        )
        if self.tty:
            self.err.write("\r" + line[:150].ljust(len(self._last)))
            self.err.flush()
        elif p.feed == "done":
            self.err.write(line + "\n")
        self._last = line[:150]

    def end(self) -> None:
        if self.tty and self._last:
            self.err.write("\n")


def _bundle(args: argparse.Namespace, settings: Any, out: TextIO, err: TextIO) -> int:
    from axom_tui.api.client import AxomClient
    from axom_tui.api.errors import AxomError
    from axom_tui.cli.run_ref import RunRefError
    from axom_tui.history.bundle import make_bundle
    from axom_tui.history.location import cache_path, origin_of

    if not settings.key:
        print("axom-tui: no API key: set AXOM_KEY (or `key` in the config file)", file=err)
        return 2
    client = AxomClient(settings.base_url, settings.key)
    path = (
        cache_path(settings.base_url, settings.key.reveal(), settings.cache_dir)
        if settings.cache
        else None
    )
    bar = ProgressBar(err)

    async def go() -> Any:
        try:
            job_ids = await _resolve(client, path, args.job_ids)
            return await make_bundle(
                client,
                job_ids,
                args.output,
                cache_path=path,
                origin=origin_of(settings.base_url),
                on_progress=bar,
            )
        finally:
            await client.aclose()

    try:
        report = asyncio.run(go())
    except RunRefError as exc:
        bar.end()
        print(f"axom-tui: {exc}", file=err)
        return 2
    except (AxomError, OSError, sqlite3.Error) as exc:
        bar.end()
        print(f"axom-tui: {clean_text(exc, 300)}", file=err)
        return 1
    bar.end()
    print(
        f"wrote {report.path}: {report.runs} runs, {report.points:,} metric points, "
        f"{report.log_lines:,} log lines, {_human(report.bytes)} ({report.requests} requests)",
        file=out,
    )
    return 0


def _cached_jobs(cache: Path | None) -> list[Job]:
    """The runs the cache file knows, as records (a bare id where it has none)."""
    if cache is None or not cache.exists():
        return []
    from axom_tui.history import db, read

    try:
        conn = db.connect(cache, readonly=True)
        try:
            return [e.job or Job(id=e.job_id, status="") for e in read.read_index(conn)]
        finally:
            conn.close()
    except (sqlite3.Error, ValueError):
        return []


async def _resolve(client: Any, cache: Path | None, wanted: list[str]) -> list[str]:
    """Full run ids for ids, unique id starts or exact names (`axom_tui.cli.run_ref`'s rules):
    the cache's runs first, then the service's."""
    from axom_tui.cli.run_ref import UnknownRunRef, match_run, resolve_run

    cached = _cached_jobs(cache)
    ids = []
    for ref in wanted:
        try:
            ids.append(match_run(ref, cached).id)
        except UnknownRunRef:
            ids.append((await resolve_run(client, ref)).id)
    return list(dict.fromkeys(ids))


# ---------------------------------------------------------------- open


def _open(args: argparse.Namespace, err: TextIO) -> int:
    from axom_tui.history.bundle import is_bundle

    path: Path = args.file.expanduser()
    if not path.is_file() or not is_bundle(path):
        print(f"axom-tui: {path}: not an axom-tui bundle", file=err)
        return 2
    from axom_tui.cli.launch import open_bundle

    return open_bundle(args, path)
