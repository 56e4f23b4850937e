"""save_theme_choice, render_settings and the `config path|show` subcommands."""

from __future__ import annotations

import argparse
import os
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from axom_tui.cli import config_cmd as config_cli
from axom_tui.config import ConfigError, load_settings, render_settings, save_theme_choice

KEY = "axom_live_0123456789abcdefSECRET"
EXISTING = """\
# my axom config
base_url = "https://file.example"  # work cluster
key = "axom_live_fromthefile_zyxwvu9876"

# polling
[poll]
focused = 3.0

[profiles.staging]
theme = "axom-light"
"""


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_theme_creates_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_theme_choice(path, "axom-nord")
    assert tomllib.loads(path.read_text()) == {"theme": "axom-nord"}
    if os.name != "nt":
        assert mode_of(path) == 0o600
        assert mode_of(path.parent) & 0o077 == 0


@pytest.mark.parametrize("existing_theme", [None, 'theme = "axom-dark"'])
def test_save_theme_preserves_everything_else_and_stays_0600(
    tmp_path: Path, existing_theme: str | None
) -> None:
    text = (
        EXISTING
        if existing_theme is None
        else EXISTING.replace("# polling", f"{existing_theme}\n\n# polling")
    )
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    save_theme_choice(path, "axom-high-contrast")

    updated = path.read_text()
    before, after = tomllib.loads(text), tomllib.loads(updated)
    assert after == {**before, "theme": "axom-high-contrast"}
    assert "# work cluster" in updated and updated.startswith("# my axom config\n")
    assert updated.index("# polling") == updated.index("[poll]") - len(
        "# polling\n"
    )  # comment kept with its table
    assert updated.count("theme = ") == 2  # ours + the profile's, no duplicates
    if os.name != "nt":
        assert mode_of(path) == 0o600
    assert load_settings(config_path=path, env={}).theme == "axom-high-contrast"
    assert load_settings(config_path=path, profile="staging", env={}).theme == "axom-light"


def test_save_theme_into_a_file_with_no_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("log_cap = 500")  # no trailing newline
    path.chmod(0o600)
    save_theme_choice(path, "axom-light")
    assert tomllib.loads(path.read_text()) == {"log_cap": 500, "theme": "axom-light"}


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_save_theme_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "axom.toml"
    real.parent.mkdir()
    real.write_text("log_cap = 500\n")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    save_theme_choice(link, "axom-nord")
    assert link.is_symlink()
    assert tomllib.loads(real.read_text())["theme"] == "axom-nord"


def test_save_theme_refuses_to_touch_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("this is = = not toml\n")
    with pytest.raises(ConfigError, match="theme choice not saved"):
        save_theme_choice(path, "axom-nord")
    assert path.read_text() == "this is = = not toml\n"


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    name=st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20).filter(
        lambda s: s.strip() == s and s != ""
    )
)
def test_any_theme_name_round_trips(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    path = tmp_path_factory.mktemp("rt") / "config.toml"
    path.write_text(EXISTING)
    path.chmod(0o600)
    save_theme_choice(path, name)
    assert load_settings(config_path=path, env={}).theme == name


@pytest.mark.parametrize("key", [KEY, "short-key", "axom_live_abc"])
def test_render_settings_never_contains_the_key(tmp_path: Path, key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[poll]\nfocused = 4.0\n[keymap]\nrefresh = "f5"\n')
    settings = load_settings(
        config_path=path,
        env={"AXOM_KEY": key, "AXOM_THEME": "axom-nord"},
        overrides={"log_cap": 2000},
    )
    text = render_settings(settings)
    assert key not in text
    assert "# key: " in text and "env AXOM_KEY" in text
    lines = text.splitlines()
    assert any(line.startswith("focused = 4.0") and line.endswith("# file") for line in lines)
    assert any(
        line.startswith('theme = "axom-nord"') and line.endswith("# env AXOM_THEME")
        for line in lines
    )
    assert any(line.startswith("log_cap = 2000") and line.endswith("# flag") for line in lines)
    assert any(line.startswith("max_rps = 8.0") and line.endswith("# default") for line in lines)
    assert 'refresh = "f5"' in lines
    parsed = tomllib.loads(text)  # TOML-ish enough to read back
    assert parsed["poll"]["focused"] == 4.0 and "key" not in parsed


def config_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="axom-tui")
    sub = parser.add_subparsers(dest="command")
    config_cli.add_arguments(sub.add_parser("config"))
    return parser


def test_config_path_prints_the_axom_config_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AXOM_CONFIG", str(tmp_path / "c.toml"))
    assert config_cli.run(config_parser().parse_args(["config", "path"])) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "c.toml")


def test_config_show_masks_the_key_and_reports_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'key = "{KEY}"\n[profiles.dev]\nbase_url = "http://localhost:9000"\n')
    path.chmod(0o600)
    monkeypatch.delenv("AXOM_KEY", raising=False)
    args = config_parser().parse_args(["config", "show", "--config", str(path), "--profile", "dev"])
    assert config_cli.run(args) == 0
    out = capsys.readouterr()
    assert KEY not in out.out + out.err
    assert 'base_url = "http://localhost:9000"' in out.out and "# profile dev" in out.out

    args = config_parser().parse_args(
        ["config", "show", "--config", str(path), "--profile", "nope"]
    )
    assert config_cli.run(args) == 2
    err = capsys.readouterr().err
    assert "unknown profile 'nope'" in err and "dev" in err and "Traceback" not in err


def test_show_says_which_folder_files_go_to_when_none_is_set(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(config_path=tmp_path / "none.toml")
    text = render_settings(settings)
    assert f'download_dir = "{tmp_path}"' in text and f'screenshot_dir = "{tmp_path}"' in text
    assert 'download_dir = ""' not in text
