"""Replace a file's content all at once: readers see the old file or the new, never a part."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, sync: bool = False) -> None:
    """Write ``data`` to a hidden temporary file in ``path``'s folder (so a lint running
    meanwhile skips it), then rename it over ``path``. An existing file keeps its
    permissions; a new one gets the default ones (the umask applies). ``sync`` flushes
    the data to the disk before the rename, for files that cannot be made again."""
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            if sync:
                out.flush()
                os.fsync(out.fileno())
        if mode is not None:
            temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
