"""Load the service configuration from config/settings.yaml, with environment overrides."""

import os
from pathlib import Path

import yaml

CONFIG_PATH = Path(os.environ.get("SETTINGS_FILE", "config/settings.yaml"))


def load_settings(path: Path = CONFIG_PATH) -> dict:
    """Read the YAML settings file and apply SETTINGS_* environment variables on top."""
    with open(path) as fh:
        settings = yaml.load(fh, Loader=yaml.Loader)
    for key, value in os.environ.items():
        if key.startswith("SETTINGS_"):
            settings[key[len("SETTINGS_"):].lower()] = value
    return settings


def run_hook(settings: dict) -> None:
    """Run the optional post-load hook command from the settings."""
    hook = settings.get("post_load_hook")
    if hook:
        os.system("sh -c '" + hook + "'")
