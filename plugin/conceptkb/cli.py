"""The ``conceptkb`` command: lint, rules, schema, new.

Only :func:`main` prints and decides the exit code: 0 no errors (warnings and notes
allowed), 1 errors found (or, with ``--fix-mentions``, a file that could not be
written), 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from conceptkb import __version__, changes, fixes, scaffold
from conceptkb.checker import LintResult, display_path, lint
from conceptkb.checksite import check_site
from conceptkb.diagnostics import Finding
from conceptkb.kbdate import KbDateError
from conceptkb.lintcache import LintCache
from conceptkb.mkdocsyml import chain
from conceptkb.names import is_valid_id, proposed_id
from conceptkb.reporters import REPORTERS, github_summary
from conceptkb.rules import RULES
from conceptkb.schema import schema_text
from conceptkb.settings import DEFAULT_CATEGORIES, Settings, SettingsError, from_mkdocs_yml
from conceptkb.suppress import BaselineError, write_baseline

if TYPE_CHECKING:
    from conceptkb import generate

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="conceptkb", description="Lint and scaffold a concept knowledge base.")
    parser.add_argument("--version", action="version", version=f"conceptkb {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    lint_cmd = commands.add_parser("lint", help="check concept files")
    lint_cmd.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or folders to report on (default: the concepts folder)",
    )
    lint_cmd.add_argument(
        "--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)"
    )
    lint_cmd.add_argument(
        "--changed",
        nargs="?",
        const="",
        metavar="BASE",
        help="report on what differs from BASE (default: the merge base with the default"
        " branch), staged, unstaged and untracked files included: changed concepts, concepts"
        " that refer to a deleted or renamed one, everything if the configuration changed",
    )
    lint_cmd.add_argument(
        "--write-baseline",
        action="store_true",
        help="accept every current error and warning of a configurable rule: write them to"
        " the baseline file (option 'baseline', default conceptkb-baseline.json); later runs"
        " and builds report only new ones",
    )
    lint_cmd.add_argument(
        "--fix-mentions",
        action="store_true",
        help="write the wikilink CK307 suggests at each unlinked mention it reports, in files"
        " inside the concepts folder; prints each change, then lints again (text output"
        " only; with paths or --changed, only the files they select)",
    )
    lint_cmd.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="read every file again: keep nothing from the last run (by default, what reading"
        " a file gave is kept in the user's cache folder and used while the file's text, the"
        " settings and conceptkb stay the same)",
    )
    lint_cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="mkdocs.yml to read the conceptkb options from (default: ./mkdocs.yml when it exists)",
    )

    check_cmd = commands.add_parser(
        "check-site", help="check a built site (any engine) against the knowledge base"
    )
    check_cmd.add_argument("site_dir", type=Path, metavar="SITE_DIR", help="the built site")
    check_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="mkdocs.yml to read the conceptkb options from"
    )

    gen_cmd = commands.add_parser(
        "generate",
        help="write the site as a staging tree that Zensical (or any engine reading"
        " mkdocs.yml) builds",
    )
    gen_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="mkdocs.yml of the site (default: ./mkdocs.yml)"
    )
    gen_cmd.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="the staging tree, inside the configuration's folder (default: build/conceptkb)",
    )
    gen_cmd.add_argument(
        "--preview",
        action="store_true",
        help="write even when there are errors: pages show their findings (never publish this)",
    )
    gen_cmd.add_argument(
        "--watch",
        action="store_true",
        help="keep running: write again what an edit changes (until interrupted)",
    )
    gen_cmd.add_argument(
        "--format", choices=sorted(REPORTERS), default="text", help="findings format"
    )

    commands.add_parser("rules", help="list the lint rules")
    schema_cmd = commands.add_parser(
        "schema", help="print the JSON Schema of the front matter, with the configured categories"
    )
    schema_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="mkdocs.yml to read the conceptkb options from"
    )

    new_cmd = commands.add_parser("new", help="write a new concept file from the template")
    new_cmd.add_argument("title", help="the concept's preferred name")
    new_cmd.add_argument("--id", dest="concept_id", help="the id (default: made from the title)")
    new_cmd.add_argument("--category", help="the category (default: the first configured one)")
    new_cmd.add_argument(
        "--config", type=Path, metavar="FILE", help="mkdocs.yml to read the conceptkb options from"
    )
    return parser


def _settings(config: Path | None) -> Settings:
    if config is not None:
        if not config.is_file():
            raise SettingsError(f"{config}: no such configuration file")
        return from_mkdocs_yml(config)
    default = Path("mkdocs.yml")
    if default.is_file():
        return from_mkdocs_yml(default)
    return Settings(concepts_dir=Path("concepts"))


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args.config)
    paths: list[Path] | None = args.paths or None
    for path in paths or ():
        if not path.exists() and not path.is_symlink():
            raise SettingsError(f"{path}: no such file or folder")
    if args.fix_mentions and args.write_baseline:
        raise SettingsError("--fix-mentions and --write-baseline cannot be used together")
    if args.fix_mentions and args.format != "text":
        raise SettingsError(
            f"--fix-mentions reports its changes as text; it cannot be used with --format"
            f" {args.format}"
        )

    def kept() -> LintCache | None:
        return LintCache.open(settings) if args.cache else None

    if args.write_baseline:
        if paths or args.changed is not None:
            raise SettingsError("--write-baseline lints the whole knowledge base: no paths")
        result = lint(settings, kept=kept())
        target = settings.baseline or Path("conceptkb-baseline.json")
        count = write_baseline(target, result.unfiltered, settings.config_dir, settings.base_dir)
        out.write(f"wrote {count} accepted finding{'' if count == 1 else 's'} to {target}\n")
        return EXIT_OK
    if args.changed is not None and paths:
        raise SettingsError("--changed and paths cannot be used together")

    def run() -> LintResult:
        if args.changed is not None:
            return _lint_changed(settings, _config_file(args.config), args.changed, kept())
        return lint(settings, paths, kept=kept())

    result = run()
    refused: list[fixes.NotLinked] = []
    if args.fix_mentions:
        linked, refused = fixes.link_mentions(result, settings.concepts_dir)
        out.writelines(f"{change.describe()}\n" for change in linked)
        out.writelines(f"{problem.describe()}\n" for problem in refused)
        files = len({change.path for change in linked})
        out.write(
            f"linked {len(linked)} mention{'' if len(linked) == 1 else 's'} in {files}"
            f" file{'' if files == 1 else 's'}\n"
        )
        if linked:
            result = run()  # report on the files as they are now
    out.write(REPORTERS[args.format](result.findings, result.summary()))
    if args.format == "github":
        _write_step_summary(result.findings, result.summary())
    return EXIT_ERRORS if result.errors or refused else EXIT_OK


def _config_file(config: Path | None) -> Path | None:
    if config is not None:
        return config
    return Path("mkdocs.yml") if Path("mkdocs.yml").is_file() else None


def _lint_changed(
    settings: Settings, config: Path | None, base: str, kept: LintCache | None
) -> LintResult:
    """Lint the whole knowledge base; report on what the change touches."""
    try:
        repo = changes.repository_root(Path.cwd())
        delta = changes.changes(repo, base or changes.default_base(repo))
    except changes.NoCommits:
        return lint(settings, kept=kept)  # the first commit: everything is new
    except changes.ChangesError as error:
        raise SettingsError(f"--changed: {error}") from error
    result = lint(settings, kept=kept)
    touched = {p.resolve() for p in (*delta.changed, *delta.removed)}
    if config is not None and touched & {p.resolve() for p in chain(config)}:
        return result  # the configuration changed: every file is affected
    root = settings.concepts_dir.resolve()
    selected = {
        p.resolve() for p in delta.changed if p.suffix == ".md" and root in p.resolve().parents
    }
    removed = [
        (path.stem, text)
        for path, text in delta.removed.items()
        if path.suffix == ".md" and root in path.resolve().parents
    ]
    for concept_id in changes.referring(result.index, removed):
        source = result.index.concepts[concept_id].source
        if source is not None:
            selected.add(source.resolve())
    shown = {display_path(p, settings.base_dir) for p in selected}
    findings = [f for f in result.findings if f.path in shown]
    files = sorted(p for p in selected if p.is_file())
    return LintResult(findings, result.index, files, kb_date=result.kb_date)


def _write_step_summary(findings: Sequence[Finding], summary: str) -> None:
    """In GitHub Actions, the full list goes to the job summary when it is longer
    than what GitHub shows as annotations."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    text = github_summary(findings, summary)
    if target and text:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(text)


def _check_site(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args.config)
    if not args.site_dir.is_dir():
        raise SettingsError(f"{args.site_dir}: no such folder")
    result = lint(settings)
    if result.errors:
        out.write(REPORTERS["text"](result.errors, result.summary()))
        return EXIT_ERRORS
    assert result.space is not None  # placed by every lint run
    problems = check_site(args.site_dir, result.index, result.space)
    for problem in problems:
        out.write(f"{args.site_dir.as_posix().rstrip('/')}/{problem}\n")
    count = len(problems)
    out.write(
        f"{count} problem{'' if count == 1 else 's'} in the site built from"
        f" {len(result.index)} concepts\n"
    )
    return EXIT_ERRORS if problems else EXIT_OK


def _generate(args: argparse.Namespace, out: TextIO) -> int:
    # Imported here: the site model and its templates are not needed to lint.
    from conceptkb import generate

    config = _config_file(args.config)
    if config is None or not config.is_file():
        raise SettingsError(f"{args.config or 'mkdocs.yml'}: no such configuration file")
    try:
        generator = generate.Generator(config, args.out)
        outcome = generator.run(preview=args.preview)
    except generate.GenerateError as error:
        raise SettingsError(str(error)) from error
    _report_generated(outcome, args.format, out)
    if args.watch:
        try:
            for outcome in generate.watch(generator, preview=args.preview):
                _report_generated(outcome, args.format, out)
        except KeyboardInterrupt:
            return EXIT_OK
    return EXIT_ERRORS if outcome.refused else EXIT_OK


def _report_generated(outcome: generate.Outcome, format: str, out: TextIO) -> None:
    findings = sorted([*outcome.result.findings, *outcome.warnings])
    out.write(REPORTERS[format](findings, outcome.result.summary()))
    if format != "text":
        return
    if outcome.refused:
        out.write("conceptkb generate: nothing written: fix the errors (or use --preview)\n")
        return
    for note in outcome.notes:
        out.write(f"conceptkb generate: note: {note}\n")
    config = outcome.config_file.name if outcome.config_file is not None else "?"
    out.write(
        f"conceptkb generate: {len(outcome.written)} written, {len(outcome.removed)} removed,"
        f" {outcome.unchanged} unchanged; build it with: zensical build -f {config}\n"
    )
    out.flush()


def _rules(out: TextIO) -> int:
    for rule in RULES:
        fixed = "" if rule.fixed else " (configurable)"
        out.write(
            f"{rule.code}  {rule.severity.value:<7}  {rule.name:<26} {rule.description}{fixed}\n"
        )
    return EXIT_OK


def _new(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args.config)
    concept_id = args.concept_id or proposed_id(args.title)
    if not is_valid_id(concept_id):
        raise SettingsError(
            f"cannot make an id from {args.title!r}: pass one with --id (lowercase kebab-case)"
        )
    result = lint(settings)
    index = result.index
    taken = index.resolve(args.title)
    owner = taken.concept or (index.concepts[taken.candidates[0]] if taken.candidates else None)
    if owner is not None:
        raise SettingsError(
            f"{args.title!r} is already a name of {owner.path}: link it with [[{owner.id}]],"
            " or add another name there as an alias"
        )
    holder = index.get(concept_id)
    if holder is not None:
        raise SettingsError(
            f"id {concept_id!r} is already taken by {holder.path}: choose another with --id"
        )
    categories = settings.categories or DEFAULT_CATEGORIES
    category = args.category or categories[0]
    if category not in categories:
        raise SettingsError(f"category {category!r} is not one of: {', '.join(categories)}")
    path = settings.concepts_dir / f"{concept_id}.md"
    today = datetime.date.today()
    # The knowledge base's date, so that the entry is neither stale nor "reviewed after"
    # it; today only for a knowledge base with no commit and no reviewed date at all.
    reviewed = result.kb_date.date if result.kb_date is not None else today
    content = scaffold.render(args.title, category, categories, today.year, reviewed)
    try:
        scaffold.write(path, content)
    except FileExistsError as error:
        raise SettingsError(f"{path} already exists; not overwritten") from error
    out.write(f"wrote {path.as_posix()}\nfill in the placeholders marked FIXME:\n")
    for placeholder in scaffold.placeholders(content):
        out.write(f"  {path.as_posix()}:{placeholder.line}: {placeholder.what}\n")
    out.write(f"then check it: conceptkb lint {path.as_posix()}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    out, err = sys.stdout, sys.stderr
    try:
        args = _parser().parse_args(argv)
        if args.command == "lint":
            return _lint(args, out)
        if args.command == "rules":
            return _rules(out)
        if args.command == "generate":
            return _generate(args, out)
        if args.command == "check-site":
            return _check_site(args, out)
        if args.command == "schema":
            settings = _settings(args.config)
            out.write(schema_text(settings.categories, settings.site_url))
            return EXIT_OK
        return _new(args, out)
    except _UsageError as error:
        err.write(f"{error}\n")
        return EXIT_USAGE
    except (SettingsError, BaselineError, KbDateError) as error:
        err.write(f"conceptkb: {error}\n")
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
