"""conceptkb: a knowledge base of concepts, its linter and its MkDocs plugin.

The core (everything but the ``mkdocs_plugin`` subpackage) does not import MkDocs.
"""

__version__ = "0.2.0"
