"""Views every role shares: the home page, stored files, the audit trail."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, IndexView, ModelView, expose, has_access

from caseapp.core import AUDIT_LOG, FILE
from caseapp.core.audit_words import of_app as audit_words_of
from caseapp.core.security import access_matrix_of
from caseapp.core.filestore import FileStore

from wtforms import HiddenField

from caseapp.core.web import version_seen

READ_ONLY = {"list": "read", "show": "read", "download": "read"}
# Deleting is its own action, not a kind of writing: the matrix says who may delete what (a
# domain that offers deletion declares `permission(RESOURCE, "delete", ...)`).
READ_WRITE = {**READ_ONLY, "add": "write", "edit": "write", "delete": "delete",
              "action": "write", "action_post": "write"}


def file_store() -> FileStore:
    return FileStore(current_app.config["CASEAPP_FILESTORE_PATH"])


class ServiceModelView(ModelView):
    """FAB's list and show pages for reference data; adding, editing and deleting go through
    the domain's services (`add`, `edit`, `delete` below), which check the input, refuse a
    stale edit (the version the user saw travels in the form) and audit every change in the
    same transaction. A refused save shows the form again with what the user typed."""

    # The domain's use cases: add(session, actor, **values) -> record;
    # edit(session, actor, id, *, seen_version, **values); delete(session, actor, id).
    add_service = edit_service = delete_service = None
    edit_form_extra_fields = {"version_seen": HiddenField()}
    # list, show: "read"; add, edit: "write"; delete: "delete" (a page may narrow this)
    method_permission_name = READ_WRITE
    include_route_methods = set(READ_WRITE)
    base_order = ("name", "asc")

    def __init__(self, **kwargs):
        if self.edit_columns and "version_seen" not in self.edit_columns:
            self.edit_columns = [*self.edit_columns, "version_seen"]
        super().__init__(**kwargs)

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk)
        if item is not None and hasattr(item, "version"):
            form.version_seen.data = item.version

    @staticmethod
    def _values(form, columns) -> dict:
        return {column: form[column].data for column in columns if column != "version_seen"}

    def _save(self, use_case, success: str) -> bool:
        from caseapp.core.web import attempt, current_actor

        ok, result = attempt(lambda session: use_case(session, current_actor()))
        flash(success if ok else result, "success" if ok else "danger")
        return ok

    def _add(self):
        form = self.add_form.refresh()
        if request.method == "POST" and form.validate():
            values = self._values(form, self.add_columns)
            if self._save(lambda session, actor: type(self).add_service(session, actor, **values),
                          self.add_row_message):
                return None
        elif request.method != "POST":
            self.update_redirect()
        return self._get_add_widget(form=form)

    def _edit(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            form._id = pk
            if form.validate():
                values = self._values(form, self.edit_columns)

                def edit(session, actor):   # a versioned record's form must say which version it showed
                    seen = version_seen(form.version_seen.data) if hasattr(item, "version") else None
                    return type(self).edit_service(session, actor, pk, seen_version=seen, **values)

                if self._save(edit, self.edit_row_message):
                    return None
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
            self.update_redirect()
        return self._get_edit_widget(form=form)

    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        self._save(lambda session, actor: type(self).delete_service(session, actor, self.datamodel.get_pk_value(item)),
                   self.delete_row_message)
        self.update_redirect()


class HomeView(IndexView):
    """Each role starts where its work is: handlers at the queue, lawyers at their desk, accountants at the payouts."""

    @expose("/")
    def index(self):
        from flask_login import current_user

        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        for entry in access_matrix_of(current_app).menu:   # the first page of the menu the user may open
            if self.appbuilder.sm.has_access(f"can_{entry.action}", entry.resource):
                return redirect(entry.href)
        return self.render_template("caseapp/home.html")


class FileView(BaseView):
    """Stored files (work images, thumbnails), by SHA-256. Immutable, so cached for long."""

    route_base = "/files"
    class_permission_name = FILE
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


class AuditLogView(BaseView):
    """The audit trail in words, newest first, filtered and paged by keyset (core.audit_trail).
    Read-only for everyone, Admin included."""

    route_base = "/audit"
    default_view = "list"
    class_permission_name = AUDIT_LOG
    method_permission_name = {"list": "read", "show": "read"}

    @expose("/")
    @expose("/list/")
    @has_access
    def list(self):
        from caseapp.core import audit_trail
        from caseapp.core.errors import Refusal
        from caseapp.extensions import get_session

        session, words = get_session(), audit_words_of(current_app)
        typed = {name: request.args.get(name, "") for name in ("case", "user", "kind", "since", "until")}
        trail, problem = None, None
        try:
            chosen = audit_trail.read_filter(session, words, **typed)
            trail = audit_trail.page(session, words, chosen, after=request.args.get("after"))
        except Refusal as error:
            problem = str(error)
        return self.render_template("caseapp/audit_trail.html", trail=trail, problem=problem, typed=typed,
                                    kinds=words.kinds(), first_page=not request.args.get("after")), \
            400 if problem else 200

    @expose("/show/<int:event_id>")
    @has_access
    def show(self, event_id: int):
        from caseapp.core import audit_trail
        from caseapp.core.errors import NotFound
        from caseapp.extensions import get_session

        try:
            event = audit_trail.detail(get_session(), audit_words_of(current_app), event_id)
        except NotFound as error:
            flash(str(error), "danger")
            return redirect(url_for("AuditLogView.list"))
        return self.render_template("caseapp/audit_event.html", event=event, back=request.referrer)


def register(app, appbuilder) -> None:
    from caseapp.core import job_views, profile

    profile.register(app, appbuilder)
    job_views.register(app, appbuilder)
    appbuilder.add_view_no_menu(FileView)
    appbuilder.add_view_no_menu(AuditLogView)
