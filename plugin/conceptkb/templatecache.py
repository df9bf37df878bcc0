"""Compiled Jinja2 templates kept for one session (``mkdocs serve``).

Each rebuild under ``mkdocs serve`` reads the configuration again and makes new template
environments (the theme's and conceptkb's), which compile every template they render
again: about 44 of Material's templates, a few hundred milliseconds of every rebuild at
any size. :class:`SessionBytecodeCache` keeps their compiled code in memory instead.

An entry is used only for the same template (name and file), the same source (Jinja2
checks a checksum of it, so an edited template is compiled again) and an environment
that compiles the same way (its syntax, extensions, escaping and finalize function), so
a changed configuration never reuses code compiled for another.
"""

from __future__ import annotations

import hashlib

import jinja2
from jinja2.bccache import Bucket


def _compile_settings(environment: jinja2.Environment, name: str) -> str:
    """What in ``environment`` changes the code it compiles for template ``name``."""
    autoescape = environment.autoescape
    escapes = autoescape(name) if callable(autoescape) else autoescape
    finalize = environment.finalize
    settings = (
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        bool(escapes),
        finalize is not None,
        getattr(finalize, "jinja_pass_arg", None),
        sorted(environment.extensions),
    )
    return repr(settings)


class SessionBytecodeCache(jinja2.BytecodeCache):
    """Jinja2 bytecode in memory, for the environments of one session."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = hashlib.sha1(
            "\0".join((name, filename or "", _compile_settings(environment, name))).encode("utf-8"),
            usedforsecurity=False,
        ).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # resets the bucket on a checksum mismatch

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self._store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._store.clear()

    def __len__(self) -> int:
        return len(self._store)
