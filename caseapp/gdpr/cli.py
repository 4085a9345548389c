"""`caseapp gdpr`: a data subject's export (GDPR Art. 15) and the purge of what is past retention
(Art. 17). `--as LOGIN` names the person acting (checked against the permission matrix as the
page would, audited)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import LOGIN, ROW_ID, Refused, acting_user, date_option, transaction
from caseapp.gdpr import PERSONAL_DATA


def _actor(login: str, action: str):
    return acting_user(login, option="--as", may=(action, PERSONAL_DATA), who="an administrator")


@click.group("gdpr")
def gdpr_group() -> None:
    """Personal data: export what is held on a party, purge what is past retention."""


@gdpr_group.command("export")
@click.option("--party", "party_id", required=True, type=ROW_ID, help="The party's number.")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the JSON to this file (default: print it).")
@click.option("--as", "login", required=True, type=LOGIN, help="Who exports (a user's login; audited).")
@with_appcontext
def export_command(party_id: int, out: Path | None, login: str) -> None:
    """Print (as JSON) everything held on a party, each field with its source."""
    from caseapp.gdpr import services

    actor = _actor(login, "export")
    with transaction() as session:
        data = services.export_party(session, actor, party_id,
                                     retention_days=current_app.config["CASEAPP_RETENTION_DAYS"],
                                     controller=current_app.config.get("CASEAPP_FIRM_NAME", ""))
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out is not None:
            try:
                out.write_text(text + "\n", encoding="utf-8")
            except OSError as error:   # rolled back: nothing exported, nothing audited
                raise Refused(f"--out {out}: cannot write the file ({error.strerror or error}).") from None
    if out is None:
        click.echo(text)
    else:
        click.echo(f"Wrote {out}: {sum(data['records'].values())} records on party {party_id}.")


@gdpr_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be purged; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the counts per kind of record.")
@date_option("--today", help="The day to count retention up to (default: today).")
@click.option("--as", "login", required=True, type=LOGIN, help="Who purges (a user's login; audited).")
@with_appcontext
def purge_command(dry_run: bool, as_json: bool, today, login: str) -> None:
    """Remove what is past retention and not needed for an open case; anonymise what the books keep."""
    from caseapp.core import clock
    from caseapp.core.cli import session as shared_session
    from caseapp.core.filestore import FileStore
    from caseapp.gdpr import services

    actor = _actor(login, "purge")
    if today is not None and today > clock.today() and not dry_run:
        # A purge cannot be undone: counting retention up to a later day would remove what the law
        # still requires us to keep (§ 257 HGB, § 147 AO). A later day is only for a look ahead.
        raise Refused(f"--today {today.isoformat()} is after today ({clock.today().isoformat()}): a purge counts "
                      "retention up to today at the latest. Add --dry-run to see what a later day would purge. "
                      "Nothing was purged.")
    today = today or clock.today()
    retention = services.retention(current_app.config["CASEAPP_RETENTION_DAYS"])
    if dry_run:
        with shared_session() as session:
            plan = services.plan(session, today, retention)
            session.rollback()
        removed = 0
    else:
        with transaction() as session:
            plan, files = services.purge(session, actor, today, retention)
        removed = services.discard_files(shared_session(), FileStore(current_app.config["CASEAPP_FILESTORE_PATH"]),
                                         files)
    data = {**plan.as_data(), "dry_run": dry_run, "files_removed": removed}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    verb = "Would purge" if dry_run else "Purged"
    click.echo(f"{verb} {data['records']} record(s) of {data['parties']} part(y/ies) past retention on {today}.")
    for kind, actions in sorted(data["counts"].items()):
        click.echo("  " + kind + ": " + ", ".join(f"{n} {'deleted' if a == 'delete' else 'anonymised'}"
                                                  for a, n in sorted(actions.items())))


COMMANDS = (gdpr_group,)
