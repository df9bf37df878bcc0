"""Edit and issue links of concept pages: the core's URLs, and what each engine shows.

"Edit this page" names the concept's own file, as MkDocs would name it from
``repo_url``, ``edit_uri`` and ``edit_uri_template``; Material's edit button leads to
the same URL. "Report a problem" opens a new GitHub or GitLab issue naming the page.
Without a repository there is neither.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conceptkb.sourcelinks import Repository, default_edit_uri

from .conftest import SMALL_KB, Built, Project, run
from .test_generate import render

DOCS = Path("/kb/docs")
LORA = Path("/kb/concepts/lora.md")
GITHUB = "https://github.com/example/glossary"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@pytest.mark.parametrize(
    ("repository", "expected"),
    [
        # MkDocs' default for GitHub: the docs folder on master; the concept file is
        # beside it, and the dot segments are resolved.
        (
            Repository(GITHUB, default_edit_uri(GITHUB), None, DOCS),
            f"{GITHUB}/edit/master/concepts/lora.md",
        ),
        (
            Repository(GITHUB + "/", "edit/main/docs", None, DOCS),
            f"{GITHUB}/edit/main/concepts/lora.md",
        ),
        (
            Repository(GITHUB, None, "blob/main/docs/{path}?plain=1", DOCS),
            f"{GITHUB}/blob/main/concepts/lora.md?plain=1",
        ),
        (
            Repository(GITHUB, None, "edit?file={path!q}", DOCS),
            f"{GITHUB}/edit?file=..%2Fconcepts%2Flora.md",
        ),
        # An absolute edit_uri needs no repo_url.
        (
            Repository("", "https://git.example.org/kb/edit/docs/", None, DOCS),
            "https://git.example.org/kb/edit/concepts/lora.md",
        ),
        (Repository("https://git.example.org/kb", None, None, DOCS), None),  # no default
        (Repository(GITHUB, "", None, DOCS), None),  # edit_uri: "" turns edit links off
        (Repository(), None),
    ],
)
def test_edit_url(repository: Repository, expected: str | None) -> None:
    assert repository.edit_url(LORA) == expected


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        (GITHUB, f"{GITHUB}/issues/new"),
        (GITHUB + ".git/", f"{GITHUB}/issues/new"),
        (
            "https://gitlab.com/group/sub/glossary",
            "https://gitlab.com/group/sub/glossary/-/issues/new",
        ),
        ("https://github.com/example", None),  # an account, not a repository
        ("https://github.com/example/glossary/tree/main", None),
        ("https://bitbucket.org/example/glossary", None),
        ("https://git.example.org/example/glossary", None),
        ("", None),
    ],
)
def test_issue_url(repo_url: str, expected: str | None) -> None:
    title, body = 'Problem with "Q&A #1"', "Page: https://e.org/q?a=1&b=2\n\nWhat: 100%"
    url = Repository(repo_url).issue_url(title, body)
    if expected is None:
        assert url is None
        return
    assert url is not None and url.split("?")[0] == expected
    fields = ("title", "body") if "github" in expected else ("issue[title]", "issue[description]")
    assert query(url) == {fields[0]: [title], fields[1]: [body]}


def source_links(built: Built, concept_id: str) -> dict[str, str]:
    page = built.html(f"concepts/{concept_id}/")
    links = page.select(".ck-concept .ck-source-links a")
    return {a.get_text(): a["href"] for a in links}


@pytest.mark.parametrize(
    ("site_url", "directory_urls", "page_url"),
    [
        ("https://example.org/glossary/", True, "https://example.org/glossary/concepts/lora/"),
        ("https://example.org/", False, "https://example.org/concepts/lora.html"),
        ("", True, "concepts/lora/"),  # no site_url: the page's path in the site
    ],
)
def test_concept_pages_link_to_their_file_and_to_a_new_issue(
    small_kb: Project, site_url: str, directory_urls: bool, page_url: str
) -> None:
    small_kb.config(
        site_url=site_url,
        use_directory_urls=directory_urls,
        repo_url=GITHUB,
        theme={"name": "material", "font": False, "features": ["content.action.edit"]},
    )
    built = small_kb.build()
    assert built.ok, built.error
    path = "concepts/lora/" if directory_urls else "concepts/lora.html"
    page = built.html(path)
    links = {a.get_text(): a["href"] for a in page.select(".ck-concept .ck-source-links a")}
    assert list(links) == ["Edit this page", "Report a problem"]
    assert links["Edit this page"] == f"{GITHUB}/edit/master/concepts/lora.md"
    # Material's edit button leads to the same file.
    button = page.select_one("a.md-content__button[rel=edit]")
    assert button is not None and button["href"] == links["Edit this page"]
    issue = links["Report a problem"]
    assert issue.startswith(f"{GITHUB}/issues/new?")
    assert query(issue) == {
        "title": [f'Problem with "{SMALL_KB["lora"]["title"]}"'],
        "body": [f"Page: {page_url}\nFile: concepts/lora.md\n\nWhat is wrong or missing:\n"],
    }
    # The block comes after the references, before the way back to the index.
    blocks = [p.get("class", [""])[0] for p in page.select(".ck-concept > p")]
    assert blocks[-2:] == ["ck-source-links", "ck-back"]
    # The site's own pages keep MkDocs' edit link.
    home = built.html("" if directory_urls else "index.html")
    assert home.select_one("a.md-content__button[rel=edit]")["href"] == (
        f"{GITHUB}/edit/master/docs/index.md"
    )
    assert home.select_one(".ck-source-links") is None


def test_no_repository_no_links(small_kb: Project) -> None:
    small_kb.config(theme={"name": "material", "font": False, "features": ["content.action.edit"]})
    built = small_kb.build()
    assert built.ok, built.error
    page = built.html("concepts/lora/")
    assert page.select_one(".ck-source-links") is None
    assert page.select_one("a.md-content__button[rel=edit]") is None


def test_a_host_without_issue_forms_gets_the_edit_link_only(small_kb: Project) -> None:
    small_kb.config(repo_url="https://bitbucket.org/example/glossary")
    built = small_kb.build()
    assert built.ok, built.error
    assert source_links(built, "lora") == {
        "Edit this page": "https://bitbucket.org/example/glossary/src/default/concepts/lora.md"
    }


def test_generated_pages_link_to_the_same_urls(
    kb: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Zensical's theme names docs/concepts/<id>.md in its own edit button (no page
    can set its edit URL there: see docs/engines.md); the page's link is right."""
    kb.config(repo_url=GITHUB, site_url="https://example.org/")
    built = kb.build()
    assert built.ok, built.error
    code, out, _ = run(["generate"], capsys)
    assert code == 0, out
    page = render(kb.root, "concepts/lora.md")
    links = {a.get_text(): a["href"] for a in page.select(".ck-source-links a")}
    assert links == source_links(built, "lora")
    assert links["Edit this page"] == f"{GITHUB}/edit/master/concepts/lora.md"
