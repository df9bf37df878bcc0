"""The options the core needs, read from a plugin config or from mkdocs.yml."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conceptkb.diagnostics import Severity
from conceptkb.rules import RuleConfigError, resolve_severities

DEFAULT_CATEGORIES = ("technique", "method-family", "concept", "risk", "model", "practice")
DEFAULT_MAX_FILE_SIZE = 1024 * 1024
PLUGIN_NAME = "conceptkb"


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which option and why."""


@dataclass(frozen=True)
class Settings:
    """What the lint engine needs to know."""

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

    def severities(self) -> dict[str, Severity | None]:
        try:
            return resolve_severities(self.severity)
        except RuleConfigError as error:
            raise SettingsError(f"severity: {error}") from error


def check_options(options: Mapping[str, Any]) -> None:
    """Validate the values of the options the core shares with the plugin."""
    categories = options.get("categories", DEFAULT_CATEGORIES)
    if (
        not isinstance(categories, Sequence)
        or isinstance(categories, str)
        or not categories
        or not all(isinstance(c, str) and c.strip() for c in categories)
    ):
        raise SettingsError("categories must be a non-empty list of names")
    if len(set(categories)) != len(categories):
        raise SettingsError("categories lists a name twice")
    severity = options.get("severity", {})
    if not isinstance(severity, Mapping):
        raise SettingsError("severity must be a mapping of rule code to error, warning or off")
    try:
        resolve_severities({str(k): str(v) for k, v in severity.items()})
    except RuleConfigError as error:
        raise SettingsError(f"severity: {error}") from error
    size = options.get("max_file_size", DEFAULT_MAX_FILE_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise SettingsError("max_file_size must be a positive number of bytes")


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without running its tags (``!ENV``, ``!!python/name``)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return None


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:", _ignore_tag)


def _load(config_file: Path) -> dict[str, Any]:
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except OSError as error:
        raise SettingsError(f"{config_file}: cannot be read: {error.strerror}") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SettingsError(f"{config_file}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise SettingsError(f"{config_file}: not a mapping of options")
    return data


def config_value(config_file: Path, key: str, default: Any) -> Any:
    """A top-level option of an mkdocs.yml."""
    return _load(config_file).get(key, default)


def plugin_options(config_file: Path) -> dict[str, Any] | None:
    """The conceptkb options in an mkdocs.yml, ``{}`` if listed bare, None if not listed."""
    data = _load(config_file)
    for entry in data.get("plugins") or ():
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            options = entry[PLUGIN_NAME] or {}
            if not isinstance(options, dict):
                raise SettingsError(f"{config_file}: options of {PLUGIN_NAME} must be a mapping")
            return options
    if isinstance(data.get("plugins"), dict) and PLUGIN_NAME in data["plugins"]:
        return dict(data["plugins"][PLUGIN_NAME] or {})
    return None


def from_mkdocs_yml(config_file: Path) -> Settings:
    """Settings from the conceptkb entry of an mkdocs.yml (defaults if it has none)."""
    options = plugin_options(config_file) or {}
    check_options(options)
    base = config_file.parent
    concepts_dir = options.get("concepts_dir", "concepts")
    if not isinstance(concepts_dir, str):
        raise SettingsError("concepts_dir must be a folder path")
    prefix = options.get("url_prefix", "concepts")
    if not isinstance(prefix, str):
        raise SettingsError("url_prefix must be a path")
    return Settings(
        url_prefix=prefix.strip("/"),
        use_directory_urls=bool(config_value(config_file, "use_directory_urls", True)),
        concepts_dir=(base / concepts_dir),
        categories=tuple(options.get("categories", DEFAULT_CATEGORIES)),
        severity={str(k): str(v) for k, v in (options.get("severity") or {}).items()},
        max_file_size=int(options.get("max_file_size", DEFAULT_MAX_FILE_SIZE)),
        base_dir=Path.cwd(),
    )
