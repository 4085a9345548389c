"""caseapp: the back office of an image-copyright enforcement firm."""
from __future__ import annotations

import logging

from flask import Flask
from flask_appbuilder import AppBuilder

from caseapp.config import build_config
from caseapp.extensions import Database

# Each domain registers its views; order is the menu's order.
DOMAINS = ("caseapp.cases", "caseapp.hits", "caseapp.rightsholders", "caseapp.infringers", "caseapp.core")


def create_app(config: dict | None = None) -> Flask:
    """config -> db -> appbuilder -> each domain registers its views."""
    app = Flask(__name__, instance_path=None)
    app.config.update(build_config(config))
    _template_loader(app)
    logging.getLogger("flask_appbuilder").setLevel(logging.WARNING)

    import caseapp.models  # noqa: F401  (complete metadata before anything maps)
    from caseapp.feasibility.rules import load as load_country_rules

    load_country_rules()  # a broken jurisdictions/ file stops the app here, saying which and why

    from flask_wtf.csrf import CSRFProtect

    CSRFProtect(app)  # every form post carries a token
    db = Database(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        appbuilder = AppBuilder(base_template="caseapp/base.html")
        appbuilder.init_app(app, db.session)
        from importlib import import_module

        for domain in DOMAINS:
            import_module(f"{domain}.views").register(appbuilder)
    from caseapp.core.formatting import register_filters

    register_filters(app)
    return app


def _template_loader(app: Flask) -> None:
    """App templates first, then each domain's own templates/ folder."""
    from pathlib import Path

    from jinja2 import ChoiceLoader, FileSystemLoader

    root = Path(__file__).parent
    folders = [root / "templates"] + [root / d.split(".")[-1] / "templates" for d in DOMAINS]
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(f)) for f in folders if f.is_dir()])
