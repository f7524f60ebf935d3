"""docket's one command line: ``docket ingest|validate|show|eval|publish|delete|dump|serve ...``.

Exit codes: 0 all good, 1 some records rejected or non-conforming, 2 usage or system error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from ld.errors import DocketError, RecordError, StoreError
from ld.iris import DEFAULT_BASE_URI, Minter

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2
DEFAULT_STORE = "var/store"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"DOCKET_{name}", default)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docket", description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def store_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", default=_env("STORE", DEFAULT_STORE),
                       help="embedded Oxigraph store directory (default: %(default)s; env DOCKET_STORE)")
        p.add_argument("--store-url", metavar="QUERY_URL", default=_env("STORE_URL", "") or None,
                       help="a remote store's SPARQL 1.1 Query endpoint, instead of --store (env DOCKET_STORE_URL); "
                            "credentials from DOCKET_STORE_TOKEN or DOCKET_STORE_USER + DOCKET_STORE_PASSWORD only")
        p.add_argument("--update-url", metavar="UPDATE_URL", default=_env("UPDATE_URL", "") or None,
                       help="the remote store's SPARQL 1.1 Update endpoint (env DOCKET_UPDATE_URL)")
        p.add_argument("--base-uri", default=_env("BASE_URI", DEFAULT_BASE_URI),
                       help="base of every published IRI (default: %(default)s; env DOCKET_BASE_URI). Changing it "
                            "changes every IRI: set it once, before the first ingest.")

    ingest = verbs.add_parser("ingest", help="read, map, validate and store records (files or folders)",
                              description="Ingest records. Each file is stored whole or not at all; a rejected "
                                          "file is reported with its reason and the others go on. Unchanged files "
                                          "(same checksum) are skipped without writing.")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    store_args(ingest)
    ingest.add_argument("--max-bytes", type=int, default=int(_env("MAX_BYTES", str(5 * 1024 * 1024))),
                        help="reject files larger than this (default: %(default)s bytes)")
    ingest.add_argument("--force", action="store_true", help="re-map and rewrite even unchanged files")
    ingest.add_argument("--jobs", type=int, default=int(_env("JOBS", "1")), metavar="N",
                        help="read, map and validate in N worker processes (writes stay batched in one); the "
                             "result is the same as with 1 (default: %(default)s; env DOCKET_JOBS)")
    ingest.add_argument("--quiet", action="store_true", help="print only rejections and the summary line")
    ingest.add_argument("--precompute", action="store_true",
                        help="after the run, render the ingested records in every format into the shared cache "
                             "(as `docket publish` does): the first request for each is then as fast as any. Costs "
                             "20-30 ms a record, more than the ingest itself; without it, each representation is "
                             "rendered on its first request and shared from then on")

    validate = verbs.add_parser("validate", help="check records against the SHACL shapes without storing them")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.add_argument("--base-uri", default=_env("BASE_URI", DEFAULT_BASE_URI))
    validate.add_argument("--max-bytes", type=int, default=5 * 1024 * 1024)

    show = verbs.add_parser("show", help="print the stored description of a URI")
    show.add_argument("uri")
    store_args(show)
    show.add_argument("--format", default="ttl", help="ttl, jsonld, nt or rdf (default: %(default)s)")

    evaluate = verbs.add_parser("eval", help="ingest records into a scratch store and score them against their "
                                             "ground-truth JSON files (NAME.json beside NAME.txt)")
    evaluate.add_argument("paths", nargs="+", metavar="PATH")
    evaluate.add_argument("--base-uri", default=_env("BASE_URI", DEFAULT_BASE_URI))
    evaluate.add_argument("--details", action="store_true", help="list every disagreement")
    evaluate.add_argument("--events", metavar="GOLD.json",
                          help="also score events and dates against this hand-made file (see bench/gold/events.json)")

    entities = verbs.add_parser("entities", help="list the people, groups, places and archives the store holds",
                                description="List every person, group, place and archive in the store with its "
                                            "label, name variants, how many records name it and whether the "
                                            "authority file defines it, tab-separated, for review. Rename or merge "
                                            "by editing vocab/authority.ttl and ingesting again.")
    store_args(entities)
    entities.add_argument("--kind", action="append", choices=("person", "group", "place", "archive"),
                          help="only this kind (repeatable)")

    publish = verbs.add_parser("publish", help="render records and entities into the shared cache ahead of requests",
                               description="Render every record (or the IRIs given) and the first page of everything "
                                           "they link to in every format into the shared "
                                           "cache beside the store, which all `docket serve` workers read: each is "
                                           "then served as stored bytes. Safe while serving and while ingesting: an "
                                           "entry is never served after its record or anything it shows changed.")
    publish.add_argument("iris", nargs="*", metavar="IRI", help="record IRIs (default: every record)")
    store_args(publish)
    publish.add_argument("--entities", action=argparse.BooleanOptionalAction, default=True,
                         help="also the first page of every person, group, place ... the records link to (default; "
                              "--no-entities leaves them to their first request)")

    delete = verbs.add_parser("delete", help="withdraw a record (its URIs then answer 410 Gone)",
                              description="Withdraw one record: its graph and the entities only it mentioned are "
                                          "removed in one transaction, a tombstone stays (HTTP 410 Gone, OAI-PMH "
                                          "deleted status) and the change feed records a Delete. Ingesting the "
                                          "file again brings it back.")
    delete.add_argument("record", metavar="RECORD-URI|PATH", help="the record's IRI, or the file it was ingested from")
    store_args(delete)

    dump = verbs.add_parser("dump", help="write the whole dataset (records, entities, vocab) in one RDF file",
                            description="Stream every record graph, the entities graph and the vocab graph to a "
                                        "file or stdout, without loading the store into memory (the change log is "
                                        "left out). A FILE ending in .gz is gzip-compressed. With --refresh, make "
                                        "again the gzip dumps the server lists at /dumps/ (in {STORE}.dumps, or "
                                        "DOCKET_DUMPS) where the data changed since they were made.")
    store_args(dump)
    dump.add_argument("--format", default="nq", help="nq, nt, ttl or jsonld (default: %(default)s)")
    dump.add_argument("--out", metavar="FILE", help="write here instead of stdout")
    dump.add_argument("--refresh", action="store_true", help="refresh the served dumps of every format instead")
    dump.add_argument("--no-cache", action="store_true",
                      help="read every record from the store, not from the dump cache (chunks.sqlite in the dumps "
                           "folder, which keeps each record's triples until it changes: a dump then reads only the "
                           "records written since the last one, at a fraction of the cost)")

    serve = verbs.add_parser("serve", help="publish the store over HTTP (gunicorn)")
    store_args(serve)
    serve.add_argument("--host", default=None, help="listen address (default 127.0.0.1; env DOCKET_HOST)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8080; env DOCKET_PORT)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 2; env DOCKET_WORKERS)")
    serve.add_argument("--get", metavar="PATH", help="print the response to one GET request and exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"ingest": cmd_ingest, "validate": cmd_validate, "show": cmd_show, "eval": cmd_eval,
               "publish": cmd_publish, "serve": cmd_serve, "entities": cmd_entities, "delete": cmd_delete, "dump": cmd_dump}[args.verb]
    try:
        return handler(args)
    except (DocketError, FileNotFoundError, ValueError) as error:
        print(f"docket {args.verb}: {error}", file=sys.stderr)
        return EXIT_ERROR


class Progress:
    """A one-line progress counter on a terminal; silent when stderr is not a terminal."""

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self.enabled = sys.stderr.isatty() and total > 1

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            print(f"\r{self.done}/{self.total} records", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print("\r" + " " * 40 + "\r", end="", file=sys.stderr, flush=True)


def cmd_ingest(args: argparse.Namespace) -> int:
    from ld.ingest import Ingester, Pipeline, Summary, expand_paths

    paths = expand_paths(args.paths)
    if args.precompute and args.store_url:
        raise StoreError("--precompute fills the shared cache of an embedded store; a remote store has none")
    pipeline = Pipeline(args.base_uri, max_bytes=args.max_bytes)
    summary, progress = Summary(), Progress(len(paths))
    store = _open_store(args)
    # The shared cache lives beside an embedded store; servers over a remote store key their caches on the data.
    tracker, feed = (None, None) if args.store_url else store_caches(store, Path(args.store), Minter(args.base_uri))
    ingested = []
    try:
        if args.jobs < 1:
            raise ValueError("--jobs must be at least 1")
        for outcome in Ingester(store, pipeline, force=args.force, tracker=tracker, jobs=args.jobs,
                                dump_feed=feed).ingest(paths):
            progress.step()
            summary.add(outcome)
            _report(outcome, quiet=args.quiet)
            if outcome.status == "ingested":
                ingested.append(str(outcome.iri))
    finally:
        progress.close()
        if feed:
            feed.cache.close()
        store.close()
    if args.precompute and ingested:
        from server.precompute import precompute

        precompute(args.store, args.base_uri, ingested)
    print(summary.line())
    return EXIT_REJECTED if summary.rejected else EXIT_OK


def _open_store(args: argparse.Namespace, *, read_only: bool = False):
    from ld.stores import open_store

    return open_store(directory=args.store, query_url=args.store_url, update_url=args.update_url,
                      minter=Minter(args.base_uri), read_only=read_only,
                      timeout=float(_env("STORE_TIMEOUT", "30")))


def store_caches(store, directory: Path, minter: Minter):
    """The two caches beside an embedded store in ``directory`` that a command writing to it keeps in step: the
    shared cache's write tracker (None when switched off) and the dump cache's feed (what `docket ingest` and
    `docket delete` use, and bench/extract.py to ingest as the command does)."""
    return _write_tracker(directory, minter), _dump_feed(store, directory)


def _write_tracker(store: Path, minter: Minter):
    """The shared cache's side of an ingest (``ld.freshness``): always on unless DOCKET_SHARED_CACHE=off, since a
    server may start using the cache while this ingest runs."""
    from ld.freshness import WriteTracker
    from ld.shared_cache import SharedCache, cache_path_for

    setting = _env("SHARED_CACHE", "").strip()
    if setting.lower() == "off":
        return None
    return WriteTracker(SharedCache(Path(setting) if setting else cache_path_for(store)), store, minter)


def _dump_feed(store, path: Path):
    """The dump cache's side of an ingest (``ld.dump_feed``): each record written goes into the cache the dumps
    read (in DOCKET_DUMPS, else beside the store), so that the next dump need not read it from the store."""
    from ld.dump import DumpFolder, dumps_path_for
    from ld.dump_feed import DumpFeed

    return DumpFeed(store, DumpFolder(_env("DUMPS", "") or dumps_path_for(path)).chunks())


def cmd_delete(args: argparse.Namespace) -> int:
    from ld.errors import NotFound
    from rdflib import URIRef

    minter = Minter(args.base_uri)
    store = _open_store(args)
    tracker, feed = (None, None) if args.store_url else store_caches(store, Path(args.store), minter)
    try:
        doc = _record_named(store, minter, args.record)
        if tracker:
            tracker.start()
            tracker.before_delete(store, doc)
        if feed:
            feed.begin()
        try:
            removed = store.delete_record(URIRef(doc))
        finally:
            if tracker:
                tracker.settle()
        if feed:
            feed.deleted(doc)
            feed.finish()
    except NotFound as error:
        print(f"docket delete: {error}", file=sys.stderr)
        return EXIT_REJECTED
    finally:
        if feed:
            feed.cache.close()
        store.close()
    print(f"deleted {doc} (and {len(removed)} entities only it mentioned)")
    return EXIT_OK


def cmd_dump(args: argparse.Namespace) -> int:
    from ld.dump import DumpFolder, dump_format, dumps_path_for, write_dump
    from contextlib import nullcontext

    fmt = dump_format(args.format)
    store = _open_store(args, read_only=True)
    folder = DumpFolder(_env("DUMPS", "") or dumps_path_for(args.store))
    try:
        if args.refresh:
            for entry in folder.fresh(store).values():
                print(f"{folder.file(entry.file)}: {entry.triples} triples, {entry.size} bytes, sha256 {entry.sha256}")
            return EXIT_OK
        with nullcontext() if args.no_cache else folder.chunks() as cache:
            if args.out:
                with open(args.out, "wb") as out:
                    count = write_dump(store, out, fmt, compress=args.out.endswith(".gz"), cache=cache)
                print(f"{count} triples", file=sys.stderr)
                return EXIT_OK
            try:
                count = write_dump(store, sys.stdout.buffer, fmt, cache=cache)
                sys.stdout.buffer.flush()
            except BrokenPipeError:  # `docket dump | head`: the reader had enough
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return EXIT_OK
    finally:
        store.close()
    print(f"{count} triples", file=sys.stderr)
    return EXIT_OK


def _record_named(store, minter: Minter, name: str):
    """The record IRI ``name`` names: the IRI itself (``/doc/`` form accepted), or the record ingested from the file
    ``name`` (its file name is what the store keeps)."""
    from ld.errors import NotFound
    from rdflib import URIRef

    if name.startswith(("http://", "https://")):
        iri = name.replace(f"{minter.base}doc/", f"{minter.base}id/", 1)
        if store.record_state(URIRef(iri)) is None:
            raise NotFound(f"no record {iri} in the store")
        return URIRef(iri)
    doc = store.record_for_source(Path(name).name)
    if doc is None:
        raise NotFound(f"no record was ingested from a file named {Path(name).name!r}")
    return doc


def cmd_publish(args: argparse.Namespace) -> int:
    from server.precompute import precompute

    if args.store_url:
        raise StoreError("publish fills the shared cache of an embedded store; a remote store has none (servers "
                         "over it cache per worker, keyed on the data, and behind a CDN: see Deployment)")
    progress = Progress(0)
    count = precompute(args.store, args.base_uri, args.iris or None, entities=args.entities, step=progress.step)
    progress.close()
    print(f"{count} representations in the shared cache")
    return EXIT_OK


def _report(outcome, *, quiet: bool) -> None:
    if outcome.status == "rejected":
        print(f"rejected {outcome.source}: {outcome.reason}", file=sys.stderr)
        return
    if quiet:
        return
    for notice in outcome.notices:
        print(f"note {outcome.source}: {notice}", file=sys.stderr)
    detail = f" ({len(outcome.warnings)} warnings)" if outcome.warnings else ""
    print(f"{outcome.status} {outcome.source} -> {outcome.iri}{detail}")


def cmd_validate(args: argparse.Namespace) -> int:
    from ld.ingest import Pipeline, expand_paths

    pipeline = Pipeline(args.base_uri, max_bytes=args.max_bytes)
    failed = 0
    for path in expand_paths(args.paths):
        try:
            mapped = pipeline.map(pipeline.read(path))
        except RecordError as error:
            print(f"{error.source}: cannot read: {error.reason}")
            failed += 1
            continue
        report = pipeline.validate(mapped)
        verdict = "conforms" if report.conforms else "does not conform"
        print(f"{path.name}: {verdict} ({len(report.violations)} violations, {len(report.warnings)} warnings)")
        for finding in (*report.violations, *report.warnings):
            print(f"  {finding.severity}: {finding.message} [{finding.focus}]")
        failed += not report.conforms
    return EXIT_REJECTED if failed else EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from ld.describe import describe
    from ld.formats import lookup

    fmt = lookup(args.format)
    store = _open_store(args, read_only=True)
    try:
        graph = describe(store, args.uri, base=args.base_uri)
    finally:
        store.close()
    sys.stdout.write(graph.serialize(format=fmt.rdflib_name))
    return EXIT_OK


def cmd_entities(args: argparse.Namespace) -> int:
    from ld.authority import load_authority
    from ld.entity_list import entity_table, list_entities

    store = _open_store(args, read_only=True)
    try:
        rows = list_entities(store, Minter(args.base_uri), load_authority(args.base_uri),
                             kinds=args.kind or ("person", "group", "place", "archive"))
    finally:
        store.close()
    print(entity_table(rows))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from ld.evaluate import evaluate_paths

    report = evaluate_paths(args.paths, base=args.base_uri, events_gold=args.events)
    print(report.table(details=args.details))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from server.settings import load_settings

    overrides = {"STORE": args.store, "BASE_URI": args.base_uri, "STORE_URL": args.store_url or "",
                 "UPDATE_URL": args.update_url or ""}
    overrides.update({k: v for k, v in (("HOST", args.host), ("PORT", args.port), ("WORKERS", args.workers))
                      if v is not None})
    settings = load_settings(overrides)
    if args.get:
        from server.app import create_app

        response = create_app(settings).test_client().get(args.get)
        print(f"{response.status}")
        for name, value in response.headers.items():
            print(f"{name}: {value}")
        print()
        sys.stdout.write(response.get_data(as_text=True))
        return EXIT_OK if response.status_code < 400 else EXIT_REJECTED
    from server.wsgi import serve

    serve(settings)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
