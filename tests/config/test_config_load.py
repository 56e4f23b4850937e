"""load_settings: precedence, profiles, errors that name file/line/key, key-file permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from axom_tui.api.secret import ApiKey
from axom_tui.config import ConfigError, Settings, default_config_path, load_settings

KEY = "axom_live_0123456789abcdefSECRET"
FILE_KEY = "axom_live_fromthefile_zyxwvu9876"


def write(tmp_path: Path, text: str, mode: int = 0o600, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


FULL = """
base_url = "https://file.example"
theme = "axom-light"
log_cap = 20000
download_dir = "~/runs"

[poll]
focused = 3.0
max_in_flight = 6

[notify]
bell = true

[keymap]
refresh = "f5"
quit = "ctrl+q"

[profiles.staging]
base_url = "https://staging.example"
poll = { focused = 7.5 }
keymap = { quit = "q" }

[profiles.local]
base_url = "http://127.0.0.1:8080"
"""


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings(config_path=tmp_path / "missing.toml", env={})
    assert settings == Settings(
        config_path=tmp_path / "missing.toml", sources=settings.sources, warnings=settings.warnings
    )
    assert settings.log_cap == 10_000 and settings.theme == "axom-dark"
    # one notice (the header's) unless asked for more: a terminal may show OSC 9 as a toast
    assert (settings.notify.toast, settings.notify.bell, settings.notify.desktop) == (
        True,
        False,
        False,
    )
    assert not settings.key
    assert set(settings.sources.values()) == {"default"}


@pytest.mark.parametrize(
    ("name", "env_var", "env_value", "flag_value", "file_value", "read"),
    [
        (
            "base_url",
            "AXOM_BASE_URL",
            "https://env.example",
            "https://flag.example",
            "https://file.example",
            lambda s: s.base_url,
        ),
        ("theme", "AXOM_THEME", "axom-nord", "axom-high-contrast", "axom-light", lambda s: s.theme),
        ("poll.focused", "AXOM_POLL_FOCUSED", "4.5", 9.0, 3.0, lambda s: s.poll.focused),
        ("log_cap", "AXOM_LOG_CAP", "30000", 40000, 20000, lambda s: s.log_cap),
        ("notify.bell", "AXOM_NOTIFY_BELL", "no", True, True, lambda s: s.notify.bell),
    ],
)
def test_precedence_flag_over_env_over_file_over_default(
    tmp_path: Path, name, env_var, env_value, flag_value, file_value, read
) -> None:
    path = write(tmp_path, FULL)
    default = read(load_settings(config_path=tmp_path / "none.toml", env={}))
    from_file = load_settings(config_path=path, env={})
    from_env = load_settings(config_path=path, env={env_var: env_value})
    from_flag = load_settings(
        config_path=path, env={env_var: env_value}, overrides={name: flag_value}
    )
    unset_flag = load_settings(config_path=path, env={env_var: env_value}, overrides={name: None})

    assert read(from_file) == file_value != default
    assert read(from_env) != file_value and from_env.source(name) == "env"
    assert read(from_flag) == flag_value and from_flag.source(name) == "flag"
    assert read(unset_flag) == read(from_env)
    assert from_file.source(name) == "file"


def test_key_comes_from_env_over_file_and_never_from_a_flag(tmp_path: Path) -> None:
    path = write(tmp_path, f'key = "{FILE_KEY}"\n')
    assert load_settings(config_path=path, env={}).key == ApiKey(FILE_KEY)
    assert load_settings(config_path=path, env={"AXOM_KEY": KEY}).key == ApiKey(KEY)
    with pytest.raises(ConfigError, match="never taken from the command line"):
        load_settings(config_path=path, env={}, overrides={"key": KEY})


def test_profile_overrides_top_level_and_merges_keymap(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    plain = load_settings(config_path=path, env={})
    staging = load_settings(config_path=path, profile="staging", env={})
    assert plain.base_url == "https://file.example" and plain.poll.focused == 3.0
    assert staging.base_url == "https://staging.example" and staging.poll.focused == 7.5
    assert staging.source("base_url") == "profile" and staging.profile == "staging"
    assert staging.poll.max_in_flight == 6  # untouched by the profile
    assert dict(staging.keymap) == {"refresh": "f5", "quit": "q"}


def test_profile_from_env_and_flag_beats_env(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    assert (
        load_settings(config_path=path, env={"AXOM_PROFILE": "local"}).base_url
        == "http://127.0.0.1:8080"
    )
    chosen = load_settings(config_path=path, profile="staging", env={"AXOM_PROFILE": "local"})
    assert chosen.profile == "staging"


def test_unknown_profile_lists_the_available_ones(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="prod", env={})
    message = str(caught.value)
    assert "'prod'" in message and "local, staging" in message and str(path) in message


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "axom-dark"\n\n[poll]\nfocused = = 2\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, env={})
    assert str(path) in str(caught.value) and "line 4" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'theme = "x"\n[poll]\nfocused = "fast"\n',
            ':3: poll.focused: expected a number from 0.5 to 3600, got "fast"',
        ),
        ("[poll]\nlive = 0.1\n", ":2: poll.live: expected a number from 0.5"),
        ("log_cap = 50\n", ":1: log_cap: expected a whole number from 100 to 5e+06, got 50"),
        ("log_cap = 2000.5\n", ":1: log_cap: expected a whole number"),
        ('\n\nmouse = "yes"\n', ':3: mouse: expected true or false, got "yes"'),
        ("[notify]\nbell = 1\n", ":2: notify.bell: expected true or false, got 1"),
        (
            "[keymap]\nrefresh = 5\n",
            ':2: keymap.refresh: expected a key like "f5" or "ctrl+r", got 5',
        ),
        ("keymap = 5\n", ":1: keymap: expected a table of binding id"),
        ("poll = 3\n", ":1: poll: expected a table"),
        (
            "[profiles.s]\n\n[profiles.s.poll]\nlist = 0\n",
            ":4: profiles.s.poll.list: expected a number from 1",
        ),
    ],
)
def test_wrong_type_names_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, profile="s" if "profiles.s" in text else None, env={})
    assert str(caught.value).startswith(str(path))
    assert expected in str(caught.value)


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(
        ConfigError, match='AXOM_POLL_MAX_RPS: expected a number from 0.1 to 100, got "lots"'
    ):
        load_settings(
            config_path=Path("/nonexistent/config.toml"), env={"AXOM_POLL_MAX_RPS": "lots"}
        )


def test_wrong_type_of_key_does_not_echo_it(tmp_path: Path) -> None:
    path = write(tmp_path, "key = 123456789\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, env={})
    assert "key: expected a string" in str(caught.value) and "123456789" not in str(caught.value)


def test_unknown_keys_are_warnings_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "thme = 'x'\n[poll]\nfocussed = 3\n[profiles.a]\nbogus = 1\n")
    settings = load_settings(config_path=path, profile="a", env={})
    assert settings.theme == "axom-dark"
    joined = "\n".join(settings.warnings)
    assert f"{path}:1: unknown setting 'thme'" in joined and "did you mean 'theme'" in joined
    assert f"{path}:3: unknown setting 'poll.focussed'" in joined
    assert "'profiles.a.bogus'" in joined


def test_plain_http_to_a_remote_host_is_refused_unless_insecure(tmp_path: Path) -> None:
    path = write(tmp_path, 'base_url = "http://runs.example"\n')
    with pytest.raises(ConfigError, match=r"config.toml:1: base_url: refusing plain http://"):
        load_settings(config_path=path, env={})
    assert load_settings(config_path=path, env={"AXOM_INSECURE": "1"}).insecure is True


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
@pytest.mark.parametrize("where", ["top", "profile"])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, where: str) -> None:
    text = f'key = "{FILE_KEY}"\n' if where == "top" else f'[profiles.p]\nkey = "{FILE_KEY}"\n'
    path = write(tmp_path, text, mode=0o644)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=path, env={})
    message = str(caught.value)
    assert "0644" in message and "chmod 600" in message and FILE_KEY not in message
    path.chmod(0o600)
    assert load_settings(config_path=path, env={}).theme == "axom-dark"


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_readable_file_without_a_key_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "axom-nord"\n', mode=0o644)
    assert load_settings(config_path=path, env={}).theme == "axom-nord"


def test_axom_config_env_overrides_the_path(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "from-env-path"\n', name="elsewhere.toml")
    env = {"AXOM_CONFIG": str(path)}
    assert default_config_path(env) == path
    assert default_config_path({}).name == "config.toml" and default_config_path({}) != path
    settings = load_settings(env=env)
    assert settings.theme == "from-env-path" and settings.config_path == path
    explicit = write(tmp_path, 'theme = "explicit"\n', name="explicit.toml")
    assert load_settings(config_path=explicit, env=env).theme == "explicit"


def test_explicit_missing_file_warns(tmp_path: Path) -> None:
    settings = load_settings(env={"AXOM_CONFIG": str(tmp_path / "nope.toml")})
    assert any("not found" in warning for warning in settings.warnings)


def test_paths_expand_home_and_empty_means_unset(tmp_path: Path) -> None:
    path = write(tmp_path, 'download_dir = "~/runs"\nscreenshot_dir = ""\n')
    settings = load_settings(config_path=path, env={})
    assert settings.download_dir == Path.home() / "runs" and settings.screenshot_dir is None


def test_unknown_override_name_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown setting 'poll_focused'"):
        load_settings(config_path=tmp_path / "x.toml", env={}, overrides={"poll_focused": 1.0})
