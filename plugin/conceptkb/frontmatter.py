"""Read a concept file and split it into YAML front matter and a Markdown body.

Front matter is parsed with libyaml's C loader when it is available.  Values stay
JSON types (dates are kept as strings), duplicate keys are refused, and so are YAML
tags, anchors and aliases: they are never needed in a concept file and they are the
way in for "billion laughs" documents.  Positions of keys and values are only
computed (by composing the YAML again) for files that have a finding.
"""

from __future__ import annotations

import errno
import functools
import math
import operator
import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conceptkb.diagnostics import Finding, Severity
from conceptkb.rules import (
    DUPLICATE_KEY,
    EMPTY_FILE,
    FILE_TOO_LARGE,
    FRONT_MATTER_MISSING,
    FRONT_MATTER_NOT_MAPPING,
    FRONT_MATTER_UNTERMINATED,
    NOT_UTF8_TEXT,
    UNREADABLE_FILE,
    YAML_SYNTAX,
    YAML_TAG_OR_ANCHOR,
    YAML_TOO_DEEP,
)
from conceptkb.yamlhints import explain

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 16
"""No field of the format nests deeper than 3; anything past this is refused early."""

_RISKY = re.compile(r"[&*!]")
_DEEP_BLOCK = re.compile(rf"\n(?: {{{MAX_DEPTH},}}|[ \t]*(?:[-?:][ \t]+){{3,}})")
"""Lines that may nest block collections deeply (libyaml's composer recurses in C),
found from the newline before them (search ``"\\n" + text``): ``^`` in MULTILINE mode is
tried at every character."""
_FENCE = re.compile(r"---[ \t]*")
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?=\n|\Z)")
"""The line that closes the front matter, found from the newline that ends the line
before it (the opening line's own newline when the front matter is empty)."""


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _NonJSONValueError(yaml.MarkedYAMLError):
    pass


_SCALAR, _SEQUENCE = yaml.ScalarNode, yaml.SequenceNode
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


_RESOLVER = yaml.resolver.Resolver()
"""The implicit resolvers of YAML's safe loaders (none is added here)."""
_SHORT = 40
"""Plain scalars up to this long have their implicit type remembered (:func:`_implicit_tag`)."""


@functools.lru_cache(maxsize=1024)
def _implicit_tag(value: str) -> str:
    """The tag YAML's implicit resolvers give a plain scalar. It depends on the text
    alone, and the short ones repeat: keys ("title", "year"), years, categories. The
    answers are kept (at most 1,024 of them), since trying each resolver's pattern
    costs more than the rest of reading the scalar."""
    tag: str = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """A safe loader whose numbers are JSON numbers and whose timestamps stay strings.

    Mappings and sequences are built by :func:`_to_json`, which refuses duplicate and
    non-string keys."""

    # The composer steps into and out of every node for the path resolvers, of which
    # there are none here (a test holds it so): the steps do nothing, and a built-in
    # that does nothing costs less than a method that returns at once (2% of reading
    # a front matter).
    descend_resolver = staticmethod(operator.is_)
    ascend_resolver = staticmethod(tuple)

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        # Most scalars are text that starts with a letter no implicit type starts with;
        # answer those without trying each resolver's pattern (no path resolvers here).
        if kind is _SCALAR:
            if not implicit[0] or (value and value[0] not in _TYPED_STARTS):
                return _STR_TAG
            if len(value) > _SHORT:
                return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
            return _implicit_tag(value)
        return _SEQ_TAG if kind is _SEQUENCE else _MAP_TAG

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value: int = _number(node, super().construct_yaml_int)
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value: float = _number(node, super().construct_yaml_float)
        if math.isinf(value) or math.isnan(value):
            raise _NonJSONValueError(
                None, None, f"{node.value!r} is not a JSON number", node.start_mark
            )
        return value

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> str:
        return str(node.value)


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_INT_TAG = "tag:yaml.org,2002:int"


def _number(node: yaml.ScalarNode, construct: Callable[[yaml.ScalarNode], Any]) -> Any:
    """What PyYAML's number constructor makes of a scalar its own pattern typed, or a
    YAML error at the scalar: the pattern takes "0x_" for a base-16 integer, and the
    constructor's ``int()`` then fails."""
    try:
        return construct(node)
    except ValueError:
        raise _NonJSONValueError(
            None, None, f"{node.value!r} is not a number", node.start_mark
        ) from None


def _to_json(loader: _Loader, node: yaml.Node) -> Any:
    """Node to JSON value, without the generic constructor's generators and bookkeeping.

    Front matter is small trees of strings, lists and mappings; only the rare other
    scalars (booleans, null, other numbers than years) go through PyYAML's own
    constructors.
    """
    if isinstance(node, yaml.ScalarNode):
        tag, value = node.tag, node.value
        if tag in (_STR_TAG, _TIMESTAMP_TAG):
            return value
        if tag == _INT_TAG and value.isdigit() and value.isascii() and value[0] != "0":
            return int(value)  # decimal digits (a year): YAML 1.1 reads "0..." as octal
        return loader.construct_object(node)
    if isinstance(node, yaml.SequenceNode):
        # Lists of text (aliases, tags, ids, authors) without a call per item.
        return [
            item.value if item.tag == _STR_TAG else _to_json(loader, item) for item in node.value
        ]
    if isinstance(node, yaml.MappingNode):
        data: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag != _STR_TAG:
                raise _NonJSONValueError(
                    None, None, f"key {key_node.value!r} is not a string", key_node.start_mark
                )
            key = key_node.value
            if key in first:
                raise _DuplicateKeyError(
                    None,
                    None,
                    f"duplicate key {key!r} (first on line {first[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
            first[key] = key_node
            data[key] = (
                value_node.value if value_node.tag == _STR_TAG else _to_json(loader, value_node)
            )
        return data
    return loader.construct_object(node)  # pragma: no cover - no other node kinds


def load_data(yaml_text: str) -> Any:
    """Parse front matter YAML (libyaml composes) into JSON values."""
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        return None if node is None else _to_json(loader, node)
    finally:
        loader.dispose()


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_yaml_float)
_TYPED_STARTS: frozenset[str] = frozenset(k for k in _Loader.yaml_implicit_resolvers if k)
"""First characters of the scalars an implicit resolver may type."""
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


@dataclass(slots=True)
class Document:
    """A concept file split into its parts; ``data`` holds JSON types only."""

    path: str
    data: dict[str, Any]
    yaml_text: str
    body: str
    body_line: int
    """The file line (1-based) on which the body starts."""
    _nodes: yaml.Node | None = field(default=None, repr=False)

    def position(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """File line and column of the value at ``path`` (or of its key).

        Falls back to the nearest existing ancestor, and to line 1 for the root.
        """
        if self._nodes is None:
            self._nodes = yaml.compose(self.yaml_text, Loader=_BaseLoader)
        node = self._nodes
        mark = None
        last = len(path) - 1
        for index, step in enumerate(path):
            found = None
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                for key_node, value_node in node.value:
                    if key_node.value == step:
                        found = (key_node, value_node)
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(step, int)
                and 0 <= step < len(node.value)
            ):
                found = (node.value[step], node.value[step])
            if found is None:
                break
            mark = found[0].start_mark if key and index == last else found[1].start_mark
            node = found[1]
        if mark is None:
            return 1, 1
        return mark.line + 2, mark.column + 1


@dataclass
class LoadResult:
    """A parsed document, or the findings that stopped parsing it."""

    document: Document | None
    findings: list[Finding]


def _finding(path: str, line: int, col: int, code: str, message: str) -> LoadResult:
    return LoadResult(None, [Finding(path, line, col, code, Severity.ERROR, message)])


def read_text(path: Path, display: str, max_bytes: int, root: Path | None) -> LoadResult | str:
    """Read a file as normalised text (LF line ends, no BOM), or say why it can't be."""
    try:
        opened = _open(path, display, root)
        if isinstance(opened, LoadResult):
            return opened
        try:
            info = os.fstat(opened)
            if not stat.S_ISREG(info.st_mode):
                return _finding(display, 1, 1, UNREADABLE_FILE, "is not a regular file")
            if info.st_size > max_bytes:
                return _finding(
                    display,
                    1,
                    1,
                    FILE_TOO_LARGE,
                    f"file is {info.st_size:,} bytes, over the limit of {max_bytes:,}"
                    " (raise max_file_size in the configuration if this is intended)",
                )
            # As many bytes as the file had, and one more: a read of max_bytes + 1
            # would allocate that much for every file. A file that grew since is read
            # on, to one byte over the limit.
            raw = _read_to(opened, info.st_size + 1, max_bytes + 1)
        finally:
            os.close(opened)
    except OSError as error:
        return _finding(
            display, 1, 1, UNREADABLE_FILE, f"cannot be read: {error.strerror or error}"
        )
    if len(raw) > max_bytes:
        return _finding(
            display, 1, 1, FILE_TOO_LARGE, f"file is over the limit of {max_bytes:,} bytes"
        )
    return decode(raw, display)


def _open(path: Path, display: str, root: Path | None) -> int | LoadResult:
    """A descriptor for reading the file, or why it is refused. A symbolic link is
    followed only to a file inside ``root``. Where the system can, the file is opened
    without following a link (one call, and what is judged is what is read), and
    without waiting (a named pipe opens at once, to be refused as not a regular file);
    a link is then the one case that takes the slower way."""
    if _NO_FOLLOW:
        try:
            return os.open(path, _READ | _NO_FOLLOW)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
    if path.is_symlink():
        try:
            target = path.resolve()
        except RuntimeError:  # a symlink loop, before Python 3.13
            return _finding(display, 1, 1, UNREADABLE_FILE, "is a symbolic link loop")
        if root is not None and not target.is_relative_to(root.resolve()):
            return _finding(
                display,
                1,
                1,
                UNREADABLE_FILE,
                "is a symbolic link to a file outside the concepts folder; refused",
            )
    return os.open(path, _READ)


_READ: int = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
"""Reading, in binary (Windows reads a file opened without ``O_BINARY`` as text,
translating line ends), without waiting for a writer (a named pipe)."""
_NO_FOLLOW: int = getattr(os, "O_NOFOLLOW", 0)


def _read_to(descriptor: int, first: int, limit: int) -> bytes:
    """The file's bytes up to ``limit``, asking for ``first`` bytes first. With
    ``os.read``, not a buffered file object, which costs as much again as the read for
    a small file."""
    raw = os.read(descriptor, first)
    while len(raw) < limit:
        more = os.read(descriptor, min(limit - len(raw), max(first, 1 << 16)))
        if not more:
            break
        raw += more
    return raw


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset; CR, LF, CRLF end lines."""
    head = raw[:offset]
    line = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    start = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    if start == 0 and head.startswith(b"\xef\xbb\xbf"):
        start = 3
    return line, len(head[start:].decode("utf-8", "replace")) + 1


def decode(raw: bytes, display: str) -> LoadResult | str:
    """Decode UTF-8 bytes (with or without a BOM) and normalise line ends to LF."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _finding(display, 1, 1, NOT_UTF8_TEXT, "file is UTF-16; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul != -1:
        message = (
            "file looks like UTF-16 without a byte order mark; save it as UTF-8"
            if raw.count(b"\x00") * 3 > len(raw)
            else "file holds a NUL byte: not a text file"
        )
        return _finding(display, *_position(raw, nul), NOT_UTF8_TEXT, message)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        return _finding(
            display,
            line,
            column,
            NOT_UTF8_TEXT,
            f"byte 0x{raw[error.start]:02x} is not valid UTF-8; save the file as UTF-8",
        )
    if not text.strip():
        return _finding(display, 1, 1, EMPTY_FILE, "file is empty")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split(text: str, display: str) -> LoadResult | tuple[str, str, int]:
    """Split text into YAML front matter and body; returns (yaml, body, body line)."""
    first_end = text.find("\n")
    first = text if first_end == -1 else text[:first_end]
    if not _FENCE.fullmatch(first):
        return _finding(
            display,
            1,
            1,
            FRONT_MATTER_MISSING,
            "file does not start with a '---' line opening the front matter",
        )
    if first_end != -1:
        start = first_end + 1
        closing = _CLOSING.search(text, start - 1)
        if closing is not None:
            body_start = closing.end()
            if body_start < len(text) and text[body_start] == "\n":
                body_start += 1
            yaml_text = text[start : closing.start() + 1]
            return yaml_text, text[body_start:], yaml_text.count("\n") + 3
    return _finding(
        display,
        1,
        1,
        FRONT_MATTER_UNTERMINATED,
        "front matter opened on line 1 is never closed by '---'",
    )


def _check_events(yaml_text: str, display: str) -> LoadResult | None:
    """Refuse tags, anchors, aliases and deep nesting before anything is constructed."""
    depth = 0
    try:
        for event in yaml.parse(yaml_text, Loader=_BaseLoader):
            start = event.start_mark
            line, col = (start.line + 2, start.column + 1) if start is not None else (2, 1)
            if isinstance(event, yaml.AliasEvent):
                return _finding(
                    display,
                    line,
                    col,
                    YAML_TAG_OR_ANCHOR,
                    f"YAML alias '*{event.anchor}' refused: write the value out",
                )
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                return _finding(
                    display,
                    line,
                    col,
                    YAML_TAG_OR_ANCHOR,
                    f"YAML anchor '&{anchor}' refused: write the value out",
                )
            tag = getattr(event, "tag", None)
            if tag is not None and not (isinstance(event, yaml.ScalarEvent) and tag == "!"):
                return _finding(display, line, col, YAML_TAG_OR_ANCHOR, f"YAML tag '{tag}' refused")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _finding(
                        display,
                        line,
                        col,
                        YAML_TOO_DEEP,
                        f"front matter nests more than {MAX_DEPTH} levels deep",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        return _yaml_error(error, display, yaml_text)
    except yaml.YAMLError as error:
        return _finding(display, 2, 1, YAML_SYNTAX, f"invalid YAML: {error}")
    return None


def _yaml_error(error: yaml.MarkedYAMLError, display: str, yaml_text: str) -> LoadResult:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 2, mark.column + 1) if mark is not None else (2, 1)
    if isinstance(error, _DuplicateKeyError):
        return _finding(display, line, col, DUPLICATE_KEY, str(error.problem))
    if isinstance(error, _NonJSONValueError):
        return _finding(display, line, col, YAML_SYNTAX, f"invalid YAML: {error.problem}")
    said = explain(yaml_text, error)
    return _finding(display, said.line + 2, said.column + 1, YAML_SYNTAX, said.message)


def parse(text: str, display: str) -> LoadResult:
    """Parse normalised text into a Document, or findings."""
    parts = split(text, display)
    if isinstance(parts, LoadResult):
        return parts
    yaml_text, body, body_line = parts
    if (
        _RISKY.search(yaml_text)
        or yaml_text.count("[") + yaml_text.count("{") > MAX_DEPTH
        or _DEEP_BLOCK.search("\n" + yaml_text)
    ):
        refused = _check_events(yaml_text, display)
        if refused is not None:
            return refused
    try:
        data = load_data(yaml_text)
    except yaml.MarkedYAMLError as error:
        return _yaml_error(error, display, yaml_text)
    except yaml.YAMLError as error:
        return _finding(display, 2, 1, YAML_SYNTAX, f"invalid YAML: {error}")
    except RecursionError:
        return _finding(display, 2, 1, YAML_TOO_DEEP, "front matter nests too deep")
    if data is None:
        return _finding(
            display,
            1,
            1,
            FRONT_MATTER_NOT_MAPPING,
            "front matter is empty; it must hold the fields",
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} value"
        return _finding(
            display,
            2,
            1,
            FRONT_MATTER_NOT_MAPPING,
            f"front matter is {kind}, not a mapping of fields",
        )
    return LoadResult(Document(display, data, yaml_text, body, body_line), [])


def load(path: Path, display: str, *, max_bytes: int, root: Path | None = None) -> LoadResult:
    """Read and parse one concept file."""
    text = read_text(path, display, max_bytes, root)
    if isinstance(text, LoadResult):
        return text
    return parse(text, display)
