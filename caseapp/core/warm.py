"""Work a web worker does as it starts rather than in its first requests (caseapp.wsgi)."""
import logging

log = logging.getLogger(__name__)


def compile_templates(app) -> int:
    """Load (and so compile) every template of caseapp's own folders into the app's template
    cache; returns how many. A template that does not compile is logged and left to fail where
    it is used, as it would have."""
    environment = app.jinja_env
    compiled = 0
    for name in environment.list_templates(filter_func=lambda name: not name.startswith("appbuilder/")):
        try:
            environment.get_template(name)
            compiled += 1
        except Exception:  # noqa: BLE001
            log.exception("template %s does not compile", name)
    return compiled


def warm(app) -> None:
    """What a web worker does as it starts: compile the templates, then each domain's warm-up
    (`Domain.warm`: e.g. the dashboards computed in a thread). A warm-up that fails is logged:
    the worker serves pages all the same, its first views doing that work."""
    from caseapp.domains import run_warm_ups

    compile_templates(app)
    try:
        run_warm_ups(app)
    except Exception:  # noqa: BLE001
        log.exception("warming up the web worker failed")
