"""Letters on the case page: the list (preview, sent when and how, the file), and a form to
pick a kind and a language, preview, issue and send. Thin: parse, call a service, render."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext, lazy_gettext

from caseapp.core.clock import today
from caseapp.core.errors import NotFound
from caseapp.core.views import file_store
from caseapp.core.web import attempt, can, current_actor, run_action
from caseapp.extensions import get_session
from caseapp.letters import LETTER, services
from caseapp.letters.render import LANGUAGES

# The kinds of letter in the reader's words (the form, the list); the letters themselves speak the
# recipient's language through their own templates, never these.
KIND_LABELS = {"offer": lazy_gettext("Offer (post-licensing)"), "reminder": lazy_gettext("Reminder"),
               "final_demand": lazy_gettext("Final demand"),
               "settlement_confirmation": lazy_gettext("Settlement confirmation"),
               "instalment_agreement": lazy_gettext("Instalment agreement"),
               "payment_receipt": lazy_gettext("Payment receipt"), "case_closed": lazy_gettext("Case closed"),
               "status_update": lazy_gettext("Status update (to the client)"),
               "warning_letter": lazy_gettext("Lawyer's warning letter")}


def _form_inputs(form) -> dict:
    keys = ("amount", "instalments", "first_due", "paid", "costs")
    return {k: form.get(k).strip() for k in keys if (form.get(k) or "").strip()}


def _case(session, ref: str):
    from caseapp.cases.services import load_case_file

    return load_case_file(session, ref)


class LetterView(BaseView):
    route_base = "/cases"
    class_permission_name = LETTER
    method_permission_name = {"preview": "read", "file": "read", "image": "read", "issue": "write", "send": "write"}

    @expose("/<ref>/letters/preview", methods=["POST"])
    @has_access
    def preview(self, ref: str):
        """The letter as it would go out (PDF), nothing recorded."""
        form = request.form
        ok, result = attempt(lambda session: services.render_letter(
            session, file_store(), _case(session, ref), form.get("kind", ""), language=form.get("language") or None,
            today=today(), inputs=_form_inputs(form)))
        if not ok:
            flash(result, "danger")
            return redirect(url_for("CaseView.show", ref=ref) + "#letters")
        return Response(result.data, mimetype=result.media_type,
                        headers={"Content-Disposition": f'inline; filename="{result.filename}"'})

    @expose("/<ref>/letters", methods=["POST"])
    @has_access
    def issue(self, ref: str):
        form = request.form
        channel = form.get("channel") or None

        def action(session):
            return services.issue_letter(session, current_actor(), _case(session, ref), form.get("kind", ""),
                                         today=today(), language=form.get("language") or None, channel=channel,
                                         inputs=_form_inputs(form), store=file_store())

        def done(letter) -> str:
            kind = KIND_LABELS.get(letter.kind, letter.kind)
            said = (gettext("%(kind)s in %(language)s sent by %(channel)s.", kind=kind, language=letter.language,
                            channel=channel_label(letter.channel)) if letter.channel else
                    gettext("%(kind)s in %(language)s issued as a draft: check it, then send it.", kind=kind,
                            language=letter.language))
            return said + (f" {letter.language_note}" if letter.language_note else "")

        run_action(action, done)
        return redirect(url_for("CaseView.show", ref=ref) + "#letters")

    @expose("/<ref>/letters/<int:letter_id>/send", methods=["POST"])
    @has_access
    def send(self, ref: str, letter_id: int):
        channel = request.form.get("channel", "")

        def action(session):
            case = _case(session, ref)
            return services.send_letter(session, current_actor(), services.get_letter(session, letter_id, case.id),
                                        channel=channel, today=today(), store=file_store(), case=case)

        run_action(action, lambda letter: gettext("Letter sent by %(channel)s to %(to)s.",
                                                  channel=channel_label(letter.channel), to=letter.sent_to))
        return redirect(url_for("CaseView.show", ref=ref) + "#letters")

    def _stored(self, ref: str, letter_id: int, which: str):
        session = get_session()
        try:
            case = _case(session, ref)
            letter = services.get_letter(session, letter_id, case.id)
        except NotFound:
            abort(404)
        sha = letter.file_sha256 if which == "file" else letter.preview_sha256
        store = file_store()
        if not sha or not store.exists(sha):
            abort(404)
        media = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument."
                 "wordprocessingml.document"}[letter.format] if which == "file" else "image/png"
        response = Response(store.read(sha), mimetype=media)
        if which == "file":
            response.headers["Content-Disposition"] = f'inline; filename="{letter.filename}"'
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return response

    @expose("/<ref>/letters/<int:letter_id>/file")
    @has_access
    def file(self, ref: str, letter_id: int):
        return self._stored(ref, letter_id, "file")

    @expose("/<ref>/letters/<int:letter_id>/page1.png")
    @has_access
    def image(self, ref: str, letter_id: int):
        return self._stored(ref, letter_id, "preview")


CHANNEL_LABELS = {"email": lazy_gettext("email"), "post": lazy_gettext("post")}


def channel_label(channel: str | None) -> str:
    """How a letter went, in the reader's words ("email", "post"); an unknown channel as it is."""
    return str(CHANNEL_LABELS.get(channel, channel or ""))


def case_letters(case) -> dict:
    """What the case page's letters section shows (a Jinja global: the case page includes the
    section without the cases domain knowing letters)."""
    if not can("read", LETTER):
        return {"visible": False}
    return {"visible": True, "letters": services.letters_of(get_session(), case.id), "can_write": can("write", LETTER),
            "kinds": KIND_LABELS, "languages": LANGUAGES}


def register(app, appbuilder) -> None:
    app.jinja_env.globals["case_letters"] = case_letters
    app.jinja_env.filters["letter_kind"] = lambda k: KIND_LABELS.get(k, k)
    app.jinja_env.filters["letter_channel"] = channel_label
    appbuilder.add_view_no_menu(LetterView)
