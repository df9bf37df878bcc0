"""The settings of one lint run or build, made from checked options.

Options are declared once (:mod:`conceptkb.options`) and read from ``mkdocs.yml`` the
way MkDocs reads it (:mod:`conceptkb.mkdocsyml`): the CLI and the plugin build their
:class:`Settings` through :func:`from_options`, so both resolve paths, defaults and
the severity policy the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conceptkb.diagnostics import Finding, Severity
from conceptkb.mkdocsyml import ConfigFileError, load
from conceptkb.options import (
    DEFAULT_CATEGORIES,
    DEFAULT_MAX_FILE_SIZE,
    OptionError,
    check_options,
)
from conceptkb.rules import resolve_severities

PLUGIN_NAME = "conceptkb"

__all__ = [
    "DEFAULT_CATEGORIES",
    "DEFAULT_MAX_FILE_SIZE",
    "Settings",
    "SettingsError",
    "from_mkdocs_yml",
    "from_options",
    "plugin_options",
]


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which option and why."""


@dataclass(frozen=True)
class Settings:
    """What the lint engine and the site need to know."""

    concepts_dir: Path
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    severity: Mapping[str, str] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    base_dir: Path = field(default_factory=Path.cwd)
    """Findings name files relative to this folder."""
    url_prefix: str = "concepts"
    """Site path of concept pages, the index, tags and categories."""
    use_directory_urls: bool = True
    """Whether pages are written as ``x/index.html`` (MkDocs' default) or ``x.html``."""
    site_url: str = ""
    """The site's absolute URL, when configured."""
    nav_threshold: int = 100
    """List concepts in the navigation only up to this many."""
    search_boost: float = 2.0
    """Search boost of concept pages."""
    config_dir: Path = field(default_factory=Path.cwd)
    """The folder of mkdocs.yml: options' relative paths start here."""
    baseline: Path | None = None
    """The baseline file of accepted findings (used when it exists)."""
    review_period_months: int = 12
    """Entries reviewed longer ago than this before the knowledge base's date are stale;
    0: no entry is."""
    show_drafts: bool = False
    """Whether the site lists drafts in the index, search and map."""
    serve_polling: bool = False
    """Whether ``serve`` polls the concepts folder rather than asking the system to
    report its changes (see conceptkb.mkdocs_plugin.watch)."""
    _levels: dict[str, Severity | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        try:
            levels = resolve_severities(dict(self.severity))
        except ValueError as error:
            raise SettingsError(f"severity: {error}") from error
        object.__setattr__(self, "_levels", levels)

    def is_on(self, code: str) -> bool:
        """Whether a rule reports anything (its severity is not ``off``)."""
        return self._levels.get(code) is not None

    def apply(self, finding: Finding) -> Finding | None:
        """The severity policy: the finding at its configured severity, or None if off.

        Every finding, from the lint engine or from the build, goes through here before
        anything reports it."""
        level = self._levels.get(finding.code, finding.severity)
        if level is None:
            return None
        if level is finding.severity:
            return finding
        return Finding(
            finding.path, finding.line, finding.column, finding.code, level, finding.message
        )


def from_options(
    raw: Mapping[str, Any],
    config_dir: Path,
    *,
    use_directory_urls: bool = True,
    site_url: str = "",
    base_dir: Path | None = None,
) -> Settings:
    """Settings from the plugin's options as written, checked against the one declaration."""
    try:
        values = check_options(raw)
    except OptionError as error:
        raise SettingsError(str(error)) from error
    return Settings(
        concepts_dir=config_dir / values["concepts_dir"],
        categories=values["categories"],
        severity=values["severity"],
        max_file_size=values["max_file_size"],
        base_dir=base_dir if base_dir is not None else Path.cwd(),
        url_prefix=values["url_prefix"],
        use_directory_urls=use_directory_urls,
        site_url=site_url or "",
        nav_threshold=values["nav_threshold"],
        search_boost=values["search_boost"],
        config_dir=config_dir,
        baseline=config_dir / values["baseline"],
        review_period_months=values["review_period_months"],
        show_drafts=values["show_drafts"],
        serve_polling=values["serve_polling"],
    )


def plugin_options(config: Mapping[str, Any], config_file: Path) -> dict[str, Any] | None:
    """The conceptkb options of a loaded mkdocs.yml: ``{}`` if listed bare, None if not
    listed."""
    plugins = config.get("plugins") or ()
    entries = list(plugins.items()) if isinstance(plugins, dict) else plugins
    for entry in entries:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, tuple) and entry[0] == PLUGIN_NAME:
            entry = {PLUGIN_NAME: entry[1]}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME] or {}
            if not isinstance(options, dict):
                raise SettingsError(f"{config_file}: options of {PLUGIN_NAME} must be a mapping")
            return options
    return None


def from_mkdocs_yml(config_file: Path) -> Settings:
    """Settings from the conceptkb entry of an mkdocs.yml (defaults if it has none)."""
    try:
        config = load(config_file)
    except ConfigFileError as error:
        raise SettingsError(str(error)) from error
    options = plugin_options(config, config_file) or {}
    try:
        return from_options(
            options,
            config_file.parent,
            use_directory_urls=bool(config.get("use_directory_urls", True)),
            site_url=str(config.get("site_url") or ""),
        )
    except SettingsError as error:
        raise SettingsError(f"{config_file}: plugins.{PLUGIN_NAME}.{error}") from error
