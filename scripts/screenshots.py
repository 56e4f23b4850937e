"""Regenerate the README screenshots from the demo at a fixed size.

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--only NAME]

Runs the simulator in-process (seed 7) and drives the real app headless with Textual's
Pilot; each shot is an SVG (convert with `rsvg-convert x.svg -o x.png` to look at it).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from axom_tui.runtime.services import build_services, start_demo_server
from axom_tui.ui.app import AxomApp
from axom_tui.ui.messages import RunChosen
from axom_tui.ui.settings import UiSettings

SIZE = (160, 48)


async def _wait_for(pilot, predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("screen never reached the expected state")
        await pilot.pause(0.2)


async def _settled(pilot, size, quiet: float = 2.0, timeout: float = 60.0) -> None:
    """Until ``size()`` has not changed for ``quiet`` seconds (a run's history is in)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, since = size(), loop.time()
    while loop.time() - since < quiet and loop.time() < deadline:
        await pilot.pause(0.2)
        if size() != last:
            last, since = size(), loop.time()


def _first(store, statuses: tuple[str, ...]) -> str | None:
    for job_id in store.order:
        run = store.runs.get(job_id)
        if run and run.job and run.job.status in statuses:
            return job_id
    return None


async def shoot(out: Path, only: str | None, theme: str | None) -> list[Path]:
    server, base_url, key = start_demo_server(speed=30.0, seed=7)
    saved: list[Path] = []
    try:
        services = build_services(base_url, key)
        settings = UiSettings(label="demo", theme=theme or "axom-dark", notify_desktop=False)
        app = AxomApp(services, settings)
        async with app.run_test(size=SIZE) as pilot:
            store = services.store
            await _wait_for(pilot, lambda: _first(store, ("running",)) is not None)
            suffix = f"-{theme}" if theme else ""

            def save(name: str) -> None:
                if only is None or only == name:
                    path = out / f"{name}{suffix}.svg"
                    path.write_text(app.export_screenshot(title=f"axom-tui — {name}"))
                    saved.append(path)

            async def shoot(name: str, *keys: str) -> None:
                """Press ``keys``, let the screen settle, save it; escape leaves it."""
                await pilot.press(*keys)
                await pilot.pause(1.0)
                save(name)
                await pilot.press("escape")

            running = _first(store, ("running",))
            app.post_message(RunChosen(running))
            await _wait_for(pilot, lambda: len(store.runs[running].metrics) > 50)
            await pilot.pause(1.5)
            save("dashboard")
            if theme:
                return saved

            # a finished run's result card
            done = _first(store, ("completed",))
            app.post_message(RunChosen(done))
            await _wait_for(
                pilot,
                lambda: store.runs[done].result is not None and len(store.runs[done].metrics) > 10,
            )
            await pilot.pause(1.0)
            save("result")

            # the chart's cursor: parked on the live run, logs marked at its moment
            app.post_message(RunChosen(running))
            await pilot.pause(1.0)
            await shoot("chart-cursor", "C", *["left"] * 12)

            # a grad_norm explosion in the longest finished run, zoomed in on (n…, then +)
            done_runs = [
                j
                for j in store.order
                if store.runs[j].job and store.runs[j].job.status == "completed"
            ]
            longest = max(done_runs, key=lambda j: store.runs[j].job.total_steps or 0)
            app.post_message(RunChosen(longest))
            await _settled(pilot, lambda: len(store.runs[longest].metrics))
            await pilot.press("C", "home", "n")
            chart = app.screen.query_one("#chart")
            for _ in range(40):
                if "grad_norm explosion" in chart.readout:
                    break
                await pilot.press("n")
            await shoot("chart-zoom-spike", *["plus"] * 4)

            # log search inside the pane
            app.post_message(RunChosen(running))
            await pilot.pause(1.0)
            await shoot("log-search", "L", "slash", *"loss", "enter")
            await pilot.press("J")

            # compare view: mark the live runs
            marked = 0
            for job_id in list(store.order):
                run = store.runs[job_id]
                if run.job and run.job.status in (
                    "running",
                    "checkpointing",
                    "preempted",
                    "completed",
                ):
                    app.post_message(RunChosen(job_id))
                    await pilot.pause(0.1)
                    await pilot.press("space")
                    marked += 1
                if marked == 4:
                    break
            await pilot.press("c")
            await pilot.pause(3.0)
            save("compare")
    finally:
        server.stop()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--only", default=None)
    parser.add_argument("--theme", default=None, help="only the dashboard, in this theme")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(args.out, args.only, args.theme)):
        print(path)


if __name__ == "__main__":
    main()
