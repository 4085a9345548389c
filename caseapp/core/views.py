"""Views every role shares: the home page, stored files, the audit trail."""
from __future__ import annotations

from flask import abort, current_app, redirect, send_file, url_for
from flask_appbuilder import BaseView, IndexView, ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface

from caseapp.core.audit import AuditEvent
from caseapp.core.filestore import FileStore

from sqlalchemy import inspect as sa_inspect
from wtforms import HiddenField

from caseapp.core import audit
from caseapp.core.errors import StaleEdit

READ_ONLY = {"list": "read", "show": "read", "download": "read"}
READ_WRITE = {**READ_ONLY, "add": "write", "edit": "write", "delete": "write",
              "action": "write", "action_post": "write"}


def file_store() -> FileStore:
    return FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])


class AuditedModelView(ModelView):
    """FAB's list and edit pages for reference data, with what caseapp promises
    everywhere: every add, edit and delete is audited in the same transaction,
    and an edit made on a stale copy (someone saved in between) is refused."""

    audit_subject = "record"  # e.g. "client": actions read client.added, client.edited
    edit_form_extra_fields = {"version_seen": HiddenField()}

    def __init__(self, **kwargs):
        if self.edit_columns and "version_seen" not in self.edit_columns:
            self.edit_columns = [*self.edit_columns, "version_seen"]
        super().__init__(**kwargs)

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk)
        if item is not None and hasattr(item, "version"):
            form.version_seen.data = item.version

    def _actor(self):
        from caseapp.core.web import current_actor

        return current_actor()

    def pre_add(self, item):
        session = self.datamodel.session
        session.add(item)
        session.flush()
        audit.record(session, self._actor(), f"{self.audit_subject}.added", item.__tablename__,
                     item.id, details={"name": str(item)})

    def pre_update(self, item):
        seen = getattr(item, "version_seen", None)
        if hasattr(item, "version") and seen not in (None, "") and int(seen) != item.version:
            current = item.version
            self.datamodel.session.rollback()  # FAB has already copied the form onto the row
            raise StaleEdit(f"This {self.audit_subject}", int(seen), current)
        changes = {}
        for attr in sa_inspect(item).attrs:
            history = attr.history
            if history.has_changes() and attr.key not in ("updated_at", "version"):
                before = history.deleted[0] if history.deleted else None
                after = history.added[0] if history.added else None
                changes[attr.key] = [_plain(before), _plain(after)]
        if changes:
            audit.record(self.datamodel.session, self._actor(), f"{self.audit_subject}.edited",
                         item.__tablename__, item.id, details=changes)

    def pre_delete(self, item):
        audit.record(self.datamodel.session, self._actor(), f"{self.audit_subject}.deleted",
                     item.__tablename__, item.id, details={"name": str(item)})


def _plain(value):
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


class HomeView(IndexView):
    """Each role starts where its work is: handlers and lawyers at the queue."""

    @expose("/")
    def index(self):
        from flask_login import current_user

        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        if self.appbuilder.sm.has_access("can_read", "CaseQueue"):
            return redirect(url_for("QueueView.index"))
        return self.render_template("caseapp/home.html")


class FileView(BaseView):
    """Stored files (work images, thumbnails), by SHA-256. Immutable, so cached for long."""

    route_base = "/files"
    class_permission_name = "File"
    method_permission_name = {"get": "read"}

    @expose("/<sha256>")
    @has_access
    def get(self, sha256: str):
        store = file_store()
        if not store.exists(sha256):
            abort(404)
        response = send_file(store.path_for(sha256), mimetype=_sniff_mimetype(store.path_for(sha256)),
                             max_age=31536000, conditional=True, etag=sha256)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response


def _sniff_mimetype(path) -> str:
    with path.open("rb") as handle:
        head = handle.read(12)
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:3] == b"GIF":
        return "image/gif"
    if head.startswith(b"%PDF"):
        return "application/pdf"
    return "application/octet-stream"


class AuditLogView(ModelView):
    """The audit trail: read-only for everyone, Admin included."""

    datamodel = SQLAInterface(AuditEvent)
    route_base = "/audit"
    class_permission_name = "AuditLog"
    method_permission_name = {"list": "read", "show": "read"}
    include_route_methods = {"list", "show"}
    list_title = "Audit trail"
    show_title = "Audit event"
    list_columns = ["occurred_at", "actor_name", "action", "subject_type", "subject_id",
                    "from_state", "to_state", "reason"]
    show_columns = list_columns + ["details"]
    search_columns = ["actor_name", "action", "subject_type", "subject_id", "from_state", "to_state"]
    label_columns = {"occurred_at": "When", "actor_name": "Who", "action": "What",
                     "subject_type": "On", "subject_id": "Id", "from_state": "From",
                     "to_state": "To", "reason": "Why", "details": "Details"}
    base_order = ("occurred_at", "desc")
    page_size = 50


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(FileView)
    appbuilder.add_view(AuditLogView, "Audit trail", icon="fa-history", category="Records")
