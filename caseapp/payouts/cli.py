"""`caseapp payouts`: the accountant's month-end from the command line. `--user LOGIN` names the
accountant acting (checked against the permission matrix as the page would, audited)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import LOGIN, ROW_ID, Refused, acting_user, date_option, transaction
from caseapp.payouts import PAYOUT


def _user(login: str, action: str):
    """The accountant acting: an active user whose role holds (Payout, action)."""
    return acting_user(login, option="--user", may=(action, PAYOUT), who="an accountant")


def _print(data: dict, as_json: bool, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False) if as_json else text)


def _summary(data: dict) -> str:
    return (f"Payout batch {data['batch']} is {data['state']}: {data['clients']} client(s), collected "
            f"{data['collected']} {data['currency']}, to clients {data['to_clients']}, to the firm {data['to_firm']}.")


@click.group("payouts")
def payouts_group() -> None:
    """Payout batches: draft, approve (a second accountant), export, confirm."""


@payouts_group.command("run")
@date_option("--until", required=True, help="Pay out collections booked up to this day.")
@click.option("--user", "login", required=True, type=LOGIN, help="The accountant who drafts the batch.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@with_appcontext
def run_command(until, login: str, as_json: bool) -> None:
    """Draft a batch of every collection booked up to --until that no batch took; post the split."""
    from caseapp.payouts import services

    actor = _user(login, "write")
    with transaction() as session:
        data = services.batch_data(services.draft(session, actor, until))
    _print(data, as_json, _summary(data) + f" A second accountant approves it: `caseapp payouts approve "
                                           f"{data['batch']} --user LOGIN` (not {login}).")


@payouts_group.command("approve")
@click.argument("batch_id", metavar="BATCH", type=ROW_ID)
@click.option("--user", "login", required=True, type=LOGIN, help="The second accountant (not the drafter).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@with_appcontext
def approve_command(batch_id: int, login: str, as_json: bool) -> None:
    """Approve a drafted batch (four eyes: not the accountant who drafted it)."""
    from caseapp.payouts import services

    actor = _user(login, "approve")
    with transaction() as session:
        data = services.batch_data(services.approve(session, actor, batch_id))
    _print(data, as_json, _summary(data))


@payouts_group.command("export")
@click.argument("batch_id", metavar="BATCH", type=ROW_ID)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder the SEPA file and the statements are written to.")
@click.option("--user", "login", required=True, type=LOGIN, help="The accountant who exports.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, with the files written.")
@with_appcontext
def export_command(batch_id: int, out: Path, login: str, as_json: bool) -> None:
    """Write the SEPA file (pain.001.001.09) and a statement per client of an approved batch.

    The export (the SEPA file, each statement's record, the batch exported) is one
    transaction; the statements' PDFs are rendered from those records right after, with a
    progress bar (a tenth of a second each, on every core), and stored as they are made."""
    from caseapp.core.filestore import FileStore
    from caseapp.payouts import services

    actor = _user(login, "write")
    if not str(out).strip() or str(out) == ".":
        raise Refused("--out: give the folder the files are written to.")
    if out.exists() and not out.is_dir():
        raise Refused(f"--out: {out} is a file; give a folder.")
    if not out.exists() and not out.parent.is_dir():
        raise Refused(f"--out: {out.parent} does not exist; give a folder that exists or one to make inside an "
                      "existing folder (nothing was exported).")
    store = FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])
    with transaction() as session:
        result = services.export(session, actor, batch_id, store, settings=current_app.config)
        out.mkdir(exist_ok=True)       # one new folder at most, inside one that exists
        written = _write(out, result.files)
        data = services.batch_data(result.batch)
        clients = [line.client_id for line in result.batch.lines]
    written += _statements(batch_id, clients, store, out)
    data["files"] = written
    text = _summary(data) + f" Wrote {len(written)} file(s) to {out}."
    if data["manual"]:
        text += " By hand (no valid EUR account): " + "; ".join(
            f"{m['name']} {m['amount']} ({m['reason']})" for m in data["manual"]) + "."
    _print(data, as_json, text)


def _write(out: Path, files: dict[str, bytes]) -> list[str]:
    for name, content in files.items():
        (out / name).write_bytes(content)
    return [str(out / name) for name in files]


# Statements rendered and stored per transaction: what is done stays done if the command stops.
STATEMENTS_PER_COMMIT = 50


def _statements(batch_id: int, clients: list[int], store, out: Path) -> list[str]:
    """Render the exported batch's statements (a progress bar on stderr), store them, write them."""
    import sys

    from tqdm import tqdm

    from caseapp.payouts import services, statements

    written: list[str] = []
    try:
        with tqdm(total=len(clients), desc="statements", unit="statement", file=sys.stderr, disable=None) as bar, \
                statements.pool(len(clients)) as pool:
            for start in range(0, len(clients), STATEMENTS_PER_COMMIT):
                with transaction() as session:
                    files = services.render_statements(session, store, batch_id, settings=current_app.config,
                                                       client_ids=clients[start:start + STATEMENTS_PER_COMMIT],
                                                       pool=pool, progress=bar.update)
                written += _write(out, files)
    except Exception as error:    # the export stands: the batch page renders what is missing when downloaded
        raise Refused(f"Payout batch {batch_id} is exported (the SEPA file is in {out}), but writing the statements "
                      f"stopped after {len(written)} of {len(clients)}: {error}. The batch page renders the others "
                      "when they are downloaded.") from error
    return written


@payouts_group.command("confirm")
@click.argument("batch_id", metavar="BATCH", type=ROW_ID)
@click.option("--user", "login", required=True, type=LOGIN, help="The accountant who saw the transfers.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@with_appcontext
def confirm_command(batch_id: int, login: str, as_json: bool) -> None:
    """The bank statement shows the transfers: book them (client payable to bank)."""
    from caseapp.payouts import services

    actor = _user(login, "write")
    with transaction() as session:
        data = services.batch_data(services.confirm(session, actor, batch_id))
    _print(data, as_json, _summary(data))


COMMANDS = (payouts_group,)
