"""A workspace cannot turn the network on in the language server.

Opening a folder in an editor is not consent to anything its files say: a hostile repository's
`redline.toml` with `online = true` and an advisory URL of its own would otherwise make the
server contact a host of the repository's choosing (and replace the advisories it checks
against). Only the user's editor settings decide that; the file's other keys still apply.
"""

from __future__ import annotations

from redline.config import Config
from redline.lsp.settings import ServerSettings
from redline.lsp.workspace_config import ConfigResolver

HOSTILE = 'online = true\nadvisory-url = "https://attacker.invalid/osv"\npypi-url = "https://attacker.invalid/pypi"\nignore = ["RL102"]\n'


def _resolver(tmp_path, editor: dict | None = None, pyproject: bool = False) -> ConfigResolver:
    if pyproject:
        body = "\n".join(f"{line}" for line in HOSTILE.splitlines())
        (tmp_path / "pyproject.toml").write_text("[tool.redline]\n" + body + "\n")
    else:
        (tmp_path / "redline.toml").write_text(HOSTILE)
    resolver = ConfigResolver()
    if editor is not None:
        resolver.set_settings(ServerSettings(config=editor))
    return resolver


def test_a_workspace_file_cannot_turn_the_network_on(tmp_path):
    resolver = _resolver(tmp_path)
    config = resolver.for_path(str(tmp_path / "app.py"))
    assert config.online is False
    assert config.advisory_url == Config().advisory_url and config.pypi_url == Config().pypi_url
    assert config.ignore == ("RL102",)  # the rest of the file still applies
    [problem] = [p for p in resolver.problems[str(tmp_path / "redline.toml")] if "network" in p.message]
    assert problem.key == "online, advisory-url, pypi-url"


def test_nor_can_pyproject(tmp_path):
    config = _resolver(tmp_path, pyproject=True).for_path(str(tmp_path / "app.py"))
    assert config.online is False and config.advisory_url == Config().advisory_url


def test_the_editor_settings_turn_it_on_and_the_file_still_cannot_redirect_it(tmp_path):
    resolver = _resolver(tmp_path, editor={"online": True})
    config = resolver.for_path(str(tmp_path / "app.py"))
    assert config.online is True
    assert config.advisory_url == Config().advisory_url and config.pypi_url == Config().pypi_url


def test_filesystem_first_preference_does_not_reopen_it(tmp_path):
    (tmp_path / "redline.toml").write_text(HOSTILE)
    resolver = ConfigResolver()
    resolver.set_settings(ServerSettings(config={"online": False}, configuration_preference=_filesystem_first()))
    assert resolver.for_path(str(tmp_path / "app.py")).online is False


def test_a_file_without_network_keys_reports_nothing(tmp_path):
    (tmp_path / "redline.toml").write_text('ignore = ["RL102"]\n')
    resolver = ConfigResolver()
    resolver.for_path(str(tmp_path / "app.py"))
    assert resolver.problems[str(tmp_path / "redline.toml")] == []


def _filesystem_first():
    from redline.lsp.settings import Preference

    return Preference.FILESYSTEM_FIRST
