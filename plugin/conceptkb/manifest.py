"""What a generated staging tree was made from: the sources and their content hash.

``conceptkb generate`` writes a manifest beside the tree; the ``conceptkb.guard``
extension, listed in the generated configuration, recomputes the hash when an engine
builds the tree and stops the build if the sources changed since. The hash covers the
content of every source file and its path (line endings normalised, so a checkout
with CRLF gives the same hash), never file times; and the version of conceptkb, whose
templates are part of every page.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from conceptkb import __version__

FILE_NAME = "manifest.json"
FORMAT = 1


@dataclass(frozen=True)
class Manifest:
    """The sources of a staging tree and their hash."""

    root: Path
    """The project folder: every source path is relative to it."""
    sources: tuple[str, ...]
    """Files and folders, relative to ``root``, POSIX separators."""
    digest: str

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "generator": f"conceptkb {__version__}",
            "root": os.fspath(self.root),
            "sources": list(self.sources),
            "sha256": self.digest,
        }
        return json.dumps(data, indent=2) + "\n"


class ManifestError(ValueError):
    """The manifest cannot be read."""


def files(root: Path, sources: Iterable[str], skip: Path | None) -> Iterator[Path]:
    for source in sources:
        path = root / source
        if path.is_file():
            yield path
        elif path.is_dir():
            for folder, dirs, names in os.walk(path):
                here = Path(folder)
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and (skip is None or here / d != skip)
                )
                for name in sorted(names):
                    if not name.startswith("."):
                        yield here / name


def digest(root: Path, sources: Iterable[str], *, skip: Path | None = None) -> str:
    """The hash of every file of ``sources`` (``skip``: a folder left out, the tree
    itself when it lies inside a source folder)."""
    hasher = hashlib.sha256(f"conceptkb {__version__}\n".encode())
    for path in sorted(files(root, sources, skip)):
        try:
            content = path.read_bytes()
        except OSError:
            content = b"\0unreadable"
        name = path.relative_to(root).as_posix().encode("utf-8", "surrogateescape")
        hasher.update(len(name).to_bytes(4, "big") + name)
        hasher.update(hashlib.sha256(content.replace(b"\r\n", b"\n")).digest())
    return hasher.hexdigest()


def make(root: Path, sources: Iterable[str], *, skip: Path | None = None) -> Manifest:
    listed = tuple(sorted(set(sources)))
    return Manifest(root, listed, digest(root, listed, skip=skip))


def read(path: Path) -> Manifest:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ManifestError(f"{path}: written by another version of conceptkb")
        return Manifest(Path(data["root"]), tuple(data["sources"]), str(data["sha256"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        if isinstance(error, ManifestError):
            raise
        raise ManifestError(f"{path}: cannot be read ({error})") from error


def stale(path: Path) -> str | None:
    """Why the tree of the manifest at ``path`` no longer matches its sources, or None."""
    try:
        manifest = read(path)
    except ManifestError as error:
        return str(error)
    skip = path.parent
    if manifest.digest != digest(manifest.root, manifest.sources, skip=skip):
        return "the sources changed since it was generated"
    return None
