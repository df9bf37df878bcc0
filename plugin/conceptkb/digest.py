"""One digest of a value, for the incremental builds that compare what pages show.

A page's digest, a concept's, the site's shared parts: each is a value made of strings,
numbers, tuples, lists, dicts and dataclasses of them, whose ``repr`` is stable. Equal
digests mean equal values (BLAKE2b, 128 bits: collisions are not a concern here).
"""

from __future__ import annotations

import hashlib


def of(*parts: object) -> str:
    """The digest of ``parts`` (hex): what is compared between builds."""
    encoded = repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()
