"""Reference pages for clients and their works (FAB list and edit pages)."""
from __future__ import annotations

from wtforms import BooleanField
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup, escape
from flask import abort, current_app, jsonify, redirect, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from caseapp.clients.works_index import import_files, index_in_step, store_and_engine, summarise, unindex_works
from caseapp.core.web import current_actor
from caseapp.extensions import get_session

from caseapp.core.views import ServiceModelView
from caseapp.clients import CLIENT, WORK, services
from caseapp.clients.models import Client, Work


class ClientView(ServiceModelView):
    """The list of clients (each name opens the client's page, /clients/<id>) and the add form."""
    add_service = staticmethod(services.add_client)
    edit_service = staticmethod(services.edit_client)
    delete_service = staticmethod(services.delete_client)
    datamodel = SQLAInterface(Client)
    route_base = "/clients"
    class_permission_name = CLIENT
    list_title = "Clients"
    show_title = add_title = edit_title = "Client"
    list_columns = ["page_link", "kind", "country", "language", "email"]
    add_columns = edit_columns = ["name", "kind", "country", "language", "email", "pursues_private_users"]
    search_columns = ["name", "kind", "country", "email"]
    label_columns = {"name": "Name", "page_link": "Name", "kind": "Kind", "country": "Country", "language": "Language",
                     "email": "E-mail", "pursues_private_users": "Pursue private, non-commercial users"}
    # A tick box, not a required field (the column is NOT NULL, which Flask-AppBuilder would make required).
    add_form_extra_fields = {"pursues_private_users": BooleanField(
        "Pursue private, non-commercial users",
        description="The client's policy: without it, a private recipient's case is judged not feasible. In "
                    "Germany a first warning letter to a private person counts at €1,000 at most (§ 97a(3) UrhG).")}
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
    list_title = "Works"
    show_title = edit_title = "Work"
    base_order = ("title", "asc")
    list_columns = ["thumbnail_sha256", "title", "client", "status", "width", "height"]
    show_columns = ["thumbnail_sha256", "title", "client", "width", "height", "file_sha256"]
    edit_columns = ["title"]
    search_columns = ["title", "client"]
    label_columns = {"thumbnail_sha256": "Image", "title": "Title", "client": "Client",
                     "width": "Width", "height": "Height", "file_sha256": "File (SHA-256)", "status": "Ownership"}
    formatters_columns = {"thumbnail_sha256": lambda sha: _thumbnail(sha),
                          "status": lambda status: Markup(f'<span class="chip chip-work-{escape(status)}">'
                                                          f'{escape(status.capitalize())}</span>')}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """A row's show link opens the work page (evidence, checks, verification)."""
        return redirect(url_for("WorkPageView.page", work_id=int(pk)))

    @action("delete_selected", "Delete", "Delete the selected works for good? A work a case names, or one "
            "with hits, is kept.", "fa-trash", single=False)
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
    unindex_works(engine, result.deleted)
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
            return jsonify(ok=False, error=f"The upload is larger than {limit // (1024 * 1024)} MB; send fewer "
                                           "files at once (the page does so by itself)."), 413
        if not files:
            return jsonify(ok=False, error="No files were sent: choose or drop images first."), 400
        store, engine = store_and_engine(current_app.config)

        def upload(session):
            index_in_step(session, store, engine)
            return list(import_files(session, store, engine, current_actor(), client_id=client_id, files=files,
                                     keep_near_duplicates=request.form.get("keep_near_duplicates") == "1"))

        ok, rows = attempt(upload)
        if not ok:
            return jsonify(ok=False, error=rows), 409
        if any(row["status"] == "imported" for row in rows):
            engine.save()   # after the works are committed
        return jsonify(ok=True, rows=rows, summary=summarise(rows))


def _thumbnail(sha256: str) -> Markup:
    src = url_for("FileView.get", sha256=sha256)
    return Markup(f'<img src="{escape(src)}" alt="thumbnail" class="thumb-sm" loading="lazy">')


def register(app, appbuilder) -> None:
    from caseapp.clients import ownership, work_page
    from caseapp.clients.pages import BankAccountView, ClientPageView, ContractView

    ownership.CONFLICT_MIN_SCORE = app.config.get("CASEAPP_CONFLICT_MIN_SCORE", ownership.CONFLICT_MIN_SCORE)
    appbuilder.add_view_no_menu(ClientView)
    appbuilder.add_view_no_menu(WorkView)
    appbuilder.add_view_no_menu(ClientPageView)
    appbuilder.add_view_no_menu(ContractView)
    appbuilder.add_view_no_menu(BankAccountView)
    appbuilder.add_view_no_menu(WorkUploadView)
    work_page.register(app, appbuilder)
