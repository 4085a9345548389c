"""caseapp: the back office of an image-copyright enforcement firm."""
from __future__ import annotations

import logging

from flask import Flask
from flask_appbuilder import AppBuilder

from caseapp.config import build_config
from caseapp.extensions import Database


def create_app(config: dict | None = None) -> Flask:
    """config -> db -> appbuilder -> each domain registers its views."""
    app = Flask(__name__, instance_path=None)
    app.config.update(build_config(config))
    _template_loader(app)
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)

    from caseapp import domains

    domains.import_models()   # complete metadata before anything maps
    app.extensions["caseapp_access"] = domains.access_matrix()
    app.extensions["caseapp_audit_words"] = domains.audit_catalogue()
    # Flask-AppBuilder puts its own catalogue first; each of ours is merged over it.
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(domains.translation_folders())
    domains.run_startups()   # e.g. a broken jurisdictions/ file stops the app here, saying which and why

    from flask_wtf.csrf import CSRFProtect

    CSRFProtect(app)  # every form post carries a token
    db = Database(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder(base_template="caseapp/base.html")
        appbuilder.init_app(app, db.session)
        domains.register_views(app, appbuilder)
    from caseapp.core import locale
    from caseapp.core.formatting import register_filters
    from caseapp.core.web import register_guards

    locale.install(app)   # the person's language and time zone, not Flask-AppBuilder's session value
    register_filters(app)
    register_guards(app)
    from caseapp.core import health, logs

    health.register(app)   # GET /health, open to anyone (nothing secret in it)
    logs.install(app)      # a request id and a log line a request (JSON with CASEAPP_LOG_FORMAT=json)
    _behind_proxies(app)
    return app


def _behind_proxies(app: Flask) -> None:
    """CASEAPP_PROXY_HOPS=N (N reverse proxies in front, e.g. 1 for nginx): the client's address,
    scheme and host are read from the X-Forwarded-* headers the nearest N proxies set (the login
    throttle counts per client address, not per proxy). 0, the default: the headers are ignored."""
    hops = int(app.config.get("CASEAPP_PROXY_HOPS", 0))
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _template_loader(app: Flask) -> None:
    """App templates first, then each domain's own templates/ folder."""
    from pathlib import Path

    from jinja2 import ChoiceLoader, FileSystemLoader

    from caseapp.domains import template_folders

    folders = [str(Path(__file__).parent / "templates"), *template_folders()]
    app.jinja_loader = ChoiceLoader([FileSystemLoader(f) for f in folders])
