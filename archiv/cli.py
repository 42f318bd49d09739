"""The ``archiv`` command: parse options, call the library, format, map errors to exit codes.

No logic lives here. Data goes to stdout, progress and messages to stderr.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from archiv import __version__
from archiv.config import DEFAULT_CORPUS, DEFAULT_INDEX, ENV_INDEX, IngestSettings, default_jobs
from archiv.engine import SearchFilters, SearchRequest
from archiv.errors import (
    ArchivError,
    ExitCode,
    NoArchiveError,
    NoSpaceError,
    NotFoundError,
    UsageError,
)
from archiv.models import NO_TEXT_REASONS, ExtractOptions, IngestResult
from archiv.output import (
    escape_path,
    page_ranges,
    safe_text,
    search_rows,
    search_text,
    short_path,
    table,
    to_csv,
    to_json,
)

log = logging.getLogger("archiv")


class ArchivGroup(click.Group):
    """Maps every ArchivError to its exit code with a one-line message, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchivError as error:
            click.echo(f"Error: {safe_text(str(error))}", err=True)
            ctx.exit(int(error.exit_code))
        except KeyboardInterrupt:
            click.echo("Interrupted; what was stored stays stored.", err=True)
            ctx.exit(int(ExitCode.INTERRUPTED))
        except BrokenPipeError:
            # The reader stopped reading (`archiv chronik | head`): what it wanted, not an
            # error. Later writes (Python's own flush at exit) go nowhere instead of failing.
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(int(ExitCode.OK))
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # a bug: one line, the traceback only with -v
            log.debug("internal error", exc_info=True)
            click.echo(f"Internal error: {type(error).__name__}: {safe_text(str(error))} "
                       "(run with -v for details; please report it)", err=True)
            ctx.exit(int(ExitCode.INTERNAL))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        # `chronik` is the German alias of `chronology`.
        if args and args[0] == "chronik":
            args = ["chronology", *args[1:]]
        return super().resolve_command(ctx, args)


def index_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
        envvar=ENV_INDEX, default=str(DEFAULT_INDEX), show_default=True, show_envvar=True,
        help="Archive directory (store and index).",
    )(fn)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Output JSON.")(fn)


@click.group(cls=ArchivGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archiv")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv: debug).")
def cli(verbose: int) -> None:
    """An archive of council documents: ingest PDFs, search them, build a chronology.

    \b
    Example:
        archiv ingest corpus/
        archiv search Beitritt
        archiv chronik
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s", stream=sys.stderr)
    from archiv.deps import check_dependencies

    check_dependencies()  # refuse an unsafe pdfminer.six or an unverified Whoosh before any work


def _reader(index_dir: Path):  # noqa: ANN202
    from archiv.archive import Archive

    return Archive.for_reading(index_dir)


# --- ingest --------------------------------------------------------------------------------
class _Bar:
    """Progress on stderr: files, pages/s and ETA; silent when stderr is not a terminal."""

    def __init__(self, enabled: bool, *, quiet: bool = False) -> None:
        self.enabled = enabled
        self.quiet = quiet  # failures are always shown, files without text only without -q
        self.bar: Any = None
        self.pages = 0
        self.started = time.monotonic()

    def start(self, total: int) -> None:
        self.started = time.monotonic()
        if self.enabled and total:
            self.bar = click.progressbar(
                length=total, label="ingest", file=sys.stderr, show_eta=True, show_pos=True,
                item_show_func=lambda _: f"{self.pages / max(1e-6, time.monotonic() - self.started):.0f} pages/s",
            )
            self.bar.__enter__()

    def advance(self, result: IngestResult) -> None:
        self.pages += result.pages
        if result.outcome == "failed":
            self._echo(f"failed: {safe_text(result.message or result.path)} [{result.reason}]")
        elif result.pages_without_text and not self.quiet:
            self._echo(f"no text: {safe_text(result.message or result.path)}")
        if self.bar is not None:
            self.bar.update(1, result)

    def _echo(self, line: str) -> None:
        if self.bar is not None:
            click.echo("\r\x1b[2K", err=True, nl=False)
        click.echo(line, err=True)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--force", is_flag=True, help="Redo every file, changed or not.")
@click.option("--retry-failed", is_flag=True, help="Retry only the files that failed before.")
@click.option("--retry-no-text", is_flag=True,
              help="Read again only the files with pages OCR could still read (see `archiv status --needs-ocr`).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=default_jobs, show_default="all cores",
              help="Worker processes.")
@click.option("--ocr", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="OCR pages without a usable text layer.")
@click.option("--password", default=None, help="Password for encrypted PDFs.")
@click.option("--timeout", type=click.FloatRange(0.5), default=300.0, show_default=True,
              help="Seconds allowed per file.")
@click.option("--wait", "wait", type=click.FloatRange(0), default=60.0, show_default=True,
              help="Seconds to wait for another ingest to finish.")
@click.option("--no-wait", is_flag=True, help="Fail at once when another ingest is running.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, only failures and errors.")
@click.option("--profile", is_flag=True, help="Print where the time went, per stage.")
@json_option
def ingest(paths: Sequence[Path], index_dir: Path, force: bool, retry_failed: bool,
           retry_no_text: bool, jobs: int, ocr: str, password: str | None, timeout: float,
           wait: float, no_wait: bool, quiet: bool, profile: bool, as_json: bool) -> None:
    """Read documents (PDF, TXT, DOCX, ODT) into the archive; unchanged files are skipped.

    With no PATHS, reads corpus/. A file that cannot be read is reported, the others go on;
    the exit code is 1 if any file failed. A file whose pages have no text (a scan without
    OCR) is stored, not failed: `archiv status --needs-ocr` lists it, and a later run with
    OCR reads it again.

    \b
    Example:
        archiv ingest corpus/ ~/Downloads/ratsinfo/
        archiv ingest --retry-failed --password geheim
        archiv ingest --retry-no-text
    """
    from archiv.archive import Archive
    from archiv.lock import write_lock
    from archiv.pipeline import ingest as run_ingest

    roots = list(paths) or ([] if retry_failed or retry_no_text else [DEFAULT_CORPUS])
    settings = IngestSettings(
        force=force, retry_failed=retry_failed, retry_no_text=retry_no_text, jobs=jobs,
        extract=ExtractOptions(ocr=ocr, password=password, timeout=timeout),  # type: ignore[arg-type]
        wait=0.0 if no_wait else wait, profile=profile,
    )
    bar = _Bar(enabled=not quiet and sys.stderr.isatty(), quiet=quiet)
    with write_lock(index_dir, wait=settings.wait), Archive.for_writing(index_dir) as archive:
        try:
            report = run_ingest(archive, roots, settings, progress=bar)
        finally:
            bar.finish()
    counts = report.counts
    rate = report.pages / report.seconds if report.seconds else 0.0
    summary = {
        "added": counts["added"], "updated": counts["updated"], "unchanged": counts["unchanged"],
        "failed": counts["failed"], "skipped": counts["skipped"], "pages": report.pages,
        "seconds": round(report.seconds, 3), "pages_per_second": round(rate, 1),
        "failures": [{"path": f.path, "reason": f.reason, "message": f.message} for f in report.failures],
        "no_text": report.no_text, "ocr_pages": report.ocr_pages,
        "pages_without_text": report.pages_without_text,
        "without_text": [{"path": r.path, "document_id": r.document_id, "pages": r.pages,
                          "pages_without_text": list(r.pages_without_text), "reason": r.no_text}
                         for r in report.without_text],
    }
    if profile:
        summary["stages"] = {k: round(v, 4) for k, v in sorted(report.stages.items())}
    if as_json:
        click.echo(to_json(summary))
    click.echo(
        f"{counts['added']} added, {counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed, {report.no_text} without text · {report.pages} pages "
        f"({report.ocr_pages} by OCR, {report.pages_without_text} without text) in "
        f"{report.seconds:.1f} s ({rate:.1f} pages/s)",
        err=True,
    )
    if profile:
        total = sum(report.stages.values()) or 1.0
        for stage, seconds in sorted(report.stages.items(), key=lambda kv: -kv[1]):
            click.echo(f"  {stage:<12} {seconds:8.3f} s  {100 * seconds / total:5.1f} %", err=True)
    if report.pages_without_text:
        click.echo("Pages without text: see `archiv status --needs-ocr`.", err=True)
    if report.failed:
        click.echo("See `archiv failures`; retry with `archiv ingest --retry-failed`.", err=True)
        sys.exit(int(ExitCode.FILES_FAILED))


# --- search --------------------------------------------------------------------------------
def filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed((
        click.option("--city", help="Only documents of this municipality."),
        click.option("--body", help="Only pages naming this body (Gremium)."),
        click.option("--type", "doc_type", help="Only this document type (mitteilung, niederschrift …)."),
        click.option("--ref", help="Only documents citing this reference number."),
        click.option("--from", "date_from",
                     help="From this date (2015, 2015-03, 2015-03-12): the document's or one on the page."),
        click.option("--to", "date_to", help="Up to this date (inclusive, at its precision)."),
    )):
        fn = decorator(fn)
    return fn


@cli.command()
@click.argument("query")
@index_option
@filter_options
@click.option("-n", "--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Documents to show.")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--facets", is_flag=True, help="Add facet counts (with --json: a separate key).")
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Output CSV.")
def search(query: str, index_dir: Path, city: str | None, body: str | None, doc_type: str | None,
           ref: str | None, date_from: str | None, date_to: str | None, limit: int, sort: str,
           facets: bool, as_json: bool, as_csv: bool) -> None:
    """Search the archive; results grouped per document with the matching pages.

    \b
    Query language: words (AND), OR, -word, "a phrase", prefix*, word~ (typos),
    stadt:Paderborn gremium:Rat typ:mitteilung ds:0002/15 datum:2015 datum:[2015-01 TO 2016-06]

    \b
    Example:
        archiv search Beitritt
        archiv search "Netzwerk -Kooperationsvereinbarung" --city Paderborn --from 2015
        archiv search 0002/15 --json
    """
    request = SearchRequest(
        query=query,
        filters=SearchFilters(city=city, body=body, doc_type=doc_type, ref=ref,
                              date_from=date_from, date_to=date_to),
        limit=limit, sort=sort, facets=facets or not (as_json or as_csv),  # type: ignore[arg-type]
    )
    with _reader(index_dir) as archive:
        outcome = archive.search(request)
    rows = search_rows(outcome)
    if outcome.suggestion:
        click.echo(f"Did you mean: {safe_text(outcome.suggestion)}", err=True)
    if outcome.fuzzy and rows:
        click.echo("(few exact matches: showing similar spellings too)", err=True)
    if outcome.truncated:
        click.echo("(search stopped at its time limit: results may be incomplete)", err=True)
    if as_json:
        data: Any = rows
        if facets:
            data = {"results": rows, "facets": outcome.facets or {}}
        click.echo(to_json(data))
    elif as_csv:
        click.echo(to_csv(rows, ["document_id", "path", "title", "page", "score", "snippet", "date"]), nl=False)
    elif rows:
        click.echo(search_text(outcome, bold=lambda s: click.style(s, bold=True)))
    if not rows:
        click.echo(f"No document matches {safe_text(query)!r}.", err=True)


# --- documents, show, stats ----------------------------------------------------------------
@cli.command()
@index_option
@click.option("--status", type=click.Choice(["ok", "ok:no_text", "failed"]), default=None,
              help="Only these (ok includes ok:no_text).")
@json_option
def documents(index_dir: Path, status: str | None, as_json: bool) -> None:
    """List the documents of the archive (failed ones with their reason)."""
    with _reader(index_dir) as archive:
        records = archive.documents(status)
    if as_json:
        click.echo(to_json([_document_json(r) for r in records]))
        return
    click.echo(table(
        [(r.document_id[:12], r.path, r.title, r.type, r.date, r.municipality, r.pages,
          f"failed: {r.reason}" if r.status == "failed" else r.status) for r in records],
        ["id", "path", "title", "type", "date", "municipality", "pages", "status"], max_width=48,
    ))


def _document_json(record: Any) -> dict[str, Any]:
    data = record.to_dict()
    data.pop("state", None)
    return data


@cli.command()
@click.argument("doc")
@index_option
@click.option("--text/--no-text", default=True, help="Print the pages' text.")
@json_option
def show(doc: str, index_dir: Path, text: bool, as_json: bool) -> None:
    """Show one document (by id prefix or path) with its pages.

    \b
    Example:
        archiv show 4535979814d9
        archiv show corpus/bielefeld-mitteilung-hwb-2023-10-25.pdf --no-text
    """
    with _reader(index_dir) as archive:
        record = archive.store.document(doc)
        pages = archive.store.pages(record.document_id)
        paths = archive.store.paths_of(record.document_id)
    if as_json:
        data = _document_json(record)
        data["paths"] = paths
        data["page_texts"] = [p.to_dict() for p in pages]
        click.echo(to_json(data))
        return
    lines = [f"{k}: {safe_text(str(v))}" for k, v in _document_json(record).items() if v not in (None, "")]
    lines += [f"path: {safe_text(p)}" for p in paths if p != record.path]
    click.echo("\n".join(lines))
    if text:
        for page in pages:
            notes = (["OCR"] if page.ocr else []) + (
                [f"no text: {NO_TEXT_REASONS.get(page.no_text, page.no_text)}"] if page.no_text else [])
            marker = f" ({'; '.join(notes)})" if notes else ""
            click.echo(f"\n--- page {page.number}{marker} ---\n{page.text}")


@cli.command()
@index_option
@json_option
def stats(index_dir: Path, as_json: bool) -> None:
    """Counts: documents, pages, failures, mentions, resolutions."""
    with _reader(index_dir) as archive:
        counts = archive.store.counts()
        counts["index_pages"] = archive.engine.page_count()
    if as_json:
        click.echo(to_json(counts))
        return
    for key, value in counts.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        click.echo(f"{key:<19} {value}")


@cli.command()
@index_option
@click.option("--needs-ocr", is_flag=True,
              help="List the documents with pages without text, and why.")
@json_option
def status(index_dir: Path, needs_ocr: bool, as_json: bool) -> None:
    """The archive at a glance: documents per state, pages (by OCR, without text), failures.

    \b
    States: ok; ok:no_text (stored, but no page has text: a scan without OCR, a drawing);
    failed (see `archiv failures`); in progress (left by an interrupted run).

    \b
    Example:
        archiv status
        archiv status --needs-ocr --json
    """
    if needs_ocr:
        with _reader(index_dir) as archive:
            rows = archive.needs_ocr()
        _print_needs_ocr(rows, as_json)
        return
    with _reader(index_dir) as archive:
        overview = archive.status()
    if as_json:
        click.echo(to_json(overview))
        return
    states = overview["states"]
    reasons = ", ".join(f"{k}: {v}" for k, v in overview["failure_reasons"].items())
    lines = [
        ("archive", escape_path(index_dir)),
        ("documents", f"{overview['documents']}: {states['ok']} ok, {states['ok:no_text']} ok:no_text, "
                      f"{states['failed']} failed, {states['in_progress']} in progress"),
        ("pages", f"{overview['pages']}: {overview['ocr_pages']} by OCR, "
                  f"{overview['pages_without_text']} without text"),
        ("failures", f"{overview['failures']}" + (f" ({reasons}): see `archiv failures`" if reasons else "")),
        ("without text", f"{overview['needs_ocr']} document(s) with pages without text"
                         + (f", {overview['ocr_fixable']} fixable by OCR (`archiv ingest --retry-no-text`)"
                            if overview["ocr_fixable"] else "")
                         + (": see `archiv status --needs-ocr`" if overview["needs_ocr"] else "")),
        ("last ingest", overview["last_ingest"] or "-"),
    ]
    if states["in_progress"]:
        lines.append(("note", "an interrupted run left documents unfinished: run `archiv ingest`"))
    for key, value in lines:
        click.echo(f"{key:<13} {value}")


def _print_needs_ocr(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        click.echo(to_json(rows))
        return
    if not rows:
        click.echo("No document has pages without text.", err=True)
        return
    click.echo(table(
        [(short_path(r["path"], 60), f"{len(r['pages_without_text'])} of {r['pages']}",
          page_ranges(r["pages_without_text"]), r["why"]) for r in rows],
        ["path", "without text", "pages", "why"], max_width=60,
    ))
    if any(r["ocr_fixable"] for r in rows):
        click.echo("Read them again with OCR: `archiv ingest --retry-no-text`.", err=True)


@cli.command()
@index_option
@json_option
def failures(index_dir: Path, as_json: bool) -> None:
    """List files that could not be read, with the reason; retry with `ingest --retry-failed`."""
    with _reader(index_dir) as archive:
        records = archive.documents("failed")
        rows = [{"path": p, "document_id": r.document_id, "reason": r.reason, "error": r.error}
                for r in records for p in (archive.store.paths_of(r.document_id) or [r.path])]
    if as_json:
        click.echo(to_json(rows))
    elif rows:
        click.echo(table([(r["path"], r["reason"], r["error"]) for r in rows],
                         ["path", "reason", "error"], max_width=70))
    else:
        click.echo("No failed files.", err=True)


# --- tags ------------------------------------------------------------------------------------
@cli.command()
@index_option
@click.option("--label", type=click.Choice(["date", "place", "reference", "body"]), default=None)
@click.option("--doc", default=None, help="Only this document (id prefix or path).")
@json_option
def entities(index_dir: Path, label: str | None, doc: str | None, as_json: bool) -> None:
    """List tagged mentions: dates, places, reference numbers, bodies."""
    with _reader(index_dir) as archive:
        document_id = archive.store.document(doc).document_id if doc else None
        found = archive.store.mentions(label=label, document_id=document_id)
    rows = [{**m.to_dict(), "document_id": d, "path": p} for m, d, p in found]
    if as_json:
        click.echo(to_json(rows))
        return
    click.echo(table(
        [(r["label"], r["text"], r["value"], r["precision"] or r["kind"] or "", r["role"] or "",
          Path(r["path"]).name, r["page"]) for r in rows],
        ["label", "text", "value", "precision/kind", "role", "document", "page"], max_width=44,
    ))


@cli.command()
@click.argument("number", required=False)
@index_option
@json_option
def refs(number: str | None, index_dir: Path, as_json: bool) -> None:
    """Reference numbers (Drucksachen, Anträge, Beschlüsse) and the documents citing each.

    \b
    Example:
        archiv refs
        archiv refs "DS-Nr. 1045/2014-2020"
    """
    from archiv.tag.references import normalize_reference

    value = None
    if number:
        value = normalize_reference(number) or number.strip()
    with _reader(index_dir) as archive:
        found = archive.store.mentions(label="reference", value=value)
        records = {r.document_id: r for r in archive.documents("ok")}
    graph: dict[str, dict[str, Any]] = {}
    for mention, document_id, path in found:
        entry = graph.setdefault(mention.value, {"reference": mention.value, "kind": mention.kind,
                                                 "labels": [], "documents": []})
        if mention.text not in entry["labels"]:
            entry["labels"].append(mention.text)
        record = records.get(document_id)
        own = record is not None and record.reference == mention.value
        docs = entry["documents"]
        if not any(d["document_id"] == document_id and d["page"] == mention.page for d in docs):
            docs.append({"document_id": document_id, "path": path, "page": mention.page,
                         "title": record.title if record else None, "own": own})
    if number and not graph:
        raise NotFoundError(f"no document cites {number!r}: see `archiv refs`")
    rows = sorted(graph.values(), key=lambda e: e["reference"])
    if as_json:
        click.echo(to_json(rows))
        return
    for entry in rows:
        click.echo(f"{entry['reference']}  ({entry['kind'] or '?'}; printed as: "
                   f"{', '.join(safe_text(x) for x in entry['labels'])})")
        for d in entry["documents"]:
            own = "  [own number]" if d["own"] else ""
            click.echo(f"    {safe_text(d['path'])} p.{d['page']}{own}")


# --- chronology ------------------------------------------------------------------------------
@cli.command()
@index_option
@click.option("--city", help="Only this municipality.")
@click.option("--body", help="Only this body (Gremium).")
@click.option("--from", "date_from", help="From this date (2015, 2015-03, 2015-03-12).")
@click.option("--to", "date_to", help="Up to this date (inclusive, at its precision).")
@click.option("--ref", help="Only entries with this reference number.")
@click.option("--query", "query", help="Only entries whose documents or sentences match this search.")
@click.option("--all", "include_all", is_flag=True, help="Add events and proposals.")
@click.option("--json", "fmt", flag_value="json", help="Output JSON.")
@click.option("--csv", "fmt", flag_value="csv", help="Output CSV.")
@click.option("--md", "fmt", flag_value="md", help="Output a Markdown table.")
@click.option("--html", "fmt", flag_value="html", help="Output one self-contained HTML timeline.")
@click.option("--ics", "fmt", flag_value="ics", help="Output an iCalendar file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of stdout.")
def chronology(index_dir: Path, city: str | None, body: str | None, date_from: str | None,
               date_to: str | None, ref: str | None, query: str | None, include_all: bool,
               fmt: str | None, output: Path | None) -> None:
    """A dated chronology of council resolutions, oldest first, each with its sources.

    Alias: `archiv chronik`.

    \b
    Example:
        archiv chronik
        archiv chronik --all --city Paderborn --from 2015 --to 2020
        archiv chronik --query Beitritt --html -o beitritt.html
    """
    from archiv import render

    with _reader(index_dir) as archive:
        entries = archive.chronology(
            include_all=include_all, query=query, city=city, body=body, date_from=date_from,
            date_to=date_to, ref=ref,
        )
    if fmt is None:
        width = max(100, shutil.get_terminal_size().columns)
        pieces = render.iter_table(entries, width=width)
    else:
        pieces = render.FORMATS[fmt](entries)
    if output is not None:
        _write_atomic(output, pieces)
        click.echo(f"wrote {len(entries)} entries to {escape_path(output)}", err=True)
    else:
        _write_stdout(pieces)
    if not entries:
        click.echo("No entries (try --all for events and proposals).", err=True)


_FLUSH_CHARS = 1 << 20  # a report of 200,000 entries: pieces collected to ~1 MB per write


def _batched(pieces: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= _FLUSH_CHARS:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def _write_stdout(pieces: Iterable[str]) -> None:
    """Written as made (a long report starts at once and never sits in memory whole); ends
    with a line break."""
    last = ""
    for text in _batched(pieces):
        click.echo(text, nl=False)
        last = text or last
    if not last.endswith("\n"):
        click.echo()


def _write_atomic(path: Path, pieces: Iterable[str]) -> None:
    """tmp → fsync → rename: a crash never leaves half a report."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            for text in _batched(pieces):
                handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(error, OSError):
            message = f"cannot write {escape_path(path)}: {error.strerror or error}"
            if error.errno == errno.ENOSPC:
                raise NoSpaceError(f"{message}; the previous file, if any, is unchanged") from error
            raise UsageError(message) from error
        raise


# --- maintenance -----------------------------------------------------------------------------
@cli.command()
@index_option
@click.option("--no-files", is_flag=True, help="Do not re-hash the original files.")
@json_option
def check(index_dir: Path, no_files: bool, as_json: bool) -> None:
    """Compare store and index (and the original files); exit 8 on drift."""
    with _reader(index_dir) as archive:
        report = archive.check(verify_files=not no_files)
    data = report.to_dict()
    if as_json:
        click.echo(to_json(data))
    else:
        click.echo(f"documents: {report.documents}, index pages: {report.index_pages}")
        for key in ("missing", "extra", "duplicates", "incomplete", "unfinished", "changed_files",
                    "missing_files", "problems"):
            values = data[key]
            if values:
                click.echo(f"{key}: {len(values)}: " + ", ".join(safe_text(str(v)) for v in values[:10]))
        click.echo("store integrity: " + ("ok" if report.store_ok else "DAMAGED"))
    if report.drift:
        click.echo("Error: store and index disagree: run `archiv reindex`", err=True)
        sys.exit(int(ExitCode.DRIFT))
    if report.changed_files or report.missing_files:
        click.echo("Some original files changed or vanished: run `archiv ingest` on them.", err=True)
        sys.exit(int(ExitCode.DRIFT))
    click.echo("ok: store and index agree", err=True)


@cli.command()
@index_option
@click.option("--wait", type=click.FloatRange(0), default=60.0, show_default=True,
              help="Seconds to wait for another writer.")
def reindex(index_dir: Path, wait: float) -> None:
    """Rebuild the full-text index from the store; searches keep working meanwhile."""
    from archiv.archive import Archive
    from archiv.lock import write_lock

    if not (index_dir / "archiv.sqlite3").exists():
        raise NoArchiveError(f"no archive at {index_dir}: run `archiv ingest` first")
    started = time.monotonic()
    with write_lock(index_dir, wait=wait), Archive.for_writing(index_dir) as archive:
        count = archive.reindex()
    click.echo(f"reindexed {count} documents in {time.monotonic() - started:.1f} s", err=True)


def main() -> None:
    cli(prog_name="archiv")
