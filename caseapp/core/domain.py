"""What a domain declares it brings. Each `caseapp/<domain>/__init__.py` holds one `DOMAIN`;
`caseapp.domains` finds them and assembles the app, the model import, the permission
matrix, the menu, the command line and the demo from them, so that a new domain is a
folder (and one migration), not edits across shared files."""
from __future__ import annotations

from dataclasses import dataclass

# Where a permission is checked: by a page's endpoint (Flask-AppBuilder), by a REST endpoint
# that machines call with an API token, or inside an action a page endpoint allows (undoing
# another person's decision is an undo, checked further).
PAGE, TOKEN, IN_ACTION = "page", "token", "in action"
# Actions that only read. The Auditor holds every one of them and nothing else.
READ_ACTIONS = frozenset({"read"})
ADMIN, AUDITOR = "Admin", "Auditor"


@dataclass(frozen=True)
class Permission:
    """(action, resource), e.g. ("change_stage", "Case"): Flask-AppBuilder stores it as
    "can_change_stage" on view-menu "Case"; views name the resource in
    `class_permission_name` and map endpoints to actions in `method_permission_name`."""

    resource: str
    action: str
    description: str
    roles: frozenset[str]
    checked_by: str = PAGE

    @property
    def fab_name(self) -> str:
        return f"can_{self.action}"


def permission(resource: str, action: str, description: str, *roles: str, checked_by: str = PAGE) -> Permission:
    """A row of the matrix: Admin holds everything, the Auditor every read action."""
    granted = set(roles) | {ADMIN}
    if action in READ_ACTIONS:
        granted.add(AUDITOR)
    return Permission(resource, action, description, frozenset(granted), checked_by)


@dataclass(frozen=True)
class MenuEntry:
    """A menu link, shown to whoever holds (resource, action). `order` places it among every
    domain's entries; `category` groups it under a drop-down (e.g. "Records")."""

    name: str
    resource: str
    action: str
    href: str
    icon: str
    order: int
    category: str | None = None


@dataclass(frozen=True)
class Domain:
    """One business domain. Module paths are imported only when the app or command needs them.

    - models: its SQLAlchemy models (imported so the metadata is complete for Alembic)
    - views: a module with `register(app, appbuilder)` adding its pages (and blueprints)
    - cli: a module with `COMMANDS`, the click commands and groups the `caseapp` command adds
    - tasks: a module of background jobs (ids in, a service call)
    - demo: a module with `load(demo)`, run in `demo_order` by `caseapp demo`
    - audit_words: a module with the words for the audit events it records (core.audit_words)
    - personal_data: a module saying what it holds on a person (a party) and when that goes:
      `export(session, party_id) -> dict`, `expired(session, now, retention) -> list[Expired]`,
      `purge(session, actor, expired) -> list[str]` (core.personal_data; `caseapp gdpr`)
    """

    name: str
    description: str
    permissions: tuple[Permission, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    models: str | None = None
    views: str | None = None
    cli: str | None = None
    tasks: str | None = None
    demo: str | None = None
    demo_order: int = 100
    audit_words: str | None = None   # module: EVENTS, and optionally SENTENCES, STATES, ACTORS
    startup: str | None = None       # "module:function" run once when the app is made (e.g. load rules)
    warm: str | None = None          # "module:function(app)" run as a web worker starts (caseapp.wsgi): work
                                     # its first requests would otherwise do (e.g. compute the dashboards)
    personal_data: str | None = None  # module: export, expired, purge (core.personal_data)
