"""Commands for people and machines: users, roles and the permission matrix, API tokens."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from caseapp.core.cli import (LOGIN, ROW_ID, Refused, Text, WholeNumber, date_option, password_option, refusals,
                              transaction)
from caseapp.core.cli import session as cli_session
from caseapp.core.security import ROLES

# --- roles ----------------------------------------------------------------------------------

@click.group("roles")
def roles_group() -> None:
    """Roles and the permission matrix."""


@roles_group.command("sync")
@with_appcontext
def roles_sync() -> None:
    """Make the roles in the database match the permission matrix."""
    current_app.appbuilder.sm.sync_permissions()
    click.echo("Roles synced with the permission matrix.")


@roles_group.command("matrix")
def roles_matrix() -> None:
    """Print the permission matrix as Markdown (docs/permissions.md)."""
    from caseapp.domains import access_matrix

    click.echo(access_matrix().render_markdown(), nl=False)


# --- users ----------------------------------------------------------------------------------

@click.group("users")
def users_group() -> None:
    """People who log in."""


@users_group.command("create")
@click.argument("login", type=LOGIN)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--first-name", type=Text(64), default=None, help="Default: the login.")
@click.option("--last-name", type=Text(64), default=None)
@password_option()
@with_appcontext
def users_create(login, role, first_name, last_name, password) -> None:
    """Add a user with one role."""
    try:
        added = current_app.appbuilder.sm.ensure_user(login, role, first_name or login,
                                                      last_name or "-", password)
    except (LookupError, RuntimeError) as error:
        raise Refused(str(error)) from None
    if not added:
        raise Refused(f"User {login} exists already.")
    click.echo(f"User {login} ({role}) created.")


# --- API tokens -------------------------------------------------------------------------------

@click.group("tokens")
def tokens_group() -> None:
    """API tokens for machines (the crawler)."""


@tokens_group.command("create")
@click.option("--user", "login", required=True, type=LOGIN, help="The user the token acts as (role Crawler for a crawler).")
@click.option("--name", required=True, type=Text(100), help="Who uses the token, e.g. 'crawler eu-1'.")
@with_appcontext
def tokens_create(login: str, name: str) -> None:
    """Issue a token; it is shown once, only its hash is kept."""
    from caseapp.core import tokens
    from caseapp.core.audit import Actor

    user = current_app.appbuilder.sm.find_user(username=login)
    if user is None:
        raise Refused(f"No user {login}: create it first (caseapp users create).")
    with transaction() as session:
        row, text = tokens.issue(session, Actor.system("tokens create"), name=name, user_id=user.id)
    click.echo(f"Token {row.id} for {login} ({name}); keep it now, it is not shown again:\n{text}")


@tokens_group.command("revoke")
@click.argument("token_id", type=ROW_ID)
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke a token: requests with it are refused from now on."""
    from caseapp.core import tokens
    from caseapp.core.audit import Actor

    with transaction() as session:
        row = tokens.revoke(session, Actor.system("tokens revoke"), token_id)
    click.echo(f"Token {row.id} ({row.name}) revoked.")


# --- the audit trail --------------------------------------------------------------------------

@click.group("audit")
def audit_group() -> None:
    """The audit trail: who changed what, when and why."""


@audit_group.command("list")
@click.option("--case", "case_ref", type=Text(40), default=None, help="Only this case's events (its reference).")
@click.option("--user", "login", type=Text(100), default=None,
              help="Only what this login did (or a system job, e.g. 'escalation', 'demo').")
@click.option("--kind", type=Text(60), default=None,
              help="Only events of this code, e.g. case.stage_changed (`caseapp audit kinds` lists them).")
@date_option("--since", default=None, help="From this day on (UTC).")
@date_option("--until", default=None, help="Up to and including this day (UTC).")
@click.option("--limit", type=WholeNumber(1, 100000), default=100, show_default=True, help="At most this many events.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line, codes and words.")
@with_appcontext
def audit_list(case_ref, login, kind, since, until, limit, as_json) -> None:
    """The audit trail, newest first, in words (as the audit trail page shows it)."""
    import json

    from caseapp.core import audit_trail
    from caseapp.core.audit_words import of_app as audit_words_of

    words = audit_words_of(current_app)
    with refusals():
        session = cli_session()
        chosen = audit_trail.read_filter(session, words, case=case_ref, user=login, kind=kind,
                                         since=since and since.isoformat(), until=until and until.isoformat())
        rows, after = [], None
        while len(rows) < limit:
            page = audit_trail.page(session, words, chosen, after=after,
                                    limit=min(limit - len(rows), audit_trail.MAX_PAGE_SIZE))
            rows.extend(page.rows)
            if page.next_cursor is None:
                break
            after = page.next_cursor
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.as_data(), ensure_ascii=False))
        else:
            click.echo(" · ".join([row.when, row.who, row.what, row.case,
                                   f"{row.before} → {row.after}", row.reason]))
    if not as_json and not rows:
        click.echo("No event matches.")


@audit_group.command("kinds")
@with_appcontext
def audit_kinds() -> None:
    """Every kind of event: its code and its words."""
    from caseapp.core.audit_words import of_app as audit_words_of

    for code, words in audit_words_of(current_app).kinds():
        click.echo(f"{code}\t{words}")


from caseapp.core.job_cli import COMMANDS as JOB_COMMANDS  # noqa: E402

COMMANDS = (roles_group, users_group, tokens_group, audit_group, *JOB_COMMANDS)
