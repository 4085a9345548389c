"""Reference pages for clients and their works (FAB list and edit pages)."""
from __future__ import annotations

from wtforms import BooleanField
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup, escape
from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from werkzeug.exceptions import RequestEntityTooLarge

from caseapp.clients.works_index import (compact_soon, import_files, index_in_step, save_index, store_and_engine,
                                         summarise, sync_index, unindex_works)
from caseapp.core.web import current_actor
from caseapp.extensions import get_session

from caseapp.core.views import ServiceModelView
from caseapp.clients import CLIENT, WORK, services
from caseapp.clients.models import Client, Work


# The words upload.js says (clients/_upload.html hands them over as JSON; the script fills in %(name)s).
UPLOAD_WORDS = {
    "imported": lazy_gettext("imported"), "duplicate": lazy_gettext("duplicate"), "error": lazy_gettext("error"),
    "work": lazy_gettext("work %(id)s"),
    "duplicate_of": lazy_gettext("duplicate of work %(id)s (%(title)s), not added"),
    "progress": lazy_gettext("%(done)s of %(total)s files"),
    "server_answered": lazy_gettext("the server answered %(status)s"), "not_uploaded": lazy_gettext("not uploaded"),
    "connection_failed": lazy_gettext("the connection failed; try again"),
    "too_large": lazy_gettext("larger than %(size)s MB, the most one upload takes; import it with `caseapp works "
                              "import` instead"),
}


# A client's kind as the pages say it (the stored code stays as it is).
KIND_WORDS = {"photographer": lazy_gettext("photographer"), "agency": lazy_gettext("agency"),
              "publisher": lazy_gettext("publisher"), "estate": lazy_gettext("estate")}


class ClientView(ServiceModelView):
    """The list of clients (each name opens the client's page, /clients/<id>) and the add form."""
    add_service = staticmethod(services.add_client)
    edit_service = staticmethod(services.edit_client)
    delete_service = staticmethod(services.delete_client)
    datamodel = SQLAInterface(Client)
    route_base = "/clients"
    class_permission_name = CLIENT
    list_title = lazy_gettext("Clients")
    show_title = add_title = edit_title = lazy_gettext("Client")
    list_columns = ["page_link", "kind", "country", "language", "email"]
    add_columns = edit_columns = ["name", "kind", "country", "language", "email", "pursues_private_users"]
    search_columns = ["name", "kind", "country", "email"]
    label_columns = {"name": lazy_gettext("Name"), "page_link": lazy_gettext("Name"), "kind": lazy_gettext("Kind"),
                     "country": lazy_gettext("Country"), "language": lazy_gettext("Language"),
                     "email": lazy_gettext("E-mail"),
                     "pursues_private_users": lazy_gettext("Pursue private, non-commercial users")}
    formatters_columns = {"kind": lambda kind: str(KIND_WORDS.get(kind, kind))}
    # A tick box, not a required field (the column is NOT NULL, which Flask-AppBuilder would make required).
    add_form_extra_fields = {"pursues_private_users": BooleanField(
        lazy_gettext("Pursue private, non-commercial users"),
        description=lazy_gettext("The client's policy: without it, a private recipient's case is judged not "
                                 "feasible. In Germany a first warning letter to a private person counts at €1,000 "
                                 "at most (§ 97a(3) UrhG)."))}
    edit_form_extra_fields = {**ServiceModelView.edit_form_extra_fields, **add_form_extra_fields}


class WorkView(ServiceModelView):
    edit_service = staticmethod(services.edit_work)
    datamodel = SQLAInterface(Work)
    route_base = "/works"
    class_permission_name = WORK
    # action_post only dispatches: each action is checked against its own permission (FAB
    # looks up the action function's name here).
    method_permission_name = {"list": "read", "show": "read", "edit": "write", "action_post": "read",
                              "delete_selected": "delete"}
    include_route_methods = {"list", "show", "edit", "action_post"}
    list_title = lazy_gettext("Works")
    show_title = edit_title = lazy_gettext("Work")
    base_order = ("title", "asc")
    list_columns = ["thumbnail_sha256", "title", "client", "status", "width", "height"]
    show_columns = ["thumbnail_sha256", "title", "client", "width", "height", "file_sha256"]
    edit_columns = ["title"]
    search_columns = ["title", "client"]
    label_columns = {"thumbnail_sha256": lazy_gettext("Image"), "title": lazy_gettext("Title"),
                     "client": lazy_gettext("Client"), "width": lazy_gettext("Width"), "height": lazy_gettext("Height"),
                     "file_sha256": lazy_gettext("File (SHA-256)"), "status": lazy_gettext("Ownership")}
    formatters_columns = {"thumbnail_sha256": lambda sha: _thumbnail(sha),
                          "status": lambda status: Markup(f'<span class="chip chip-work-{escape(status)}">'
                                                          f'{escape(_status_label(status))}</span>')}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """A row's show link opens the work page (evidence, checks, verification)."""
        return redirect(url_for("WorkPageView.page", work_id=int(pk)))

    @action("delete_selected", lazy_gettext("Delete"), lazy_gettext("Delete the selected works for good? A work a "
                                                                    "case names, or one with hits, is kept."),
            "fa-trash", single=False)
    def delete_selected(self, items):
        from caseapp.core.web import run_action

        ids = [item.id for item in items if item is not None]
        deleted = []

        def delete(session):
            result = services.delete_works(session, current_actor(), ids)
            deleted.append(result)
            return result

        if run_action(delete, success=lambda result: result.message()):
            _after_deletion(deleted[0])
        self.update_redirect()
        return redirect(self.get_redirect())


def _after_deletion(result) -> None:
    """Once the deletion is committed: the works leave the index, their files the store
    (unless something else names them)."""
    from caseapp.core.uow import unit_of_work
    from caseapp.extensions import get_session

    store, engine = store_and_engine(current_app.config)
    if unindex_works(engine, result.deleted):
        compact_soon(current_app._get_current_object())
    with unit_of_work(get_session()) as session:
        services.discard_work_files(session, store, result.files)


class WorkUploadView(BaseView):
    """Many images at once onto a client's works (the drop zone of clients/_upload.html):
    each request a batch of files, answered with one row a file as `works import --json`."""

    route_base = "/clients"
    class_permission_name = WORK
    method_permission_name = {"upload": "upload", "upload_page": "upload"}
    base_permissions = ["can_upload"]

    @expose("/<int:client_id>/works/upload", methods=["GET"])
    @has_access
    def upload_page(self, client_id: int):
        """The drop zone on a page of its own (the client's page includes the same partial)."""
        client = get_session().get(Client, client_id)
        if client is None:
            abort(404)
        return self.render_template("clients/upload_page.html", client=client)

    @expose("/<int:client_id>/works/upload", methods=["POST"])
    @has_access
    def upload(self, client_id: int):
        from caseapp.core.web import attempt

        try:
            files = [(f.filename or "", f.read()) for f in request.files.getlist("files")]
        except RequestEntityTooLarge:
            limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
            return jsonify(ok=False, error=gettext("The upload is larger than %(size)d MB; send fewer files at once "
                                                   "(the page does so by itself).", size=limit // (1024 * 1024))), 413
        if not files:
            return jsonify(ok=False, error=gettext("No files were sent: choose or drop images first.")), 400
        store, engine = store_and_engine(current_app.config)

        def upload(session):
            index_in_step(session, store, engine)
            return list(import_files(session, store, engine, current_actor(), client_id=client_id, files=files,
                                     keep_near_duplicates=request.form.get("keep_near_duplicates") == "1"))

        ok, rows = attempt(upload)
        if not ok:
            return jsonify(ok=False, error=rows), 409
        if any(row["status"] == "imported" for row in rows):   # after the works are committed
            save_index(engine, lambda: sync_index(get_session(), store, engine))
        return jsonify(ok=True, rows=rows, summary=summarise(rows))


def _thumbnail(sha256: str) -> Markup:
    src = url_for("FileView.get", sha256=sha256)
    return Markup(f'<img src="{escape(src)}" alt="{escape(gettext("thumbnail"))}" class="thumb-sm" loading="lazy">')


def _status_label(status: str) -> str:
    """A work's ownership status as its chip says it ("Verified")."""
    from caseapp.clients.work_page import STATUS_LABELS

    return str(STATUS_LABELS.get(status, status.capitalize()))


def register(app, appbuilder) -> None:
    from caseapp.clients import ownership, work_page
    from caseapp.clients.pages import BankAccountView, ClientPageView, ContractView

    ownership.CONFLICT_MIN_SCORE = app.config.get("CASEAPP_CONFLICT_MIN_SCORE", ownership.CONFLICT_MIN_SCORE)
    app.jinja_env.globals["upload_words"] = UPLOAD_WORDS
    app.jinja_env.filters["client_kind"] = lambda kind: str(KIND_WORDS.get(kind, kind))   # for clients/_upload.html, wherever it is included
    appbuilder.add_view_no_menu(ClientView)
    appbuilder.add_view_no_menu(WorkView)
    appbuilder.add_view_no_menu(ClientPageView)
    appbuilder.add_view_no_menu(ContractView)
    appbuilder.add_view_no_menu(BankAccountView)
    appbuilder.add_view_no_menu(WorkUploadView)
    work_page.register(app, appbuilder)
