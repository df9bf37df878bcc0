"""Where a concept page sends a reader who wants it fixed, for every engine.

"Edit this page" opens the concept's own file in the repository, computed from
``repo_url``, ``edit_uri`` and ``edit_uri_template`` as MkDocs computes a page's edit
link (the concept file is named relative to the docs folder, which ``edit_uri``
points at: ``docs/../concepts/lora.md`` becomes ``concepts/lora.md``). "Report a
problem" opens a new issue with the page's title and URL filled in, on GitHub and
GitLab, whose issue forms take them from the query string. Neither exists without
a repository.
"""

from __future__ import annotations

import os
import posixpath
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit, urlunsplit

ISSUE_FORMS = {
    "github.com": ("issues/new", "title", "body"),
    "gitlab.com": ("-/issues/new", "issue[title]", "issue[description]"),
}
"""Host -> (path of the new-issue form under the repository, title field, text field):
GitHub's query parameters, GitLab's ``issue[...]`` fields."""


class _Formatter(string.Formatter):
    """``edit_uri_template`` as MkDocs formats it: ``{path!q}`` is URL-quoted."""

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion == "q":
            return quote(value, safe="")
        return super().convert_field(value, conversion)


def default_edit_uri(repo_url: str, docs: str = "docs") -> str | None:
    """MkDocs' ``edit_uri`` when none is set: the docs folder on the default branch of
    a GitHub, GitLab or Bitbucket repository."""
    host = urlsplit(repo_url).netloc.lower()
    if host in ("github.com", "gitlab.com"):
        return f"edit/master/{docs}/"
    if host == "bitbucket.org":
        return f"src/default/{docs}/"
    return None


def _without_dot_segments(url: str) -> str:
    parts = urlsplit(url)
    if "/." not in parts.path:
        return url
    # urljoin removes dot segments from a path it resolves (RFC 3986, 5.2.4).
    path = urlsplit(urljoin(url, parts.path or "/")).path
    return urlunsplit(parts._replace(path=path))


@dataclass(frozen=True)
class Repository:
    """The repository settings of a site, as the engine resolved them."""

    url: str = ""
    """``repo_url``."""
    edit_uri: str | None = None
    """``edit_uri`` with its default applied (see :func:`default_edit_uri`)."""
    edit_uri_template: str | None = None
    docs_dir: Path | None = None
    """The docs folder that ``edit_uri`` names, as an absolute path."""

    def edit_url(self, source: Path) -> str | None:
        """The URL that edits the file ``source``, or None without an edit link."""
        if self.docs_dir is None or not (self.edit_uri or self.edit_uri_template):
            return None
        path = Path(os.path.relpath(source.absolute(), self.docs_dir.absolute())).as_posix()
        if self.edit_uri_template:
            relative = _Formatter().format(
                self.edit_uri_template, path=path, path_noext=posixpath.splitext(path)[0]
            )
        else:
            assert self.edit_uri is not None
            edit_uri = self.edit_uri if self.edit_uri.endswith("/") else self.edit_uri + "/"
            relative = edit_uri + path
        base = self.url
        if base and not base.endswith("/") and not relative.startswith(("?", "#")):
            base += "/"
        return _without_dot_segments(urljoin(base, relative))

    def issue_url(self, title: str, body: str) -> str | None:
        """A new issue with ``title`` and ``body`` filled in, or None when ``repo_url``
        is not a GitHub or GitLab repository."""
        parts = urlsplit(self.url)
        form = ISSUE_FORMS.get(parts.netloc.lower())
        path = parts.path.strip("/").removesuffix(".git")
        if form is None or parts.scheme not in ("http", "https") or path.count("/") < 1:
            return None
        if parts.netloc.lower() == "github.com" and path.count("/") != 1:
            return None  # github.com/owner/name: a deeper path is a page of the repository
        where, title_field, body_field = form
        query = urlencode({title_field: title, body_field: body}, quote_via=quote)
        return f"https://{parts.netloc}/{path}/{where}?{query}"
