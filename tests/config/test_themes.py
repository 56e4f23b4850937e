"""The shipped themes, user themes, bad theme files, and themes inside a real Textual App."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from axom_tui.api.records import KNOWN_STATUSES
from axom_tui.config.theme_files import (
    CHART_VARIABLES,
    COLOR_FIELDS,
    STATUS_VARIABLES,
    THEME_VARIABLES,
    ThemeFileError,
    builtin_theme_dirs,
    load_theme_specs,
    parse_theme_file,
    status_variable,
    theme_variable_defaults,
)
from axom_tui.ui.theming import load_themes

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "themes").glob("*.toml"))
GOOD_USER_THEME = """
name = "my-theme"
primary = "#FF00FF"
[variables]
status-running = "#00FF00"
"""


def contrast(a: str, b: str) -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_at_least_four_themes_ship_and_all_load_cleanly(tmp_path: Path) -> None:
    names = {path.stem for path in SHIPPED}
    assert {"axom-dark", "axom-light", "axom-high-contrast"} <= names and len(names) >= 4
    themes, problems = load_themes(env={"AXOM_THEMES_DIR": str(tmp_path)})  # no user themes
    assert problems == []
    assert names <= {theme.name for theme in themes}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_theme_is_complete_and_readable(path: Path) -> None:
    spec = parse_theme_file(path)
    assert spec.name == path.stem
    assert set(COLOR_FIELDS) <= set(spec.colors)  # the shipped ones set every Theme colour
    assert set(THEME_VARIABLES) <= set(spec.variables)
    background = spec.colors["background"]
    for variable in (*STATUS_VARIABLES, *CHART_VARIABLES, "stderr"):
        if variable != "chart-raw":  # the raw series is dimmed on purpose
            minimum = 7.0 if "high-contrast" in spec.name else 4.5
            assert contrast(spec.variables[variable], background) >= minimum, variable
    assert contrast(spec.colors["foreground"], background) >= 7.0
    # Preempted will be retried: it must not look like a failure.
    assert spec.variables["status-preempted"].lower() not in {
        spec.variables["status-failed"].lower(),
        spec.colors["error"].lower(),
    }
    statuses = [spec.variables[v].lower() for v in STATUS_VARIABLES]
    assert len(set(statuses)) == len(statuses), "two statuses share a colour"
    assert spec.dark is (spec.name != "axom-light")


def test_status_variables_cover_every_api_status() -> None:
    assert {status_variable(status) for status in KNOWN_STATUSES} == set(STATUS_VARIABLES) - {
        "status-unknown"
    }
    assert status_variable("Running") == "status-running"
    assert status_variable("exploded") == "status-unknown"
    assert status_variable("") == "status-unknown"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nprimary = \n', "not valid TOML"),
        ('primary = "#fff"\n', "name: missing"),
        ('name = "a,b"\nprimary = "#fff"\n', "name: expected"),
        ('name = "x"\n', "primary: missing"),
        ('name = "x"\nprimary = "not a colour!"\n', "primary: expected a colour"),
        ('name = "x"\nprimary = "#fff"\nprimay = "#000"\n', "unknown key 'primay'"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"\n', "dark: expected true or false"),
        (
            'name = "x"\nprimary = "#fff"\n[variables]\nstatus-failed = 3\n',
            "variables.status-failed",
        ),
        (
            'name = "x"\nprimary = "#fff"\n[variables]\nstatus-failed = "#12"\n',
            "variables.status-failed",
        ),
    ],
)
def test_bad_theme_files_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ThemeFileError) as caught:
        parse_theme_file(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_a_broken_user_theme_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('name = "broken"\nprimary = "#zzzzzz"\n')
    (tmp_path / "textual-rejects.toml").write_text('name = "odd"\nprimary = "notacolourname"\n')
    (tmp_path / "good.toml").write_text(GOOD_USER_THEME)
    themes, problems = load_themes(env={"AXOM_THEMES_DIR": str(tmp_path)})
    names = {theme.name for theme in themes}
    assert "my-theme" in names and "axom-dark" in names
    assert "broken" not in names and "odd" not in names
    assert len(problems) == 2
    assert any("broken.toml" in p and "primary" in p for p in problems)
    assert any("textual-rejects.toml" in p and "primary" in p for p in problems)
    mine = next(theme for theme in themes if theme.name == "my-theme")
    assert mine.variables["status-running"] == "#00FF00"
    assert set(THEME_VARIABLES) <= set(mine.variables)  # the rest filled from the fallbacks


def test_a_user_theme_overrides_a_builtin_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('name = "axom-dark"\nprimary = "#123456"\ndark = true\n')
    themes, problems = load_themes(env={"AXOM_THEMES_DIR": str(tmp_path)})
    assert problems == []
    dark = [theme for theme in themes if theme.name == "axom-dark"]
    assert len(dark) == 1 and dark[0].primary == "#123456"
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "x.toml").write_text('name = "axom-dark"\nprimary = "#654321"\n')
    themes, _ = load_themes([extra], env={"AXOM_THEMES_DIR": str(tmp_path)})
    assert next(t for t in themes if t.name == "axom-dark").primary == "#654321"


def test_missing_themes_dir_from_env_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    themes, problems = load_themes(env={"AXOM_THEMES_DIR": str(tmp_path / "nope")})
    assert "axom-dark" in {theme.name for theme in themes}
    assert len(problems) == 1 and "AXOM_THEMES_DIR" in problems[0]


def test_builtin_theme_dirs_in_checkout_and_wheel_layouts(tmp_path: Path) -> None:
    assert builtin_theme_dirs() == [REPO / "themes"]
    # Wheel: site-packages/axom_tui/_themes, and a stray site-packages/themes is ignored.
    site = tmp_path / "site-packages"
    (site / "axom_tui" / "_themes").mkdir(parents=True)
    (site / "themes").mkdir()
    assert builtin_theme_dirs(site / "axom_tui") == [site / "axom_tui" / "_themes"]
    # Checkout: <repo>/axom_tui and <repo>/themes next to pyproject.toml.
    repo = tmp_path / "repo"
    (repo / "axom_tui").mkdir(parents=True)
    (repo / "themes").mkdir()
    (repo / "pyproject.toml").write_text("")
    assert builtin_theme_dirs(repo / "axom_tui") == [repo / "themes"]


def test_later_duplicate_in_one_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD_USER_THEME)
    (tmp_path / "b.toml").write_text(GOOD_USER_THEME.replace("#FF00FF", "#00FFFF"))
    specs, problems = load_theme_specs([tmp_path])
    assert specs["my-theme"].colors["primary"] == "#00FFFF" and "a.toml" in problems[0]


def test_parsing_themes_and_loading_settings_import_no_textual() -> None:
    code = (
        "import sys; from axom_tui.config.theme_files import load_theme_specs, builtin_theme_dirs; "
        "import axom_tui.config, axom_tui.cli.config_cmd; load_theme_specs(builtin_theme_dirs()); "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


class ThemedApp(App[None]):
    CSS = """
    #running { color: $status-running; }
    #failed { color: $status-failed; background: $panel; }
    #raw { color: $chart-raw; }
    """

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    def compose(self) -> ComposeResult:
        yield Static("running", id="running")
        yield Static("failed", id="failed")
        yield Static("raw", id="raw")


async def test_themes_register_and_switch_in_a_textual_app(tmp_path: Path) -> None:
    themes, problems = load_themes(env={"AXOM_THEMES_DIR": str(tmp_path)})
    assert problems == []
    app = ThemedApp()
    for theme in themes:
        app.register_theme(theme)
    app.theme = "axom-dark"
    async with app.run_test(size=(40, 10)) as pilot:
        for theme in themes:
            app.theme = theme.name
            await pilot.pause()
            assert app.current_theme.name == theme.name
            wanted = tomllib.loads((REPO / "themes" / f"{theme.name}.toml").read_text())
            failed = app.query_one("#failed", Static).styles.color
            assert failed.hex.upper() == wanted["variables"]["status-failed"].upper()
            assert (
                app.get_css_variables()["status-running"] == wanted["variables"]["status-running"]
            )
        app.theme = "textual-light"  # a Textual theme without our variables still works
        await pilot.pause()
        fallback = theme_variable_defaults()["status-failed"].upper()
        assert app.query_one("#failed", Static).styles.color.hex.upper() == fallback
