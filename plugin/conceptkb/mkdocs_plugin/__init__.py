"""The MkDocs glue: the only part of conceptkb that imports MkDocs."""

from conceptkb.mkdocs_plugin.plugin import ConceptKBPlugin

__all__ = ["ConceptKBPlugin"]
