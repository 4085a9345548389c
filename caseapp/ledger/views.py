"""The trial balance: every account's debits and credits per currency (they sum to zero)."""
from __future__ import annotations

from flask_appbuilder import BaseView, expose, has_access

from caseapp.extensions import get_session
from caseapp.ledger import LEDGER, services


class LedgerView(BaseView):
    route_base = "/ledger"
    class_permission_name = LEDGER
    method_permission_name = {"trial_balance": "read"}

    @expose("/")
    @has_access
    def trial_balance(self):
        rows = services.trial_balance(get_session())
        return self.render_template("ledger/trial_balance.html", rows=rows, words=services.ACCOUNT_WORDS,
                                    totals=services.totals(rows))


def register(app, appbuilder) -> None:
    appbuilder.add_view_no_menu(LedgerView)
