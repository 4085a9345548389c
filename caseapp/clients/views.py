"""Reference pages for clients and their works (FAB list and edit pages)."""
from __future__ import annotations

from wtforms import BooleanField
from flask_appbuilder.models.sqla.interface import SQLAInterface
from markupsafe import Markup, escape
from flask import redirect, url_for
from flask_appbuilder import expose, has_access

from caseapp.core.views import ServiceModelView
from caseapp.clients import CLIENT, WORK, services
from caseapp.clients.models import Client, Work


class ClientView(ServiceModelView):
    add_service = staticmethod(services.add_client)
    edit_service = staticmethod(services.edit_client)
    delete_service = staticmethod(services.delete_client)
    datamodel = SQLAInterface(Client)
    route_base = "/clients"
    class_permission_name = CLIENT
    list_title = "Clients"
    show_title = add_title = edit_title = "Client"
    list_columns = ["name", "kind", "country", "language", "email"]
    add_columns = edit_columns = ["name", "kind", "country", "language", "email", "pursues_private_users"]
    search_columns = ["name", "kind", "country", "email"]
    label_columns = {"name": "Name", "kind": "Kind", "country": "Country", "language": "Language",
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
    method_permission_name = {"list": "read", "show": "read", "edit": "write"}
    include_route_methods = {"list", "show", "edit"}
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


def _thumbnail(sha256: str) -> Markup:
    src = url_for("FileView.get", sha256=sha256)
    return Markup(f'<img src="{escape(src)}" alt="thumbnail" class="thumb-sm" loading="lazy">')


def register(app, appbuilder) -> None:
    from caseapp.clients import ownership, work_page

    ownership.CONFLICT_MIN_SCORE = app.config.get("CASEAPP_CONFLICT_MIN_SCORE", ownership.CONFLICT_MIN_SCORE)
    appbuilder.add_view_no_menu(ClientView)
    appbuilder.add_view_no_menu(WorkView)
    work_page.register(app, appbuilder)
