"""What a pull request or a commit touches, from git: for ``conceptkb lint --changed``.

A change to one concept can break others: deleting or renaming ``lora.md`` breaks
every concept that links to it, relates to it or names it. So the files to report
on are the changed and added concept files, every concept that refers to a deleted
or renamed one (by id, title, alias or former id, as the old file had them), and
everything when the configuration changed. Findings are always computed on the
whole knowledge base.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conceptkb.frontmatter import load_data, split
from conceptkb.index import ConceptIndex
from conceptkb.names import normalize

DEFAULT_BRANCHES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


class ChangesError(RuntimeError):
    """git cannot say what changed; the message says what to do."""


class NoCommits(ChangesError):
    """The first commit of a repository: everything is new."""


@dataclass
class Changes:
    """Paths (absolute) that changed against a base commit."""

    base: str
    changed: set[Path] = field(default_factory=set)
    """Added, modified, or the new side of a rename."""
    removed: dict[Path, str] = field(default_factory=dict)
    """Deleted, or the old side of a rename: path -> its text at the base commit."""


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, check=False, timeout=60
        )
    except OSError as error:
        raise ChangesError(f"git cannot be run: {error.strerror}") from error
    if done.returncode != 0:
        raise ChangesError(
            done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "git failed"
        )
    return done.stdout


def repository_root(start: Path) -> Path:
    try:
        return Path(_git(start, "rev-parse", "--show-toplevel").strip())
    except ChangesError as error:
        raise ChangesError(f"{start} is not in a git repository: {error}") from None


def default_base(repo: Path) -> str:
    """The merge base of HEAD with the default branch."""
    for branch in DEFAULT_BRANCHES:
        try:
            _git(repo, "rev-parse", "--verify", "--quiet", f"{branch}^{{commit}}")
        except ChangesError:
            continue
        try:
            return _git(repo, "merge-base", "HEAD", branch).strip()
        except ChangesError:
            break
    raise ChangesError(
        "no merge base with the default branch (a shallow clone has none): fetch the"
        " history (actions/checkout with fetch-depth: 0) or name a commit: --changed BASE"
    )


def changes(repo: Path, base: str) -> Changes:
    """Everything that differs between ``base`` and the working tree (staged, unstaged
    and untracked files included)."""
    try:
        _git(repo, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except ChangesError:
        if base == "HEAD" and not _git(repo, "rev-list", "-n", "1", "--all").strip():
            raise NoCommits("the repository has no commits yet") from None
        raise ChangesError(
            f"{base!r} is not a commit here (a shallow clone may not have it): fetch it or"
            " name another"
        ) from None
    found = Changes(base)
    diff = _git(repo, "diff", "--name-status", "-M", "-z", base, "--")
    fields = diff.split("\0")
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status.startswith(("R", "C")):
            old, new = fields[i + 1], fields[i + 2]
            if status.startswith("R"):
                found.removed[repo / old] = _old_text(repo, base, old)
            found.changed.add(repo / new)
            i += 3
            continue
        path = fields[i + 1]
        if status.startswith("D"):
            found.removed[repo / path] = _old_text(repo, base, path)
        else:
            found.changed.add(repo / path)
        i += 2
    untracked = _git(repo, "ls-files", "--others", "--exclude-standard", "-z")
    found.changed.update(repo / p for p in untracked.split("\0") if p)
    return found


def _old_text(repo: Path, base: str, path: str) -> str:
    try:
        return _git(repo, "show", f"{base}:{path}")
    except ChangesError:
        return ""


def old_names(concept_id: str, text: str) -> set[str]:
    """The id, title, aliases and former ids a removed concept file had."""
    names = {normalize(concept_id)}
    parts = split(text, concept_id)
    if isinstance(parts, tuple):
        try:
            data = load_data(parts[0])
        except Exception:  # a broken old file: its id is all that is known
            data = None
        if isinstance(data, dict):
            for key in ("title",):
                if isinstance(data.get(key), str):
                    names.add(normalize(data[key]))
            for key in ("aliases", "former_ids"):
                values = data.get(key)
                if isinstance(values, list):
                    names.update(normalize(v) for v in values if isinstance(v, str))
    return names


def referring(index: ConceptIndex, removed: Iterable[tuple[str, str]]) -> set[str]:
    """Ids of the concepts that link to, relate to or name any removed concept."""
    names: set[str] = set()
    ids: set[str] = set()
    for concept_id, text in removed:
        ids.add(concept_id)
        names |= old_names(concept_id, text)
    found: set[str] = set()
    for concept in index.concepts.values():
        if ids & (set(concept.related) | set(concept.broader)) or any(
            normalize(link.target) in names for link in concept.links
        ):
            found.add(concept.id)
    return found
