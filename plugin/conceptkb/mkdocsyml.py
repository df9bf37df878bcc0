"""Read ``mkdocs.yml`` the way MkDocs reads it, without MkDocs.

The linter, the generator and the plugin must see the same configuration. MkDocs
loads its file with PyYAML, resolves ``!ENV`` tags with ``pyyaml-env-tag``, and
merges a parent file named by
``INHERIT`` under the child with ``mergedeep`` (mappings merged, everything else
replaced). This module does the same with the same libraries, so a light install
(no MkDocs) reads a configuration exactly as a build does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mergedeep import merge
from yaml_env_tag import construct_env_tag

MAX_INHERIT = 16
"""Files in one INHERIT chain; a longer chain is almost certainly a loop."""


class ConfigFileError(ValueError):
    """The configuration file cannot be read; the message names the file."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with ``!ENV``; other tags (``!relative``,
    ``!!python/name:`` in extension options) keep their plain value, never run."""


def _other(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return None


_Loader.add_constructor("!ENV", construct_env_tag)
_Loader.add_multi_constructor("!", _other)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _other)


@dataclass(frozen=True)
class Tagged:
    """A value written with a YAML tag other than ``!ENV`` (``!relative``,
    ``!!python/name:...``), kept so that a configuration written back holds it as it was."""

    tag: str
    value: Any


class _KeepingLoader(_Loader):
    """The same loader, keeping other tags as :class:`Tagged` values."""


def _keep(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    return Tagged(node.tag, _other(loader, suffix, node))


_KeepingLoader.add_multi_constructor("!", _keep)
_KeepingLoader.add_multi_constructor("tag:yaml.org,2002:python/", _keep)


class _Dumper(yaml.SafeDumper):
    """Writes :class:`Tagged` values back with their tags."""


def _tagged(dumper: yaml.SafeDumper, data: Tagged) -> yaml.Node:
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, "" if data.value is None else str(data.value))


_Dumper.add_representer(Tagged, _tagged)


def dump(config: dict[str, Any]) -> str:
    """A configuration as YAML that MkDocs and Zensical read back to the same values."""
    return yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def load(
    config_file: Path, *, keep_tags: bool = False, _chain: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """The configuration in ``config_file``, with its INHERIT chain merged in.
    ``keep_tags`` keeps tagged values as :class:`Tagged`, to write them back."""
    path = Path(os.path.normpath(config_file.absolute()))
    if path in _chain or len(_chain) >= MAX_INHERIT:
        raise ConfigFileError(f"{config_file}: INHERIT loops back to {path.name}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigFileError(f"{config_file}: cannot be read: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ConfigFileError(f"{config_file}: not UTF-8 text") from error
    try:
        data = yaml.load(text, Loader=_KeepingLoader if keep_tags else _Loader) or {}
    except yaml.YAMLError as error:
        raise ConfigFileError(f"{config_file}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ConfigFileError(f"{config_file}: not a mapping of options")
    parent = data.pop("INHERIT", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigFileError(f"{config_file}: INHERIT must name a file")
    parent_file = path.parent / parent
    if not parent_file.is_file():
        raise ConfigFileError(f"{config_file}: INHERIT names {parent}, which does not exist")
    merged: dict[str, Any] = merge(
        load(parent_file, keep_tags=keep_tags, _chain=(*_chain, path)), data
    )
    return merged


def chain(config_file: Path) -> list[Path]:
    """The configuration file and every file its INHERIT chain names, child first."""
    found: list[Path] = []
    current: Path | None = Path(os.path.normpath(config_file.absolute()))
    while current is not None and current not in found and len(found) < MAX_INHERIT:
        found.append(current)
        try:
            data = yaml.load(current.read_text(encoding="utf-8-sig"), Loader=_Loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            break
        parent = data.get("INHERIT") if isinstance(data, dict) else None
        current = current.parent / parent if isinstance(parent, str) else None
        if current is not None:
            current = Path(os.path.normpath(current))
    return found
