"""Small helpers the domains' views share: who is acting, turning a refused action into a
message on the page, and reading numbers and ids from a form or a query string (the one place
a page parses them: a malformed id is refused, never read as "all" or "the last one")."""
from __future__ import annotations

import re

from sqlalchemy.orm.exc import StaleDataError

from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, Refusal
from caseapp.core.uow import unit_of_work
from caseapp.extensions import get_session


def can(action: str, resource: str) -> bool:
    """Whether the logged-in user holds `action` on `resource` (the permission matrix)."""
    from flask import current_app

    return current_app.appbuilder.sm.has_access(f"can_{action}", resource)


def current_actor() -> Actor:
    from flask_login import current_user

    return Actor.of(current_user)


STALE = ("Someone else changed this record at the same moment. Reload the page "
         "to see their change, then make yours again.")


def attempt(action):
    """Run `action(session)` in one transaction: (True, its result) committed, or
    (False, the rule's message) rolled back."""
    try:
        with unit_of_work(get_session()) as session:
            result = action(session)
    except Refusal as error:
        return False, str(error)
    except StaleDataError:
        return False, STALE
    return True, result


def run_action(action, success: str | None = None) -> bool:
    """Run `action(session)` in one transaction. Commit and flash `success`, or
    roll back and flash the rule's message. Returns whether it succeeded."""
    from flask import flash

    ok, result = attempt(action)
    if not ok:
        flash(result, "danger")
        return False
    if success:
        flash(success(result) if callable(success) else success, "success")
    return True


def wants_json() -> bool:
    """The page's script asked (fetch with Accept: application/json), not a plain form."""
    from flask import request

    return request.accept_mimetypes.best == "application/json"


# --- numbers and ids from a form or a query string ------------------------------------------

MAX_ID = 2**31 - 1          # the largest row id (a PostgreSQL integer): a longer number is no id
MAX_WHOLE = 10**12          # the largest count or number of days a page reads


def shown(value) -> str:
    """A value as a message quotes it: short, its control characters visible."""
    text = str(value)
    return repr(text[:30] + ("…" if len(text) > 30 else ""))


def whole(value, field: str, *, low: int = 0, high: int = MAX_WHOLE, required: bool = True) -> int | None:
    """A whole number from a form or query string: ASCII digits only (no sign, no '²' or '١٢٣',
    no spaces inside) from `low` to `high`. Empty: None when not `required`. Anything else is
    refused, naming the field and what it accepts."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise InvalidInput(f"{field}: a whole number from {low} to {high} is needed; the form sent none. "
                               "Reload the page and try again.")
        return None
    if not (text.isascii() and text.isdecimal() and len(text) <= len(str(high)) and low <= int(text) <= high):
        raise InvalidInput(f"{field}: {shown(value)} is not a whole number from {low} to {high}.")
    return int(text)


def record_id(value, field: str, *, required: bool = True, missing: str | None = None) -> int | None:
    """A row's id (1 to MAX_ID) from a form or query string; refused when malformed, and when
    missing unless not `required` (then None). `missing`: the refusal when it is missing."""
    text = "" if value is None else str(value).strip()
    if not text and not required:
        return None
    if not text:
        raise InvalidInput(missing or f"{field}: the form sent no number. Reload the page and try again.")
    if not (text.isascii() and text.isdecimal() and len(text) <= 10 and 1 <= int(text) <= MAX_ID):
        raise InvalidInput(f"{field}: {shown(value)} is not a {field.lower()} number.")
    return int(text)


def lenient(value, *, low: int = 0, high: int = MAX_WHOLE) -> int | None:
    """A number in a query string that only narrows what a page shows (a filter, a page
    cursor): anything but a whole number from `low` to `high` is ignored (None: the page's
    default), as a link that went stale should still open the page."""
    try:
        return whole(value, "", low=low, high=high, required=False)
    except InvalidInput:
        return None


def lenient_id(value) -> int | None:
    """A row id in a query string that only narrows what a page shows; anything else: None."""
    return lenient(value, low=1, high=MAX_ID)


def version_seen(value) -> int:
    """The version of a record the form showed: required for every change to a versioned
    record, so a stale page is refused (core.records.check_version), never silently obeyed."""
    text = "" if value is None else str(value).strip()
    if not (text.isascii() and text.isdecimal() and len(text) <= 10):
        raise InvalidInput("The form lacks the version of the record it showed; reload the page and try "
                           "again.")
    return int(text)


# --- where a page sends the user back to -----------------------------------------------------

def safe_target(value, default: str) -> str:
    """A user-supplied place to go back to (a form's `next`, the login's `?next=`), if it is one
    of our own pages: a relative path starting with a single "/", printable ASCII only (no
    backslash, no control character, no whitespace: browsers read '/\\evil.example',
    '/\\t/evil.example' and '//evil.example' as another site, and a newline breaks the header).
    Anything else: `default`."""
    from urllib.parse import urlsplit

    text = value if isinstance(value, str) else ""
    if not (0 < len(text) <= 2000 and text.startswith("/") and not text.startswith("//")
            and all("!" <= ch <= "~" for ch in text) and "\\" not in text):
        return default
    parts = urlsplit(text)
    return default if parts.scheme or parts.netloc else text


def redirect_back(value, default: str):
    """Redirect to `value` if it is one of our own pages (safe_target), else to `default`."""
    from flask import redirect

    return redirect(safe_target(value, default))


# --- what every response carries -------------------------------------------------------------

# Styles may be inline everywhere: Flask-AppBuilder's templates and its bundled libraries
# (Bootstrap, select2, the date picker) write style attributes; a style cannot run code.
_CSP = ("default-src 'self'; script-src 'self'{inline}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'")
# Our own pages ship their scripts as files (caseapp/static): no inline script runs on them.
STRICT_CSP = _CSP.format(inline="")
# Flask-AppBuilder's own pages (reference lists and forms, users, roles) write small inline
# scripts (filters, delete buttons): inline scripts may run there, still from no other origin.
FAB_PAGE_CSP = _CSP.format(inline=" 'unsafe-inline'")


def _fab_page(app, endpoint: str | None) -> bool:
    """Whether `endpoint` renders one of Flask-AppBuilder's templates (a ModelView, or a view
    of Flask-AppBuilder itself) rather than one of ours."""
    from flask_appbuilder import ModelView

    view = app_views(app).get((endpoint or "").partition(".")[0])
    return view is not None and (isinstance(view, ModelView) or type(view).__module__.startswith("flask_appbuilder"))


def security_headers(response):
    """Headers on every response: no framing, no MIME sniffing, referrers kept to our own site,
    and on pages a Content-Security-Policy (and HSTS behind HTTPS)."""
    from flask import current_app, request

    headers = response.headers
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy",
                           FAB_PAGE_CSP if _fab_page(current_app, request.endpoint) else STRICT_CSP)
    if current_app.config.get("CASEAPP_HTTPS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def too_many_requests(error):
    """Flask-Limiter refused (the login throttle): say so, in words."""
    from flask import make_response

    message = ("Too many login attempts from your address. Wait a minute, then try again; ask an admin "
               "if you have forgotten your password.")
    response = make_response(f"<!doctype html><title>Too many attempts</title><p>{message}</p>", 429)
    response.headers["Retry-After"] = "60"
    return response


# --- Flask-AppBuilder's list pages: their query arguments checked before FAB reads them ----------

MAX_PAGE, MAX_PAGE_SIZE = 100_000, 500
_SIGNED_WHOLE = re.compile(r"-?[0-9]{1,18}")
_DECIMAL = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,15})?")


def _list_argument_kept(view, name: str, value: str) -> bool:
    """Whether a query argument of a FAB list page is one it can read: page_<view> and
    psize_<view> whole numbers in range, _flt_<n>_<column> a filter the column has, _oc_ a
    column the page orders by. FAB would raise (a 500) on anything else."""
    if name.startswith("page_"):
        return lenient(value, low=0, high=MAX_PAGE) is not None
    if name.startswith("psize_"):
        return lenient(value, low=1, high=MAX_PAGE_SIZE) is not None
    if name.startswith("_flt_"):
        index, _, column = name[len("_flt_"):].partition("_")
        filters = view._filters.get_search_filters().get(column) if hasattr(view, "_filters") else None
        if not (filters is not None and index.isascii() and index.isdecimal() and int(index) < len(filters)
                and len(value) <= 1000):
            return False
        datamodel, value = view.datamodel, value.strip()   # a value of the column's type (FAB passes on others)
        if datamodel.is_integer(column) or datamodel.is_relation(column):   # (a related row: its id)
            return _SIGNED_WHOLE.fullmatch(value) is not None
        if datamodel.is_boolean(column):
            return value == "y"   # FAB's checkbox: anything else reaches the database as text
        if datamodel.is_float(column) or datamodel.is_numeric(column):
            return _DECIMAL.fullmatch(value) is not None
        return True
    if name.startswith("_oc_"):
        return value in (getattr(view, "order_columns", None) or ())
    return True


def check_list_arguments():
    """Before a Flask-AppBuilder page reads its query string: arguments it cannot read are
    dropped (the page's default applies), and an id in the path that no row can have is 404."""
    from flask import abort, current_app, request
    from flask_appbuilder import ModelView
    from werkzeug.datastructures import ImmutableMultiDict

    for key, value in (request.view_args or {}).items():
        if (key == "pk" or key.endswith("_id")) and lenient_id(value) is None:
            abort(404)
    views = app_views(current_app)
    endpoint, _, method = (request.endpoint or "").partition(".")
    view = views.get(endpoint)
    if method == "action_post" and request.form.get("action") not in (getattr(view, "actions", None) or {}):
        # FAB reads the action by name before it checks anything: an unknown one was a 500.
        abort(400, description="That list action does not exist on this page: choose one from its Actions menu.")
    if not isinstance(view, ModelView) or not request.args:
        return
    kept = [(name, value) for name, value in request.args.items(multi=True)
            if _list_argument_kept(view, name, value)]
    if len(kept) != len(list(request.args.items(multi=True))):
        request.args = ImmutableMultiDict(kept)


def app_views(app) -> dict:
    """The app's views by endpoint name (Flask-AppBuilder's and ours)."""
    views = app.extensions.setdefault("caseapp_views", {})
    if not views:
        views.update({view.endpoint: view for view in app.appbuilder.baseviews})
    return views


def needed_permission(app, endpoint: str | None):
    """The permission (caseapp.core.domain.Permission) the page at `endpoint` asks for, when it is
    one of the matrix's (a view's `class_permission_name` and `method_permission_name`)."""
    if not endpoint or "." not in endpoint:
        return None
    view_name, _, method = endpoint.partition(".")
    view = app_views(app).get(view_name)
    if view is None:
        return None
    resource = getattr(view, "class_permission_name", None) or view_name
    action = (getattr(view, "method_permission_name", None) or {}).get(method) or method
    return app.extensions["caseapp_access"].permission_for(resource, action.removeprefix("can_"))


def forbidden(error):
    """A signed-in person opened a page their roles do not allow: say which permission it needs,
    who holds it, and where to go (a script asking for JSON gets the same words as JSON)."""
    from flask import current_app, jsonify, render_template, request
    from flask_babel import gettext

    from caseapp.core.security import role_words

    permission = needed_permission(current_app, request.endpoint)
    if permission is None:
        needs = gettext("This page is not open to your roles.")
    else:
        roles = ", ".join(sorted(role_words(role) for role in permission.roles))
        needs = gettext("This needs the permission “%(what)s”, which these roles hold: %(roles)s.",
                        what=gettext(permission.description), roles=roles)
    advice = gettext("If your work needs it, ask an admin to give you one of these roles.")
    if wants_json():
        return jsonify({"error": f"{needs} {advice}"}), 403
    return render_template("caseapp/forbidden.html", needs=needs, advice=advice,
                           base_template=current_app.appbuilder.base_template,
                           appbuilder=current_app.appbuilder), 403


def register_guards(app) -> None:
    """What every request and response goes through: FAB list arguments checked, security
    headers, throttle messages, a refused page said in words."""
    app.before_request(check_list_arguments)
    app.after_request(security_headers)
    app.register_error_handler(429, too_many_requests)
    app.register_error_handler(403, forbidden)
