"""Editing a record as people do on reference pages: the version they saw is checked (a stale
edit is refused, never silently overwritten), every change is audited in the same
transaction, with what it was and what it became. Each domain's services call these for
their own records; FAB's pages call those services (core.views.ServiceModelView)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound, StaleEdit


def check_version(what: str, record, seen_version: int | None) -> None:
    """Refuse an edit made on a stale copy of `record` (None: the caller saw no version)."""
    if seen_version is not None and seen_version != record.version:
        raise StaleEdit(what, seen_version, record.version)


def plain(value: Any):
    """A value as the audit trail keeps it (JSON)."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def add_record(session: Session, actor: Actor, record, subject: str) -> Any:
    """Add `record` and audit it as '<subject>.added'."""
    session.add(record)
    session.flush()
    audit.record(session, actor, f"{subject}.added", record.__tablename__, record.id,
                 details={"name": str(record)})
    return record


def edit_record(session: Session, actor: Actor, record, values: dict[str, Any], *, subject: str,
                what: str, seen_version: int | None) -> dict[str, list]:
    """Set `values` on `record` after checking the version seen; audit what changed as
    '<subject>.edited' ({field: [before, after]}). Returns the changes ({} when none)."""
    if hasattr(record, "version"):
        check_version(what, record, seen_version)
    changes = {}
    for key, value in values.items():
        before = getattr(record, key)
        if before != value:
            changes[key] = [plain(before), plain(value)]
            setattr(record, key, value)
    if changes:
        session.flush()
        audit.record(session, actor, f"{subject}.edited", record.__tablename__, record.id, details=changes)
    return changes


def delete_record(session: Session, actor: Actor, record, *, subject: str, what: str, in_use: str) -> None:
    """Delete `record` and audit it; a record still in use (a foreign key refuses) is kept and
    the refusal says so (`in_use`: what to do instead)."""
    audit.record(session, actor, f"{subject}.deleted", record.__tablename__, record.id,
                 details={"name": str(record)})
    try:
        with session.begin_nested():
            session.delete(record)
            session.flush()
    except IntegrityError:
        raise InvalidInput(f"{what} is still in use, so it was not deleted: {in_use}") from None


def text_or_none(value: Any) -> str | None:
    """A form's text field: stripped, and None when empty."""
    text = str(value).strip() if value is not None else ""
    return text or None


def clean_values(values: dict[str, Any], *, record: str, fields: tuple[str, ...], kinds: tuple[str, ...]) -> dict:
    """A record's fields as typed on a page or command -> as kept: text stripped (empty is None),
    a name required, the kind one of `kinds` (the first by default), country codes upper case
    and language codes lower case (checked). Anything else is refused naming the field."""
    from caseapp.core.i18n import country_code, language_code

    unknown = set(values) - set(fields)
    if unknown:
        raise InvalidInput(f"A {record} has no field {', '.join(sorted(unknown))}.")
    clean = {key: value if isinstance(value, bool) else text_or_none(value) for key, value in values.items()}
    if "name" in clean and not clean["name"]:
        raise InvalidInput(f"Name: a {record} needs a name.")
    if "kind" in clean:
        clean["kind"] = clean["kind"] or kinds[0]
        if clean["kind"] not in kinds:
            raise InvalidInput(f"Kind: '{clean['kind']}' is not one of {', '.join(kinds)}.")
    if "country" in clean:
        clean["country"] = country_code(clean["country"])
    if "language" in clean:
        clean["language"] = language_code(clean["language"] or "en")
    return clean


class ReferenceRecords:
    """The use cases of one kind of reference record — get, add, edit (version checked), delete
    (refused while in use) — each audited, so that a domain declares what differs (its model,
    how its fields are cleaned, its messages) instead of writing the four again:

        _parties = ReferenceRecords(Party, subject="party", clean=_clean, missing=..., in_use=...)
        get_party, edit_party, delete_party = _parties.get, _parties.edit, _parties.delete
    """

    def __init__(self, model, *, subject: str, clean, missing: str, in_use: str,
                 required: tuple[tuple[str, str], ...] = ()) -> None:
        self.model, self.subject, self.clean = model, subject, clean
        self.missing = missing          # "... {id} ...": the refusal when there is no such record
        self.in_use = in_use            # what to do instead when a deletion is refused
        self.required = required        # (field, refusal) for fields an added record must have

    def get(self, session: Session, record_id: int):
        record = session.get(self.model, record_id)
        if record is None:
            raise NotFound(self.missing.format(id=record_id))
        return record

    def add(self, session: Session, actor: Actor, **values: Any):
        clean = self.clean(values)
        for field, refusal in self.required:
            if field not in clean:
                raise InvalidInput(refusal)
        return add_record(session, actor, self.model(**clean), self.subject)

    def edit(self, session: Session, actor: Actor, record_id: int, *, seen_version: int | None, **values: Any):
        record = self.get(session, record_id)
        edit_record(session, actor, record, self.clean(values), subject=self.subject, what=self._what(record),
                    seen_version=seen_version)
        return record

    def delete(self, session: Session, actor: Actor, record_id: int) -> None:
        record = self.get(session, record_id)
        delete_record(session, actor, record, subject=self.subject, what=self._what(record), in_use=self.in_use)

    def _what(self, record) -> str:
        return f"{self.subject.capitalize()} {record}"
