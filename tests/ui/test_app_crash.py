"""A crash inside the app: the report shows no locals and never the API key."""

from __future__ import annotations

import re

import pytest

from axom_tui.api.secret import mask_key
from axom_tui.ui.screens.dashboard import DashboardScreen
from ui_helpers import KEY, SIZE, make_app, renderable_text, sim_server, started


class Boom(RuntimeError):
    pass


def _exploding_refresh(self) -> None:
    leaked_key = self.app.services.client.key.reveal()  # a local holding the raw key
    headers = {"Authorization": f"Bearer {leaked_key}"}
    raise Boom(f"refresh failed with {headers}")


async def test_crash_report_is_redacted_and_has_no_locals(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(DashboardScreen, "action_refresh", _exploding_refresh)
    with sim_server() as server:
        app, _ = make_app(server, tmp_path)
        reports: list[str] = []
        original = app._print_error_renderables

        def keep_reports() -> None:
            reports.extend(renderable_text(r, 100) for r in app._exit_renderables)
            original()

        app._print_error_renderables = keep_reports  # type: ignore[method-assign]
        with pytest.raises(Boom):
            async with app.run_test(size=SIZE) as pilot:
                await started(pilot, app)
                await pilot.press("r")
                await pilot.pause(0.2)
        assert app.return_code == 1

    stderr = capsys.readouterr().err
    assert reports, "no crash report was produced"
    report = "\n".join(reports)
    for text in (report, stderr):
        assert "Boom" in text and "refresh failed with" in text  # the report is there …
        assert KEY not in text  # … without the key
        squashed = "".join(text.split())  # not even folded across lines
        assert KEY not in squashed and KEY[len("axom_live_") : -4] not in squashed
        assert mask_key(KEY) in text
        assert "leaked_key" in text  # the source line is shown …
        assert "leaked_key = '" not in text  # … but no locals table with its value
        assert not re.search(r"─\s*locals\s*─", text)  # rich's locals panel title
