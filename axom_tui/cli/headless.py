"""Commands without the full screen: `jobs`, `watch`, `export`. Output is plain and pipe-safe.

A run is named by any unique id prefix or its exact name (:mod:`axom_tui.cli.run_ref`); a
reader that goes away (`| head`) ends a command quietly (:mod:`axom_tui.cli.pipes`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from axom_tui.api.client import AxomClient
from axom_tui.api.errors import AxomError
from axom_tui.api.records import Job
from axom_tui.base.sanitize import clean_text
from axom_tui.cli import pipes
from axom_tui.cli.run_ref import RunRefError, resolve_run


def add_subcommands(sub: argparse._SubParsersAction, add_connection_flags) -> None:
    jobs = sub.add_parser("jobs", help="print the job list once")
    jobs.add_argument("--json", action="store_true", help="machine-readable JSON")
    jobs.add_argument(
        "--status", default=None, help="only runs with these statuses (comma-separated)"
    )
    jobs.add_argument(
        "--details",
        action="store_true",
        help="loss and cost of every finished run, not only the newest 50 (a request each)",
    )
    watch = sub.add_parser(
        "watch", help="follow one run as plain lines; exit 0 completed, 1 failed"
    )
    watch.add_argument("job_id", metavar="JOB_ID", help="an id (any unique prefix) or a run's name")
    watch.add_argument(
        "--every", type=int, default=500, metavar="N", help="a metrics line every N steps"
    )
    watch.add_argument("--no-logs", dest="logs", action="store_false", help="leave out log lines")
    export = sub.add_parser("export", help="write a run's metrics as CSV")
    export.add_argument(
        "job_id", metavar="JOB_ID", help="an id (any unique prefix) or a run's name"
    )
    export.add_argument(
        "--csv", required=True, metavar="FILE", help="file to write; - for standard output"
    )
    for parser in (jobs, watch, export):
        add_connection_flags(parser)


def _client(args: argparse.Namespace) -> AxomClient:
    from axom_tui.cli.launch import settings_from_args

    settings = settings_from_args(args)
    if not settings.key:
        raise SystemExit("axom-tui: no API key: set AXOM_KEY (or `key` in the config file)")
    return AxomClient(settings.base_url, settings.key)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from axom_tui.config import ConfigError
    from axom_tui.config.connection import ConnectionSettingsError

    out = out or sys.stdout
    if args.command == "jobs" and args.status is not None:
        from axom_tui.cli.job_listing import parse_statuses

        try:
            args.status = parse_statuses(args.status)
        except ValueError as exc:
            print(f"axom-tui: jobs --status: {exc}", file=sys.stderr)
            return 2
    try:
        client = _client(args)
    except (ConfigError, ConnectionSettingsError) as exc:
        print(f"axom-tui: {exc}", file=sys.stderr)
        return 2
    command = {"jobs": _jobs, "watch": _watch, "export": _export}[args.command]
    try:
        code = asyncio.run(_closing(client, command(client, args, out)))
        out.flush()
        return code
    except BrokenPipeError:
        # `jobs` and `export` write only once they have everything: they would have
        # succeeded (`watch` settles its own status, see _watch).
        pipes.silence(out)
        return 0
    except RunRefError as exc:
        print(f"axom-tui: {exc}", file=sys.stderr)
        return 2
    except AxomError as exc:
        print(f"axom-tui: {clean_text(exc, 400)}", file=sys.stderr)
        return 1


MAX_PAGES = 1000  # of 200 runs: a server whose cursors never end is not followed past this


async def _closing(client: AxomClient, coro) -> int:
    try:
        return await coro
    finally:
        await client.aclose()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


async def _all_jobs(client: AxomClient, status: str | None) -> list[Job]:
    """Every page of the job list (``next`` / ``?cursor=``); what was left out goes to stderr."""
    jobs: list[Job] = []
    cursor: str | None = None
    skipped = 0
    for _ in range(MAX_PAGES):
        page = await client.list_jobs(status=status, limit=200, cursor=cursor)
        jobs.extend(page)
        skipped += page.issues.skipped
        if page.issues.skipped or page.issues.emptied:
            print(
                f"axom-tui: GET /jobs: {clean_text(page.issues.describe(), 300)}", file=sys.stderr
            )
        if page.next is None or page.next == cursor:
            break
        cursor = page.next
    return list({job.id: job for job in jobs}.values())  # a run on two pages once


async def _jobs(client: AxomClient, args: argparse.Namespace, out: TextIO) -> int:
    from axom_tui.cli.job_listing import derived, enrich, server_now, table

    jobs = await _all_jobs(client, args.status)
    enriched = await enrich(client, jobs, every=getattr(args, "details", False))
    items = enriched.items
    if enriched.not_asked:
        print(
            f"axom-tui: loss and cost of {enriched.not_asked:,} older finished runs not asked"
            " for (--details asks for every run's: a request each)",
            file=sys.stderr,
        )
    if enriched.late:
        print(
            f"axom-tui: the figures of {enriched.late:,} runs did not come in time: shown as —",
            file=sys.stderr,
        )
    if args.json:
        now = server_now(items)
        rows = [
            {
                **{k: v for k, v in asdict(item.job).items() if k != "issues"},
                "derived": derived(item, now),
            }
            for item in items
        ]
        json.dump([_jsonable(row) for row in rows], out, indent=2, allow_nan=False)
        out.write("\n")
        return 0
    out.writelines(line + "\n" for line in table(items))
    return 0


async def _watch(client: AxomClient, args: argparse.Namespace, out: TextIO) -> int:
    from axom_tui.poll import PollScheduler
    from axom_tui.store import RunStore

    job_id = (await resolve_run(client, args.job_id)).id
    store = RunStore()
    scheduler = PollScheduler(client, store)
    scheduler.focus(job_id)
    changed = asyncio.Event()
    store.set_dirty_callback(changed.set)
    task = asyncio.create_task(scheduler.run())
    printer = _WatchPrinter(args, out)
    settled_at: float | None = None
    loop = asyncio.get_running_loop()
    try:
        while True:
            try:
                await asyncio.wait_for(changed.wait(), timeout=1.0)
            except TimeoutError:
                pass
            changed.clear()
            store.drain_changes()
            conn = store.connection
            if conn.state in ("auth", "forbidden"):  # only a slow probe would follow: give up
                print(f"axom-tui: {clean_text(conn.message, 400)}", file=sys.stderr)
                return 1
            run = store.runs.get(job_id)
            if run is not None and run.gone:
                print(f"axom-tui: run {clean_text(job_id, 60)} not found", file=sys.stderr)
                return 2
            if run is None:
                continue
            try:
                if printer.show(run):  # something new printed
                    settled_at = None
                if run.job is not None and run.job.terminal:
                    # Give the scheduler's final fetches (last logs and metrics) a moment to land.
                    settled_at = settled_at or loop.time()
                    if loop.time() - settled_at >= 2.0:
                        printer.finish(run)
                        return _outcome(run)
            except BrokenPipeError:
                # Nobody reads any more: stop now, with the run's outcome if it has one.
                pipes.silence(out)
                return (
                    _outcome(run) if run.job is not None and run.job.terminal else pipes.PIPE_CLOSED
                )
    finally:
        scheduler.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _outcome(run) -> int:
    return 0 if run.job.status == "completed" else 1


class _WatchPrinter:
    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.every = max(1, args.every)
        self.logs = args.logs
        self.out = out
        self.status: str | None = None
        self.retries = 0
        self.last_seq = 0
        self.next_metric_step = 0
        self.started = False  # the run's history printed
        self.waited = 0

    def show(self, run) -> bool:
        printed = False
        job = run.job
        if not self.started:
            if job is None or not self._history_ready(run):
                return False
            self._history(run)
            printed = self.started = True
        if job is not None and (job.status != self.status or job.retries != self.retries):
            note = (
                f" (retry {job.retries}, normal on spot capacity)"
                if job.status == "preempted"
                else ""
            )
            self._line(f"status {clean_text(job.status, 30)}{note}")
            self.status, self.retries, printed = job.status, job.retries, True
        series = run.metrics
        if (
            len(series)
            and series.last_step is not None
            and series.last_step >= self.next_metric_step
        ):
            total = f"/{job.total_steps}" if job and job.total_steps else ""
            self._line(
                f"step {series.last_step}{total} loss {series.latest('loss'):.4g} "
                f"grad_norm {series.latest('grad_norm'):.4g} lr {series.latest('lr'):.3g}"
            )
            self.next_metric_step = (series.last_step // self.every + 1) * self.every
            printed = True
        if self.logs:
            for line in run.logs:
                if line.seq > self.last_seq:
                    self._line(
                        f"{'ERR' if line.stream == 'stderr' else 'log'} {clean_text(line.text, 2000)}"
                    )
                    self.last_seq = line.seq
                    printed = True
        return printed

    def _history_ready(self, run) -> bool:
        """The run's events (and logs) have come, or a few seconds passed without them."""
        from axom_tui.store.vocab import FeedKind

        self.waited += 1  # show() runs at least once a second
        kinds = (FeedKind.EVENTS, FeedKind.LOGS) if self.logs else (FeedKind.EVENTS,)
        return self.waited > 5 or all(run.feed(kind).last_ok is not None for kind in kinds)

    def _history(self, run) -> None:
        from axom_tui.cli.watch_history import history

        logs = list(run.logs) if self.logs else []
        for stamp, text in history(run.events, logs):
            self._line(text, stamp)
        if logs:
            self.last_seq = max(line.seq for line in logs)

    def finish(self, run) -> None:
        job = run.job
        if job.status == "failed":
            self._line(f"failed: {clean_text(job.error or 'no reason given', 500)}")
        elif run.result is not None and run.result.ppl_final is not None:
            self._line(f"completed: perplexity {run.result.ppl_baseline} -> {run.result.ppl_final}")
        self.out.flush()

    def _line(self, text: str, at: datetime | None = None) -> None:
        when = at.astimezone() if at is not None else datetime.now()
        self.out.write(f"{when.strftime('%H:%M:%S')} {text}\n")
        self.out.flush()


async def _export(client: AxomClient, args: argparse.Namespace, out: TextIO) -> int:
    from axom_tui.store.csv_export import fetch_points, write_csv, write_csv_file

    job = await resolve_run(client, args.job_id)
    points = await fetch_points(client, job.id)
    if args.csv == "-":
        write_csv(points, out)
        return 0
    path = Path(args.csv)
    rows = write_csv_file(points, path)
    out.write(f"wrote {rows} points to {path}\n")
    return 0
