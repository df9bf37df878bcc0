"""Seeded generator of synthetic conceptkb knowledge bases, for the benchmarks.

``generate(n, seed)`` makes ``n`` concepts that lint clean: unique ids, titles and
aliases; a ``broader`` tree (each concept's parent comes before it, so no cycles);
``related`` pairs written once; references with title, url, authors and year; and a
body of about 300 words with 5-10 wikilinks (by id, title, alias and ``[[id|label]]``),
a fenced code block and a table.  Concept ``i`` always links to concept ``i + 1``, so no
concept is an orphan.

``write_plugin_site`` writes a site that renders the concepts with conceptkb;
``write_baseline_site`` writes the same pages as plain Markdown (wikilinks already
resolved to relative links) for plain MkDocs, with the same navigation, and with
``full=True`` adds the relation lists and references conceptkb renders after the body.
Given the maps conceptkb draws (``drawn_maps``), it writes every section a conceptkb
page shows: also the names, category and tags line, the concept map pasted in as
inline SVG, the citation and the link back to the index.

Run it alone to write the four sites for one N::

    .venv/bin/python benchmarks/generate.py 1000 /tmp/kb-1000 --seed 1
"""

from __future__ import annotations

import argparse
import html
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conceptkb import conceptmap
from conceptkb.checker import lint
from conceptkb.settings import Settings

CATEGORIES = ("technique", "method-family", "concept", "risk", "model", "practice")
NAV_THRESHOLD = 100
"""The plugin's default ``nav_threshold``: above it concept pages leave the navigation."""

# fmt: off
ADJECTIVES = (
    "adaptive", "sparse", "dense", "low", "gated", "residual", "causal", "masked", "hybrid",
    "latent", "modular", "recurrent", "frozen", "quantized", "distilled", "contrastive",
    "hierarchical", "federated", "continual", "robust", "efficient", "dynamic", "static",
    "implicit", "explicit", "shared", "local", "global", "stochastic", "deterministic",
    "multilingual", "multimodal", "retrieval", "synthetic", "curriculum", "iterative",
    "selective", "weighted", "normalized", "rotary", "linear", "structured", "grouped",
    "parallel", "streaming", "offline", "online", "supervised", "reward", "preference",
)
NOUNS = (
    "token", "attention", "adapter", "prompt", "gradient", "embedding", "context", "memory",
    "weight", "layer", "expert", "router", "reward", "policy", "feature", "kernel", "cache",
    "decoder", "encoder", "head", "prefix", "rank", "batch", "sample", "label", "query",
    "document", "index", "schedule", "checkpoint", "tensor", "vocabulary", "sequence",
    "position", "activation", "loss", "signal", "critic", "teacher", "student", "draft",
    "chunk", "passage", "instruction", "dialogue", "agent", "tool", "search", "graph", "image",
)
HEADS = (
    "pruning", "tuning", "distillation", "merging", "sampling", "routing", "scaling",
    "alignment", "compression", "caching", "decoding", "augmentation", "regularization",
    "quantization", "retrieval", "ranking", "filtering", "mixing", "probing", "steering",
    "editing", "injection", "collapse", "leakage", "drift", "forgetting", "hacking",
    "transfer", "fusion", "evaluation",
)
TAGS = (
    "peft", "alignment", "efficiency", "retrieval", "evaluation", "safety", "data",
    "training", "inference", "quantization", "memory", "scaling", "architecture",
    "optimization", "rlhf", "prompting", "agents", "multimodal", "long-context", "privacy",
    "robustness", "interpretability", "distillation", "tokenization", "serving", "fine-tuning",
    "pre-training", "benchmarks", "hardware", "security",
)
FIRST_NAMES = (
    "Ada", "Ben", "Chen", "Dana", "Eitan", "Fatima", "Gita", "Hiro", "Ines", "Jun", "Kofi",
    "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vera",
)
LAST_NAMES = (
    "Abadi", "Brown", "Costa", "Dubois", "Eriksson", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov", "Rossi", "Singh",
    "Tanaka", "Umar", "Villa", "Wang", "Xu", "Young", "Zhang",
)
VERBS = (
    "reduces", "improves", "stabilises", "controls", "limits", "speeds up", "changes",
    "measures", "bounds", "shifts", "exposes", "trades off", "amplifies", "hides",
)
OBJECTS = (
    "the memory needed for training", "the cost of each forward pass", "the variance of updates",
    "the quality of generated text", "the number of trainable parameters", "the risk of "
    "overfitting small data sets", "the latency of serving requests", "the reliability of "
    "evaluation results", "the amount of labelled data required", "the drift between training "
    "and deployment", "the size of stored checkpoints", "the recall of retrieved passages",
)
# fmt: on
CATEGORY_NOUNS = {
    "technique": "technique",
    "method-family": "family of methods",
    "concept": "concept",
    "risk": "failure mode",
    "model": "model design",
    "practice": "practice",
}
FILLER = (
    "in practice",
    "on most benchmarks",
    "for long sequences",
    "at small scale",
    "when data is scarce",
    "during fine-tuning",
    "at inference time",
    "across model sizes",
    "with a fixed compute budget",
    "under distribution shift",
    "in multilingual settings",
    "for instruction-following models",
)
SECTIONS = ("Overview", "How it works", "Example", "Trade-offs", "Related concepts")
_WORDS = re.compile(r"\S+")


@dataclass
class Entry:
    """One synthetic concept: front matter fields and a Markdown body with wikilinks."""

    id: str
    title: str
    summary: str
    category: str
    words: tuple[str, str, str]
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)
    body: str = ""


@dataclass(frozen=True)
class Link:
    """A wikilink as written (``target``, ``label``) and the id it resolves to."""

    concept_id: str
    target: str
    label: str | None

    def wikilink(self) -> str:
        return f"[[{self.target}|{self.label}]]" if self.label else f"[[{self.target}]]"


# -- names ---------------------------------------------------------------------------


def _names(n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """``n`` distinct (adjective, noun, head) triples."""
    space = len(ADJECTIVES) * len(NOUNS) * len(HEADS)
    if n > space:
        raise ValueError(f"at most {space} concepts can be generated")
    triples = []
    for number in rng.sample(range(space), n):
        number, head = divmod(number, len(HEADS))
        adjective, noun = divmod(number, len(NOUNS))
        triples.append((ADJECTIVES[adjective], NOUNS[noun], HEADS[head]))
    return triples


def _aliases(words: tuple[str, str, str], rng: random.Random) -> list[str]:
    """0-2 aliases; each template holds a word no id or title has, so none collide."""
    adjective, noun, head = words
    forms = [
        f"{head.capitalize()} of {adjective} {noun}s",
        f"{adjective.capitalize()} {noun} {head} method",
    ]
    return forms[: rng.choice((0, 1, 1, 2))]


def _summary(entry: Entry, rng: random.Random) -> str:
    noun = CATEGORY_NOUNS[entry.category]
    text = (
        f"{entry.title} is a {noun} that {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        f" {rng.choice(FILLER)}"
    )
    if rng.random() < 0.5:
        text += f", by applying {entry.words[2]} to the {entry.words[1]} representations"
    return text[:299] + "."


def _reference(rng: random.Random) -> dict[str, Any]:
    year = rng.randint(2015, 2025)
    if rng.random() < 0.7:
        month, number = rng.randint(1, 12), rng.randint(1, 29999)
        url = f"https://arxiv.org/abs/{year % 100:02d}{month:02d}.{number:05d}"
    else:
        url = f"https://doi.org/10.{rng.randint(1000, 9999)}/{rng.randint(100000, 999999)}"
    authors = [
        f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(1, 6))
    ]
    title = (
        f"{rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} {rng.choice(HEADS)}:"
        f" {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    )
    return {"title": title, "authors": authors, "year": year, "url": url}


# -- the knowledge base --------------------------------------------------------------


def _parent(i: int, roots: int, rng: random.Random) -> int | None:
    """A random earlier concept, or None for the first ``roots`` concepts."""
    return None if i < roots else rng.randrange(i)


def _entries(n: int, rng: random.Random) -> list[Entry]:
    entries = []
    roots = max(1, n // 50)
    ids = []
    for i, words in enumerate(_names(n, rng)):
        concept_id = "-".join(words)
        ids.append(concept_id)
        entry = Entry(
            id=concept_id,
            title=" ".join(w.capitalize() for w in words),
            summary="",
            category=rng.choice(CATEGORIES),
            words=words,
            aliases=_aliases(words, rng),
            tags=rng.sample(TAGS, rng.randint(1, 4)),
        )
        entry.summary = _summary(entry, rng)
        parent = _parent(i, roots, rng)
        if parent is not None:
            entry.broader = [ids[parent]]
        if i > 1:
            # Only earlier concepts, so each pair is written once.
            entry.related = sorted(set(rng.sample(ids[:i], min(i, rng.randint(0, 3)))))
        entry.references = [_reference(rng) for _ in range(rng.randint(1, 3))]
        entries.append(entry)
    return entries


def _link(target: Entry, rng: random.Random) -> Link:
    """A wikilink to ``target``: by id mostly, else by title, alias or with a label."""
    roll = rng.random()
    if roll < 0.5:
        return Link(target.id, target.id, None)
    if roll < 0.7:
        return Link(target.id, target.id, f"{target.words[1]} {target.words[2]}")
    if roll < 0.85 or not target.aliases:
        return Link(target.id, target.title, None)
    return Link(target.id, rng.choice(target.aliases), None)


def _links(
    i: int, entries: list[Entry], positions: dict[str, int], rng: random.Random
) -> list[Link]:
    """5-10 links: the next concept (so none is an orphan), the parent, then others."""
    n = len(entries)
    if n < 2:
        return []
    wanted = [(i + 1) % n]
    if entries[i].broader:
        wanted.append(positions[entries[i].broader[0]])
    count = min(n - 1, rng.randint(5, 10))
    while len(set(wanted) - {i}) < count:
        wanted.append(rng.randrange(n))
    chosen = list(dict.fromkeys(k for k in wanted if k != i))
    return [_link(entries[k], rng) for k in chosen]


def _sentence(rng: random.Random, link: Link | None) -> str:
    adjective, noun, head = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(HEADS)
    linked = f" and relates to {link.wikilink()}" if link else ""
    return (
        f"The {adjective} {noun} {head} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        f" {rng.choice(FILLER)}{linked}, which matters when the {noun} budget is tight."
    )


def _paragraph(rng: random.Random, links: Iterator[Link], sentences: int) -> str:
    parts = []
    for k in range(sentences):
        link = next(links, None) if k % 2 == 0 else None
        parts.append(_sentence(rng, link))
    return " ".join(parts)


def _code(entry: Entry, rng: random.Random) -> str:
    adjective, noun, head = entry.words
    return "\n".join(
        (
            "```python",
            f'config = {{"{noun}_rank": {rng.choice((4, 8, 16, 32))}, "{head}": "{adjective}"}}',
            f"model = apply_{adjective}_{noun}_{head}(base_model, **config)",
            "print(model.summary())",
            "```",
        )
    )


def _table(entry: Entry, rng: random.Random) -> str:
    rows = [
        "| Setting | Typical value | Effect |",
        "| --- | --- | --- |",
    ]
    for name in rng.sample(NOUNS, 3):
        rows.append(f"| {name} size | {rng.choice((2, 4, 8, 16, 64))} | {rng.choice(VERBS)} cost |")
    rows.append(f"| {entry.words[2]} steps | {rng.randint(1, 100)} | {rng.choice(VERBS)} quality |")
    return "\n".join(rows)


def _body(entry: Entry, links: list[Link], rng: random.Random) -> str:
    pending = iter(links)
    blocks = [
        f"## {SECTIONS[0]}",
        _paragraph(rng, pending, 3),
        f"## {SECTIONS[1]}",
        _paragraph(rng, pending, 3),
        f"## {SECTIONS[2]}",
        _code(entry, rng),
        _table(entry, rng),
        f"## {SECTIONS[3]}",
        _paragraph(rng, pending, 3),
        f"## {SECTIONS[4]}",
    ]
    rest = list(pending)
    blocks.append(
        "See also " + ", ".join(link.wikilink() for link in rest) + "."
        if rest
        else "This concept stands on its own."
    )
    return "\n\n".join(blocks) + "\n"


def generate(n: int, seed: int = 1) -> list[Entry]:
    """``n`` concepts, the same for the same ``n`` and ``seed``."""
    rng = random.Random(f"conceptkb-bench:{seed}:{n}")
    entries = _entries(n, rng)
    positions = {entry.id: i for i, entry in enumerate(entries)}
    for i, entry in enumerate(entries):
        entry.body = _body(entry, _links(i, entries, positions, rng), rng)
    return entries


def word_count(text: str) -> int:
    return len(_WORDS.findall(text))


# -- writing -------------------------------------------------------------------------


def front_matter(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {"title": entry.title, "summary": entry.summary}
    if entry.aliases:
        data["aliases"] = entry.aliases
    data["category"] = entry.category
    data["tags"] = entry.tags
    if entry.broader:
        data["broader"] = entry.broader
    if entry.related:
        data["related"] = entry.related
    data["references"] = entry.references
    return data


def concept_file(entry: Entry) -> str:
    """The concept file: YAML front matter between ``---`` lines, then the body."""
    dumped = yaml.dump(
        front_matter(entry),
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=1000,
    )
    return f"---\n{dumped}---\n{entry.body}"


HOME = "# Benchmark knowledge base\n\nA synthetic knowledge base of {n} concepts.\n"
THEME = {"name": "material", "font": False}


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def write_plugin_site(entries: list[Entry], root: Path) -> None:
    """``root/mkdocs.yml``, ``root/docs/index.md`` and ``root/concepts/*.md``."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "concepts").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text(HOME.format(n=len(entries)), encoding="utf-8")
    for entry in entries:
        (root / "concepts" / f"{entry.id}.md").write_text(concept_file(entry), encoding="utf-8")
    config = {
        "site_name": "conceptkb benchmark",
        "theme": THEME,
        "plugins": ["search", {"conceptkb": {"concepts_dir": "concepts"}}],
    }
    _write_yaml(root / "mkdocs.yml", config)


def _resolver(entries: Iterable[Entry]) -> dict[str, Entry]:
    names: dict[str, Entry] = {}
    for entry in entries:
        for name in (entry.id, entry.title, *entry.aliases):
            names[name] = entry
    return names


_WIKILINK = re.compile(r"\[\[([^\[\]\n|]+?)(?:\|([^\[\]\n]*?))?\]\]")


def plain_body(body: str, names: dict[str, Entry], prefix: str = "") -> str:
    """The body with each wikilink written as a relative Markdown link, as the plugin shows it."""

    def replace(match: re.Match[str]) -> str:
        target, label = match.group(1).strip(), match.group(2)
        entry = names[target]
        text = label.strip() if label else (entry.title if target == entry.id else target)
        return f"[{text}]({prefix}{entry.id}.md)"

    return _WIKILINK.sub(replace, body)


def _listing(title: str, entries: Iterable[Entry], prefix: str) -> str:
    lines = [f"# {title}", ""]
    for entry in sorted(entries, key=lambda e: e.title.casefold()):
        lines.append(f"- [{entry.title}]({prefix}{entry.id}.md): {entry.summary}")
    return "\n".join(lines) + "\n"


def _relations(entries: list[Entry]) -> dict[str, dict[str, set[str]]]:
    """Narrower, related (both ways) and referenced-by ids, derived as the plugin does."""
    names = _resolver(entries)
    derived: dict[str, dict[str, set[str]]] = {
        e.id: {"Narrower": set(), "Related": set(), "Referenced by": set()} for e in entries
    }
    for entry in entries:
        for parent in entry.broader:
            derived[parent]["Narrower"].add(entry.id)
        for other in entry.related:
            derived[entry.id]["Related"].add(other)
            derived[other]["Related"].add(entry.id)
        for match in _WIKILINK.finditer(entry.body):
            target = names[match.group(1).strip()].id
            if target != entry.id:
                derived[target]["Referenced by"].add(entry.id)
    return derived


def _extra_sections(entry: Entry, derived: dict[str, set[str]], by_id: dict[str, Entry]) -> str:
    """What a conceptkb page adds after the body, as Markdown: relations and references."""
    sections = {"Broader": set(entry.broader), **derived}
    text = ""
    for title, ids in sections.items():
        if ids:
            items = "\n".join(f"- [{by_id[i].title}]({i}.md)" for i in sorted(ids))
            text += f"\n## {title}\n\n{items}\n"
    references = "\n".join(
        f"1. {', '.join(r['authors'])} ({r['year']}). [{r['title']}]({r['url']})."
        for r in entry.references
    )
    return text + f"\n## References\n\n{references}\n"


def drawn_maps(concepts_dir: Path) -> dict[str, str]:
    """Each concept's map as conceptkb draws it for the concept's page (an inline SVG
    whose links are relative to that page), from the concept files in ``concepts_dir``.
    A site written by hand that shows the same maps would paste these drawings in."""
    index = lint(Settings(concepts_dir=concepts_dir, base_dir=concepts_dir.parent)).index
    concepts = index.concepts
    maps: dict[str, str] = {}
    for concept_id in concepts:
        graph = conceptmap.neighbourhood(index, concept_id)
        if len(graph.nodes) > 1:  # as on a concept page: a map of two concepts or more
            maps[concept_id] = conceptmap.render_svg(
                graph,
                lambda other: f"../{other}/",
                title_of=lambda other: concepts[other].title,
                summary_of=lambda other: concepts[other].summary,
            )
    return maps


def _names_and_meta(entry: Entry) -> str:
    """What a conceptkb page shows under the summary: other names, category and tags."""
    text = f"**Also known as:** {', '.join(entry.aliases)}\n\n" if entry.aliases else ""
    category = entry.category.replace("-", " ").capitalize()
    tags = ", ".join(f"[{t}](tags/{t}.md)" for t in entry.tags)
    return text + (
        f"Category: [{category}](categories/{entry.category}.md) · Tags: {tags}"
        " · Not reviewed yet\n\n"
    )


def _map_section(drawing: str | None) -> str:
    if drawing is None:
        return ""
    return (
        '\n## Concept map\n\n<figure class="ck-map-figure" data-search-exclude>\n'
        f"{drawing}\n</figure>\n"
    )


def _citation(entry: Entry) -> str:
    """The citation and the link back to the index, as a conceptkb page ends."""
    title, url = html.escape(entry.title), f"concepts/{entry.id}/"
    return (
        '\n<details class="ck-cite" data-search-exclude>\n<summary>Cite this page</summary>\n'
        f"<pre>{title}. In conceptkb benchmark. {url} (accessed YYYY-MM-DD).</pre>\n"
        f"<pre>@misc{{{entry.id},\n  title = {{{{{title}}}}},\n"
        f"  howpublished = {{conceptkb benchmark}},\n  url = {{{url}}},\n"
        "  urldate = {YYYY-MM-DD}\n}</pre>\n</details>\n\n[Back to all concepts](index.md)\n"
    )


def _baseline_pages(
    entries: list[Entry], full: bool, maps: dict[str, str] | None
) -> Iterator[tuple[str, str]]:
    """(path under docs/, Markdown) for every page of the baseline site."""
    names = _resolver(entries)
    derived = _relations(entries) if full else {}
    by_id = {e.id: e for e in entries}
    for entry in entries:
        meta = yaml.safe_dump({"description": entry.summary}, width=1000)
        text = f"---\n{meta}---\n# {entry.title}\n\n{entry.summary}\n\n"
        if maps is not None:
            text += _names_and_meta(entry)
        text += plain_body(entry.body, names)
        if maps is not None:
            text += _map_section(maps.get(entry.id))
        if full:
            text += _extra_sections(entry, derived[entry.id], by_id)
        if maps is not None:
            text += _citation(entry)
        yield f"concepts/{entry.id}.md", text
    yield "concepts/index.md", _listing("Concepts", entries, "")
    for category in CATEGORIES:
        members = [e for e in entries if e.category == category]
        title = category.replace("-", " ").capitalize()
        yield f"concepts/categories/{category}.md", _listing(title, members, "../")
    tags = sorted({t for e in entries for t in e.tags})
    tag_index = ["# Tags", ""] + [f"- [{t}]({t}.md)" for t in tags]
    yield "concepts/tags/index.md", "\n".join(tag_index) + "\n"
    for tag in tags:
        members = [e for e in entries if tag in e.tags]
        yield f"concepts/tags/{tag}.md", _listing(f"Tag: {tag}", members, "../")


def write_baseline_site(
    entries: list[Entry],
    root: Path,
    *,
    full: bool = False,
    maps: dict[str, str] | None = None,
) -> None:
    """The same pages as plain Markdown in ``root/docs``, for plain MkDocs + Material.

    A page holds the title, the summary and the body.  With ``full``, it also holds
    what conceptkb adds after the body (relations and references), as Markdown lists.
    With ``maps`` as well (see :func:`drawn_maps`), it holds every section a conceptkb
    page shows: the same site written by hand.
    """
    docs = root / "docs"
    for folder in ("concepts/categories", "concepts/tags"):
        (docs / folder).mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(HOME.format(n=len(entries)), encoding="utf-8")
    for path, text in _baseline_pages(entries, full, maps):
        (docs / path).write_text(text, encoding="utf-8")
    # The same navigation as the plugin's: tag pages never listed, concept pages
    # listed only up to the plugin's nav_threshold.
    hidden = ["/concepts/tags/"]
    if len(entries) > NAV_THRESHOLD:
        hidden += ["/concepts/*.md", "!/concepts/index.md"]
    config = {
        "site_name": "conceptkb benchmark",
        "theme": THEME,
        "plugins": ["search"],
        "not_in_nav": "\n".join(hidden),
    }
    _write_yaml(root / "mkdocs.yml", config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of concepts")
    parser.add_argument(
        "out",
        type=Path,
        help="folder to write plugin/, baseline/, baseline-text/, baseline-every/ into",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    entries = generate(args.n, args.seed)
    write_plugin_site(entries, args.out / "plugin")
    write_baseline_site(entries, args.out / "baseline")
    write_baseline_site(entries, args.out / "baseline-text", full=True)
    maps = drawn_maps(args.out / "plugin" / "concepts")
    write_baseline_site(entries, args.out / "baseline-every", full=True, maps=maps)
    words = sum(word_count(e.body) for e in entries) / len(entries)
    print(f"{len(entries)} concepts, {words:.0f} body words each, in {args.out}")


if __name__ == "__main__":
    main()
