"""The domains of caseapp, found rather than listed: every package `caseapp/<name>/` whose
`__init__.py` declares a `DOMAIN` (caseapp.core.domain.Domain). The app, the model import
for Alembic, the permission matrix, the menu, the command line and the demo are assembled
from them here; nothing else names the domains."""
from __future__ import annotations

import pkgutil
from functools import lru_cache
from importlib import import_module

from caseapp.core.domain import Domain
from caseapp.core.security import AccessMatrix


@lru_cache(maxsize=None)
def all_domains() -> tuple[Domain, ...]:
    import caseapp

    found = []
    for info in sorted(pkgutil.iter_modules(caseapp.__path__), key=lambda i: i.name):
        if info.ispkg:
            declared = getattr(import_module(f"caseapp.{info.name}"), "DOMAIN", None)
            if isinstance(declared, Domain):
                found.append(declared)
    return tuple(found)


def import_models() -> None:
    """Every domain's models on the one metadata (FAB's security tables too)."""
    import_module("flask_appbuilder.security.sqla.models")
    for domain in all_domains():
        if domain.models:
            import_module(domain.models)


@lru_cache(maxsize=None)
def access_matrix() -> AccessMatrix:
    domains = all_domains()
    menu = sorted((entry for d in domains for entry in d.menu), key=lambda e: e.order)
    return AccessMatrix(tuple(p for d in domains for p in d.permissions), tuple(menu))


def register_views(app, appbuilder) -> None:
    """Each domain's pages (without menu entries), then the menu in its declared order."""
    for domain in all_domains():
        if domain.views:
            import_module(domain.views).register(app, appbuilder)
    for entry in access_matrix().menu:
        appbuilder.add_link(entry.name, href=entry.href, icon=entry.icon, category=entry.category or "")


def template_folders() -> list[str]:
    from pathlib import Path

    import caseapp

    root = Path(caseapp.__file__).parent
    folders = (root / d.name / "templates" for d in all_domains())
    return [str(folder) for folder in folders if folder.is_dir()]


def translation_folders() -> list[str]:
    """The German (and later) catalogues: core's and the app's pages' in caseapp/translations/, then
    each domain's own translations/ folder, as Flask-Babel's BABEL_TRANSLATION_DIRECTORIES takes them
    (lint/translations.py extracts and compiles them; docs/translating.md)."""
    from pathlib import Path

    import caseapp

    root = Path(caseapp.__file__).parent
    folders = [root / "translations", *(root / d.name / "translations" for d in all_domains())]
    return [str(folder) for folder in folders if folder.is_dir()]


def cli_commands() -> list:
    return [command for d in all_domains() if d.cli for command in import_module(d.cli).COMMANDS]


def run_startups() -> None:
    """Each domain's start-up check (e.g. the country rules load, or the app stops saying why)."""
    for domain in all_domains():
        if domain.startup:
            module, _, function = domain.startup.partition(":")
            getattr(import_module(module), function)()


def run_warm_ups(app) -> None:
    """Each domain's warm-up as a web worker starts (`Domain.warm`, caseapp.wsgi)."""
    for domain in all_domains():
        if domain.warm:
            module, _, function = domain.warm.partition(":")
            getattr(import_module(module), function)(app)


def demo_loaders() -> list:
    return [import_module(d.demo).load for d in sorted(all_domains(), key=lambda d: d.demo_order) if d.demo]


@lru_cache(maxsize=None)
def audit_catalogue():
    """The words of every audit event: core's and each domain's (`Domain.audit_words`)."""
    from caseapp.core import audit_words

    return audit_words.Catalogue.of([audit_words, *(import_module(d.audit_words) for d in all_domains()
                                                    if d.audit_words)])


def personal_data_modules() -> list[tuple[str, object]]:
    """(domain name, module) of every domain that holds data on a person (`Domain.personal_data`),
    in purge order: a module's `PURGE_ORDER` (lower first; records that point at others go
    before what they point at, so the party comes last), then the domain's name."""
    found = [(d.name, import_module(d.personal_data)) for d in all_domains() if d.personal_data]
    return sorted(found, key=lambda pair: (getattr(pair[1], "PURGE_ORDER", 50), pair[0]))
