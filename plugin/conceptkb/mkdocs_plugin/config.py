"""The plugin's options, declared with MkDocs' own config classes."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError

from conceptkb.settings import DEFAULT_CATEGORIES, DEFAULT_MAX_FILE_SIZE


class UrlPrefix(c.Type[str]):
    """A site path such as ``concepts`` or ``glossary/terms``: kebab-case segments."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value).strip("/")
        segments = text.split("/") if text else []
        if not segments or not all(
            s and all(ch.islower() or ch.isdigit() or ch == "-" for ch in s) for s in segments
        ):
            raise ValidationError(
                f"{value!r} is not a site path of lowercase segments such as 'concepts'"
            )
        return text


class ConceptKBConfig(base.Config):  # type: ignore[no-untyped-call]
    """Options of the ``conceptkb`` plugin."""

    concepts_dir = c.Dir(exists=True, default="concepts")
    """Folder of concept files, relative to mkdocs.yml."""

    url_prefix = UrlPrefix(default="concepts")
    """Site path under which concept pages, the index, tag and category pages live."""

    categories = c.ListOfItems(c.Type(str), default=list(DEFAULT_CATEGORIES))
    """The category vocabulary: every concept's ``category`` must be one of these."""

    severity = c.DictOfItems(c.Choice(("error", "warning", "off")), default={})
    """Rule severity overrides, by code, prefix or name: ``{CK301: error}``."""

    max_file_size = c.Type(int, default=DEFAULT_MAX_FILE_SIZE)
    """Concept files larger than this many bytes are refused (CK003)."""

    nav_threshold = c.Type(int, default=100)
    """List every concept in the navigation only when there are at most this many.

    Material renders the whole navigation into every page, so a long one makes the
    build quadratic; above the threshold the index and category pages are the way in.
    """

    search_boost = c.Type((int, float), default=2.0)
    """Search boost of concept pages, so they rank above pages that mention a term."""
