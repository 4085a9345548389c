"""A demo database in one call: migrated, roles synced, one user per role,
demo cases loaded. Used by `caseapp demo`, the tests and the benchmarks."""
from __future__ import annotations

from datetime import date
from typing import Callable

from flask import Flask

from caseapp.core import schema
from caseapp.core.filestore import FileStore
from caseapp.core.uow import unit_of_work
from caseapp.demo.services import DemoSummary, load_demo
from caseapp.extensions import get_db

DEMO_USERS = [
    # login, role, first name, last name
    ("handler", "CaseHandler", "Hanna", "Berger"),
    ("handler2", "CaseHandler", "Tom", "Reuter"),
    ("lawyer", "Lawyer", "Lea", "Wagner"),
    ("accountant", "Accountant", "Anton", "Keller"),
    ("accountant2", "Accountant", "Lena", "Vogt"),   # the second accountant: approves payout batches
    ("manager", "Manager", "Marta", "Brandt"),      # management: the dashboards and the case file, read only
    ("admin", "Admin", "Ada", "Schmidt"),
    ("auditor", "Auditor", "Uwe", "Pohl"),
    ("crawler", "Crawler", "Web", "Crawler"),
]


def demo_password(login: str) -> str:
    return f"{login}-demo"


def add_demo_users(app: Flask) -> list[str]:
    """The demo users that were missing (now added)."""
    sm = app.appbuilder.sm
    return [login for login, role, first, last in DEMO_USERS
            if sm.ensure_user(login, role, first, last, demo_password(login))]


def load_demo_cases(app: Flask, *, cases: int, today: date, works: int = 40, hits: int = 0, seed: int = 2026,
                    assignees: tuple[str, ...] = ("handler", "handler2", "lawyer"),
                    progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Load demo cases into the app's database and commit."""
    from caseapp.hits import services as hit_services

    sm = app.appbuilder.sm
    with unit_of_work(get_db().session()) as session:
        summary = load_demo(session, FileStore(app.config["CASEAPP_FILESTORE_PATH"]), cases=cases,
                            works=works, hits=hits, seed=seed, today=today, progress=progress,
                            assign_to=[sm.find_user(username=login).id for login in assignees])
    with unit_of_work(get_db().session()) as session:   # the hit tally's changes the load noted
        hit_services.fold_tally(session)
    return summary


def build_demo_database(app: Flask, *, cases: int, today: date, works: int = 40, hits: int = 0,
                        assignees: tuple[str, ...] = ("handler",),
                        progress: Callable[[int], None] | None = None) -> DemoSummary:
    """Migrate the app's (empty) database, sync roles, add the demo users, load cases."""
    with app.app_context():
        schema.upgrade(app.config["SQLALCHEMY_DATABASE_URI"])
        app.appbuilder.sm.sync_permissions()
        add_demo_users(app)
        summary = load_demo_cases(app, cases=cases, today=today, works=works, hits=hits, assignees=assignees,
                                  progress=progress)
        get_db().session.remove()
    return summary
