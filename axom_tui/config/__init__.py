"""Settings: command-line flags over environment over the TOML config file over defaults.

The file lives in the platform config folder (``AXOM_CONFIG`` overrides the path) and
may hold named ``[profiles.NAME]`` tables that override any top-level setting. A file
that holds the API key must be private (mode 0600); the key is never accepted as a flag.
No Textual here: the CLI and the tests load settings without a UI.
"""

from axom_tui.config.load import (
    APP_NAME,
    CONFIG_ENV,
    PROFILE_ENV,
    config_dir,
    default_config_path,
    load_settings,
)
from axom_tui.config.schema import (
    ConfigError,
    NotifySettings,
    PollSettings,
    Settings,
    Source,
    setting_names,
)
from axom_tui.config.write import render_settings, save_theme_choice

__all__ = [
    "APP_NAME",
    "CONFIG_ENV",
    "PROFILE_ENV",
    "ConfigError",
    "NotifySettings",
    "PollSettings",
    "Settings",
    "Source",
    "config_dir",
    "default_config_path",
    "load_settings",
    "render_settings",
    "save_theme_choice",
    "setting_names",
]
