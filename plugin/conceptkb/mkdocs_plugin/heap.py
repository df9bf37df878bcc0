"""Giving the memory a build has freed back to the system before its largest
allocation.

A page's content is freed once its output is written, but the C library keeps freed
memory in the process's heap for later use. The search index, written at the end of a
build, is one large string and its bytes, which the C library takes from fresh pages:
without a trim, the peak is the heap's freed memory and the index together. glibc's
``malloc_trim`` hands the heap's free pages back (at N = 5,000, about 100 MiB in about
10 ms). Other C libraries have no such call, and there this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        function = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    trim: Callable[[int], int] = function
    return trim


def give_back() -> bool:
    """Return the heap's free pages to the system; whether the C library could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
