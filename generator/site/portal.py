"""The portal a command works on, and what the package brings to every portal.

A portal is a folder with a `mkdocs.yml` (or the file `-f/--config-file` names) that
uses the `kommunkompassen` plugin: its data (`evaluations/`), its own pages (`content/`)
and Material overrides (the theme's `custom_dir`, usually `overrides/`), its own page templates
(`templates/`) and page texts (`locale/sv.yaml`, only the keys it changes),
and where MkDocs reads the pages from (`docs_dir`, `build/docs`) and writes the site
(`site_dir`, `site/`). Every folder is named relative to the config file's folder, as
MkDocs names them. The package brings the rest: page templates, Material overrides,
the site's stylesheet and script and the default pages (`content/` here), which a
portal's own file of the same name replaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import UsageError
from generator.messages import msg

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CONTENT_DIR = PACKAGE_DIR / "content"  # the default pages, stylesheet and script
OVERRIDES_DIR = PACKAGE_DIR / "overrides"  # Material overrides, after the portal's custom_dir
CONFIG_FILE = Path("mkdocs.yml")
PLUGIN = "kommunkompassen"
# The plugin's options and their defaults (generator/site/plugin.py declares them for MkDocs).
PLUGIN_DEFAULTS = {"data": "evaluations", "content": "content", "templates": "templates", "locale": "locale"}


class PortalError(UsageError):
    """No portal where the command was asked to work (the CLI reports it as a usage error)."""


@dataclass(frozen=True)
class Portal:
    config_file: Path
    data_dir: Path
    content_dir: Path  # the portal's own pages: a file here replaces the package's of the same name
    overrides_dir: Path | None  # the theme's custom_dir, if the config names one
    docs_dir: Path
    site_dir: Path
    uses_plugin: bool = True  # whether the config names the kommunkompassen plugin (nothing is generated without it)
    templates_dir: Path | None = None  # the portal's page templates: one here replaces the package's of the same name
    locale_dir: Path | None = None  # the portal's page texts (sv.yaml): its keys replace the package's

    @property
    def root(self) -> Path:
        return self.config_file.parent


def find_portal(config_file: Path | None = None) -> Portal:
    """The portal whose config is `config_file` (default: mkdocs.yml in the working folder)."""
    config_file = config_file or CONFIG_FILE
    if not config_file.is_file():
        raise PortalError(msg("portal.no_config", config=config_file, folder=config_file.parent))
    return portal_from_config(config_file, _read_config(config_file))


def portal_from_config(config_file: Path, config: dict) -> Portal:
    """The portal's folders from its config's values (raw, or MkDocs' validated config)."""
    root = config_file.parent
    options = plugin_options(config)
    theme = config.get("theme")
    custom_dir = theme.get("custom_dir") if isinstance(theme, dict) else getattr(theme, "custom_dir", None)

    def inside(value) -> Path:
        return root / value

    return Portal(
        config_file=config_file,
        data_dir=inside(options["data"]),
        content_dir=inside(options["content"]),
        templates_dir=inside(options["templates"]),
        locale_dir=inside(options["locale"]),
        overrides_dir=inside(custom_dir) if custom_dir else None,
        docs_dir=inside(config.get("docs_dir") or "docs"),
        site_dir=inside(config.get("site_dir") or "site"),
        uses_plugin=any(
            entry == PLUGIN or (isinstance(entry, dict) and PLUGIN in entry) for entry in config.get("plugins") or ()
        ),
    )


def plugin_options(config: dict) -> dict[str, str]:
    """The plugin's options in a raw config, with their defaults."""
    options = dict(PLUGIN_DEFAULTS)
    for entry in config.get("plugins") or ():
        if isinstance(entry, dict) and PLUGIN in entry:
            options.update({key: str(value) for key, value in (entry[PLUGIN] or {}).items() if key in options})
    return options


def plugins_with_data(config_file: Path, data_dir: Path) -> dict:
    """The config's plugins with the plugin's `data` set to `data_dir`: handed to MkDocs
    (`load_config(plugins=...)`) by `build --data` and `serve --data`. A mapping, in the config's
    order, because MkDocs empties the entries of a list as it reads them, and `serve` reads the
    same value again at every rebuild."""
    plugins = {}
    for entry in _read_config(config_file).get("plugins") or ():
        name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        if name == PLUGIN:
            options = {**(options or {}), "data": str(data_dir.resolve())}
        plugins[name] = options
    return plugins


def _read_config(config_file: Path) -> dict:
    """mkdocs.yml's values (generator.loader reads it, as MkDocs would for the values used here)."""
    from generator.loader import load_site_config

    try:
        config = load_site_config(config_file)
    except Exception as exc:  # YAML's errors, an unreadable file: said in one line
        raise PortalError(msg("portal.unreadable", config=config_file, detail=" ".join(str(exc).split()))) from None
    return config if isinstance(config, dict) else {}
