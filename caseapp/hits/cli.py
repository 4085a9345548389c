"""`caseapp hits`: crawler sightings in (files, fetched pages), whitelists, the rules re-applied."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.clients.works_index import store_and_engine
from caseapp.core.cli import ROW_ID, Refused, Score, Text, WholeNumber, refusals, transaction
from caseapp.core import cli as shared


@click.group("hits")
def hits_group() -> None:
    """Sightings, matches and their triage."""


def _ingest_and_report(sources: list[tuple[str, Path | None, list[tuple[int, str]]]], *, as_json: bool,
                       min_score: float | None, actor_name: str, workers: int, unreadable=()) -> None:
    """Ingest numbered lines from each source (name, base folder for image_path, lines);
    one result a line (JSON or errors on stderr), a progress bar, a summary. With workers,
    images are read, fetched, described and searched in that many processes beside this one,
    which writes."""
    from concurrent.futures.process import BrokenProcessPool

    from caseapp.clients.works_index import index_location
    from caseapp.hits.services import image_describers

    try:
        with image_describers(workers, index_location(current_app.config)) as pool_map:
            _ingest_sources(sources, as_json=as_json, min_score=min_score, actor_name=actor_name,
                            pool_map=pool_map, unreadable=unreadable)
    except BrokenProcessPool:
        raise Refused(f"a worker process stopped (out of memory? each of the {workers} holds a copy of the "
                      "works index). The lines before the last 500-line checkpoint were written; run the "
                      "command again with fewer --workers (lines written already are reported as "
                      "duplicates).") from None


def _ingest_sources(sources, *, as_json: bool, min_score: float | None, actor_name: str, pool_map,
                    unreadable=()) -> None:
    from tqdm import tqdm

    from caseapp.core.audit import Actor
    from caseapp.hits.services import fold_tally, ingest, summarise
    from caseapp.clients.works_index import sync_index

    from caseapp.core.uow import checkpoint

    store, engine = store_and_engine(current_app.config)
    threshold = current_app.config["CASEAPP_HIT_MIN_SCORE"] if min_score is None else min_score
    rows: list[dict] = []
    for row in unreadable:   # files that could not be read: reported first, counted as errors
        rows.append(row)
        shared.report(row, as_json=as_json, label=row["source"])
    with transaction() as session, tqdm(total=sum(len(lines) for _, _, lines in sources), desc="sightings",
                                        unit="line", file=sys.stderr, disable=None) as bar:
        sync_index(session, store, engine)
        for name, base, lines in sources:
            for row in ingest(session, store, engine, Actor.system(actor_name), lines, base=base, min_score=threshold,
                              pool_map=pool_map, private_ok=current_app.config["CASEAPP_FETCH_PRIVATE"]):
                if len(sources) > 1:
                    row = {"source": name, **row}
                rows.append(row)
                shared.report(row, as_json=as_json, label=name)
                bar.update(1)
                if len(rows) % 500 == 0:
                    checkpoint(session)   # every line is whole on its own (a savepoint each)
    summary = summarise(rows)
    if summary["hits_created"]:
        with transaction() as session:   # the hit tally's changes folded, in a transaction of its own
            fold_tally(session)
    click.echo(json.dumps({"summary": summary}) if as_json else
               f"Read {summary['read']} sightings: {summary['matched']} matched ({summary['hits_created']} hits), "
               f"{summary['duplicates']} already known, {summary['errors']} errors.")


_JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                            help="One JSON object per input line, then a summary object.")
_MIN_SCORE_OPTION = click.option("--min-score", type=Score(), default=None,
                                 help="Matches below this score make no hit (default: CASEAPP_HIT_MIN_SCORE).")
_WORKERS_OPTION = click.option("--workers", type=WholeNumber(0, 64),
                               default=max(1, min(8, os.cpu_count() or 1)), show_default=True,
                               help="Processes that read, fetch, describe and search images beside the one "
                                    "that writes (0: all in one process; default one per core, at most 8). "
                                    "Each holds a copy of the works index in memory: on a large index, give "
                                    "fewer.")


@hits_group.command("ingest")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_JSON_OPTION
@_MIN_SCORE_OPTION
@_WORKERS_OPTION
@with_appcontext
def hits_ingest(path, as_json: bool, min_score: float | None, workers: int) -> None:
    """Ingest crawler output: a JSON Lines file, or a folder of them (*.jsonl)."""
    from caseapp.core.errors import InvalidInput
    from caseapp.core.paths import read_lines

    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files:
        raise Refused(f"{path.name} is a folder with no *.jsonl files in it. Nothing was ingested.")
    sources, unreadable = [], []
    for file in files:
        try:
            sources.append((file.name, file.parent, read_lines(file)))
        except InvalidInput as error:
            if not path.is_dir():
                raise Refused(f"{error}. Nothing was ingested.") from None
            # a folder named x.jsonl, an unreadable file: that file's error; the others go on
            unreadable.append({"source": file.name, "status": "error", "error": str(error), "hits": []})
    _ingest_and_report(sources, as_json=as_json, min_score=min_score, actor_name="hits ingest", workers=workers,
                       unreadable=unreadable)


@hits_group.command("fetch")
@click.argument("urls", nargs=-1, required=True, type=Text(2000))
@_JSON_OPTION
@_MIN_SCORE_OPTION
@_WORKERS_OPTION
@with_appcontext
def hits_fetch(urls: tuple[str, ...], as_json: bool, min_score: float | None, workers: int) -> None:
    """Download web pages, find their images (img, srcset, picture, og:image, linked images)
    and ingest them as sightings."""
    from caseapp.core.errors import InvalidInput
    from caseapp.hits.fetcher import sightings_on

    sources = []
    for url in urls:
        try:
            lines = sightings_on(url, private_ok=current_app.config["CASEAPP_FETCH_PRIVATE"])
        except InvalidInput as error:
            raise Refused(f"{error}. Nothing was ingested.") from None
        if not as_json:
            click.echo(f"{url}: {len(lines)} images found", err=True)
        sources.append((url, None, lines))
    _ingest_and_report(sources, as_json=as_json, min_score=min_score, actor_name="hits fetch", workers=workers)


@hits_group.command("apply-rules")
@click.option("--dry-run", is_flag=True, help="Only say how many undecided hits the rules would change.")
@_MIN_SCORE_OPTION
@with_appcontext
def hits_apply_rules(dry_run: bool, min_score: float | None) -> None:
    """Apply the rules to the undecided hits: whitelisted sites and cleared sites make them
    whitelisted, a score under the minimum no match (each one undoable decision)."""
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.hits.services import apply_rules

    threshold = current_app.config["CASEAPP_HIT_MIN_SCORE"] if min_score is None else min_score
    with transaction() as session:
        counts = apply_rules(session, Actor.system("hits apply-rules"), today=today(), min_score=threshold,
                             dry_run=dry_run)
    verb = "would become" if dry_run else "became"
    click.echo(f"{counts['whitelisted']} undecided hits {verb} whitelisted (whitelists, cleared sites); "
               f"{counts['no_match']} {verb} no match (score under {threshold:.2f}).")


@hits_group.command("whitelist")
@click.argument("site", type=Text(253))
@click.option("--client", "client_id", type=ROW_ID, default=None, help="Only for this client.")
@click.option("--all-clients", is_flag=True, help="For every client (say so: it is never the default).")
@click.option("--dry-run", is_flag=True, help="Only say how many undecided hits the rule would change.")
@with_appcontext
def hits_whitelist(site: str, client_id: int | None, all_clients: bool, dry_run: bool) -> None:
    """Whitelist a site for one client (--client ID) or every client (--all-clients): no hits are
    made on it, and its undecided hits are whitelisted."""
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.hits.services import rule_preview, whitelist_site

    if (client_id is None) == (not all_clients):
        raise Refused("Say whose site it is: --client ID for one client, or --all-clients for every client "
                      "(one of the two, not both).")

    if dry_run:
        with refusals():
            count = rule_preview(shared.session(), site=site, client_id=client_id, today=today())
        click.echo(f"{count} undecided hits would be whitelisted.")
        return
    with transaction() as session:
        decision = whitelist_site(session, Actor.system("hits whitelist"), site=site, client_id=client_id,
                                    today=today())
    click.echo(f"Whitelisted {site}: {decision.count} hits changed (decision {decision.id}; undo with the "
               "triage page).")



COMMANDS = (hits_group,)
