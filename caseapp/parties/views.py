"""Reference pages for parties and their addresses."""
from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext

from caseapp.core.views import ServiceModelView
from caseapp.parties import PARTY, services
from caseapp.parties.models import Party
from caseapp.parties.page import VERDICT_WORDS


# A party's kind as the list and show pages say it (the stored code stays as it is).
KIND_WORDS = {"company": lazy_gettext("company"), "person": lazy_gettext("person"),
              "public_body": lazy_gettext("public body"), "association": lazy_gettext("association")}


class PartyView(ServiceModelView):
    add_service = staticmethod(services.add_party)
    edit_service = staticmethod(services.edit_party)
    delete_service = staticmethod(services.delete_party)
    datamodel = SQLAInterface(Party)
    route_base = "/parties"
    class_permission_name = PARTY
    list_title = lazy_gettext("Parties")
    show_title = add_title = edit_title = lazy_gettext("Party")
    columns = ["name", "kind", "site", "email", "street", "postal_code", "city", "country",
               "subdivision", "language"]
    list_columns = ["name", "kind", "site", "city", "country", "commercial"]
    show_columns = add_columns = edit_columns = columns
    search_columns = ["name", "site", "city", "country"]
    label_columns = {"name": lazy_gettext("Name"), "kind": lazy_gettext("Kind"), "site": lazy_gettext("Site"),
                     "email": lazy_gettext("E-mail"), "street": lazy_gettext("Street"),
                     "postal_code": lazy_gettext("Postal code"), "city": lazy_gettext("City"),
                     "country": lazy_gettext("Country"), "subdivision": lazy_gettext("State / region"),
                     "language": lazy_gettext("Language"), "commercial": lazy_gettext("Commercial or private?")}
    formatters_columns = {"kind": lambda kind: str(KIND_WORDS.get(kind, kind)),
                          "commercial": lambda verdict: str(VERDICT_WORDS.get(verdict, "—")) if verdict else "—"}

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The party page (address and its source, candidates, lookup, merge) instead of FAB's."""
        return redirect(url_for("PartyPageView.page", party_id=int(pk)))


def register(app, appbuilder) -> None:
    from caseapp.parties.page import PartyPageView

    appbuilder.add_view_no_menu(PartyView)
    appbuilder.add_view_no_menu(PartyPageView)
