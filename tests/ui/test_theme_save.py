"""T saves the theme choice to the config file, says where once, and never in --demo."""

from __future__ import annotations

from axom_tui.cli.launch import ui_settings
from axom_tui.config import load_settings
from ui_helpers import SIZE, make_app, record_notifications, sim_server, started


async def test_t_in_the_demo_leaves_the_config_file_alone(tmp_path):
    config = tmp_path / "config.toml"
    with sim_server() as server:
        app, _services = make_app(server, tmp_path, config_path=config, save_theme=False)
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            await pilot.press("T")
            await pilot.pause()
            assert app.theme != "axom-dark"
    assert not config.exists()


async def test_t_says_once_where_the_choice_is_saved(tmp_path):
    config = tmp_path / "config.toml"
    with sim_server() as server:
        app, _services = make_app(server, tmp_path, config_path=config)
        async with app.run_test(size=SIZE) as pilot:
            await started(pilot, app)
            toasts = record_notifications(app)
            await pilot.press("T", "T")
            await pilot.pause()
            theme = app.theme
    assert f'"{theme}"' in config.read_text()
    assert len(toasts.matching(f"saved to {config}")) == 1


def test_the_demo_does_not_save_the_theme(tmp_path):
    settings = load_settings(config_path=tmp_path / "config.toml", env={})
    assert not ui_settings(settings, "demo").save_theme
    assert ui_settings(settings, "").save_theme
