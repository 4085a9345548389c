"""`caseapp works`: a client's images, imported from a folder and indexed for matching."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.clients.works_index import store_and_engine
from caseapp.core.cli import ROW_ID, Refused, Text, transaction

@click.group("works")
def works_group() -> None:
    """Clients' works."""


@works_group.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, readable=True, path_type=Path))
@click.option("--client", "client_id", required=True, type=ROW_ID, help="The client (rights holder) id.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per file (file, work, status: imported / duplicate / error, and error or "
                   "duplicate_of), then a summary object.")
@with_appcontext
def works_import(folder, client_id: int, as_json: bool) -> None:
    """Add every image file in FOLDER as a work of the client, and index it for matching.
    A file the client already has (the same image, also resized or recompressed) is reported
    as a duplicate of that work and not added; a file that cannot be read is an error; the
    others are imported."""
    from tqdm import tqdm

    from caseapp.core.audit import Actor
    from caseapp.clients.works_index import import_entries, import_works, summarise

    store, engine = store_and_engine(current_app.config)
    with transaction() as session:
        files = len(import_entries(folder))
        rows = []
        with tqdm(total=files, desc="works", unit="file", file=sys.stderr, disable=None) as bar:
            for row in import_works(session, store, engine, Actor.system("works import"), client_id=client_id,
                                    folder=folder):
                rows.append(row)
                if as_json:
                    click.echo(json.dumps(row, ensure_ascii=False))
                elif row["status"] != "imported":
                    bar.write(_row_line(row), file=sys.stderr)
                bar.update(1)
    engine.save()   # after the works are committed: the index never names a work the database lacks
    summary = summarise(rows)
    click.echo(json.dumps({"summary": summary}) if as_json else
               f"Imported {summary['imported']} works; {summary['duplicates']} duplicates, "
               f"{summary['errors']} errors.")


def _row_line(row: dict) -> str:
    if row["status"] == "duplicate":
        return f"{row['file']}: duplicate of work {row['duplicate_of']} ('{row['duplicate_title']}'), not added"
    return f"{row['file']}: error: {row['error']}"


@works_group.command("delete")
@click.argument("work_ids", nargs=-1, required=True, type=ROW_ID, metavar="ID...")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="The result as one JSON object.")
@with_appcontext
def works_delete(work_ids, yes: bool, as_json: bool) -> None:
    """Delete works (and their files, unless something else names them), and take them out of
    the matching index. A work a case names, or one with hits, is kept and said so; the
    others are deleted."""
    from caseapp.core.audit import Actor
    from caseapp.clients import services
    from caseapp.clients.works_index import unindex_works

    if not yes:
        click.confirm(f"Delete {len(set(work_ids))} work(s) for good?", abort=True, err=True)
    store, engine = store_and_engine(current_app.config)
    with transaction() as session:
        result = services.delete_works(session, Actor.system("works delete"), work_ids)
    unindex_works(engine, result.deleted)        # after commit: a search never names a deleted work
    with transaction() as session:               # files no row names any longer (reads only)
        services.discard_work_files(session, store, result.files)
    click.echo(json.dumps({"deleted": result.deleted, "kept": {str(k): v for k, v in result.kept.items()}})
               if as_json else result.message())


@works_group.command("edit")
@click.argument("work_ids", nargs=-1, required=True, type=ROW_ID, metavar="ID...")
@click.option("--title", type=Text(300), help="The new title of every work given.")
@click.option("--title-prefix", type=Text(300), help="Text put before each work's title.")
@click.option("--title-suffix", type=Text(300), help="Text put after each work's title.")
@with_appcontext
def works_edit(work_ids, title, title_prefix, title_suffix) -> None:
    """Retitle works in bulk: one title for all (--title), or text before (--title-prefix) or
    after (--title-suffix) each one's title. Each change is audited."""
    from caseapp.core.audit import Actor
    from caseapp.clients import services

    given = [(mode, text) for mode, text in (("set", title), ("prefix", title_prefix), ("suffix", title_suffix))
             if text is not None]
    if len(given) != 1:
        raise Refused("Give exactly one of --title, --title-prefix or --title-suffix.")
    (mode, text), = given
    with transaction() as session:
        changed = services.retitle_works(session, Actor.system("works edit"), work_ids, title=text, mode=mode)
    click.echo(f"Retitled {len(changed)} of {len(set(work_ids))} works.")


COMMANDS = (works_group,)
