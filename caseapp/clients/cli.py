"""`caseapp works`: a client's images, imported from a folder and indexed for matching."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.clients.works_index import store_and_engine
from caseapp.core.cli import ROW_ID, transaction

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


COMMANDS = (works_group,)
