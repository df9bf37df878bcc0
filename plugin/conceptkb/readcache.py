"""What reading each concept file gave, kept between lint runs of one session.

``mkdocs serve`` lints the whole knowledge base before every rebuild, though an edit
changes one file. Reading a file (its front matter, the schema, the checks of its
body) depends only on the file and the settings; the cross-checks depend on every
file. So a session keeps each file's reading, keyed by what the file system says of
it (size, modification and change times, inode), and reads again only files that
changed; the cross-checks run every time. Nothing is kept across processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conceptkb.diagnostics import Finding
from conceptkb.model import Concept


@dataclass(frozen=True, slots=True)
class Reading:
    """The findings and the concept (if any) that reading one file gave."""

    stamp: tuple[int, int, int, int]
    findings: tuple[Finding, ...]
    concept: Concept | None


def stamp(path: Path) -> tuple[int, int, int, int] | None:
    """What changes when the file does, or None if it cannot be looked at."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


@dataclass
class ReadCache:
    """Readings by path, for one set of settings."""

    settings_key: object = None
    readings: dict[Path, Reading] = field(default_factory=dict)

    def for_settings(self, key: object) -> None:
        """Forget everything when the settings that reading depends on change."""
        if key != self.settings_key:
            self.settings_key = key
            self.readings.clear()

    def get(self, path: Path, current: tuple[int, int, int, int] | None) -> Reading | None:
        reading = self.readings.get(path)
        if reading is None or current is None or reading.stamp != current:
            return None
        return reading

    def put(self, path: Path, reading: Reading) -> None:
        self.readings[path] = reading

    def keep_only(self, paths: set[Path]) -> None:
        """Forget files that are gone."""
        for path in set(self.readings) - paths:
            del self.readings[path]
