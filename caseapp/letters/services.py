"""Letter use cases: render a letter, issue it (render, store, record), send it (email over
SMTP or post). Plain functions taking a session; no Flask. The escalation calls
`issue_letter(...)` then `send_letter(...)`."""
from __future__ import annotations

from flask_babel import gettext

import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from caseapp.core import audit
from caseapp.core.audit import Actor
from caseapp.core.errors import InvalidInput, NotFound
from caseapp.core.models import utcnow
from caseapp.letters import context as contexts
from caseapp.letters.models import CLIENT, DRAFT, EMAIL, KINDS, POST, SENT, Letter

FORMATS = ("pdf", "docx", "html")


@dataclass(frozen=True)
class Rendered:
    data: bytes
    filename: str
    context: dict[str, Any]          # the snapshot (JSON-ready)
    language: str = "en"
    language_note: str | None = None
    media_type: str = "application/pdf"


def default_settings() -> Mapping:
    """The app's settings inside the app, else the environment's (commands, jobs)."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config
    from caseapp.config import letter_settings

    return letter_settings()


def choose_language(case, kind: str, language: str | None = None, fmt: str = "pdf") -> tuple[str, str | None]:
    """(language, note): the handler's choice, else the client's language for a status update,
    else the recipient's country's letter language; English, said in the note, where that
    language has no template. A language asked for by name and missing is refused."""
    from caseapp.core.i18n import language_code
    from caseapp.feasibility.rules import jurisdiction
    from caseapp.letters.render import has_template, languages_with

    ext = "docx" if fmt == "docx" else "html"
    if language:
        language = language_code(language)
        if not has_template(kind, language, fmt):
            have = ", ".join(languages_with(kind, fmt)) or "none"
            raise InvalidInput(f"There is no {kind} letter in {language} ({ext}): templates/letters/{kind}/"
                               f"{language}.{ext} is missing; languages with one: {have}.")
        return language, None
    if kind in contexts.TO_CLIENT:
        wanted, why = (case.client.language or "en")[:2], "the client's language"
    else:
        rules = jurisdiction(case.party.country) if case.party.country else None
        wanted = rules.letter_language if rules else "en"
        why = f"the letter language of {case.party.country}"
    if has_template(kind, wanted, fmt):
        return wanted, None
    if has_template(kind, "en", fmt):
        return "en", f"No {kind} template in {wanted} ({why}): written in English."
    raise InvalidInput(f"There is no {kind} letter template ({ext}) in {wanted} or English.")


def render_letter(session: Session, store, case, kind: str, *, language: str | None = None, fmt: str = "pdf",
                  today: date, inputs: Mapping | None = None, settings: Mapping | None = None) -> Rendered:
    """The letter as bytes (PDF, DOCX, or the HTML a preview shows) with its context snapshot."""
    from caseapp.letters import render

    if kind not in KINDS:
        raise InvalidInput(f"Kind: {str(kind)[:40]!r} is not a letter kind; use one of {', '.join(KINDS)}.")
    if fmt not in FORMATS:
        raise InvalidInput(f"Format: {str(fmt)[:20]!r} is not one of pdf, docx.")
    chosen, note = choose_language(case, kind, language, "docx" if fmt == "docx" else "pdf")
    variables = contexts.build(session, case, kind, chosen, today=today, settings=settings or default_settings(),
                               inputs=inputs)
    name = f"{case.ref}-{kind}-{chosen}-{today.isoformat()}"
    if fmt == "docx":
        data = render.render_docx(kind, chosen, variables)
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        html = render.render_html(kind, chosen, variables)
        if fmt == "html":
            data, media = html.encode(), "text/html"
        else:
            data, media = render.html_to_pdf(html, store), "application/pdf"
    return Rendered(data, f"{name}.{fmt}", contexts.snapshot(variables), chosen, note, media)


def issue_letter(session: Session, actor: Actor, case, kind: str, *, today: date, language: str | None = None,
                 channel: str | None = None, inputs: Mapping | None = None, store, fmt: str = "pdf",
                 settings: Mapping | None = None, smtp: Mapping | None = None) -> Letter:
    """Render the letter, store its file (and a page-1 preview), record it on the case (draft);
    with a `channel`, send it at once."""
    from caseapp.letters import render

    if fmt not in ("pdf", "docx"):
        raise InvalidInput("Format: a letter is issued as pdf or docx.")
    if channel is not None and channel not in (EMAIL, POST):
        raise InvalidInput(f"Channel: {str(channel)[:20]!r} is not email or post.")
    rendered = render_letter(session, store, case, kind, language=language, fmt=fmt, today=today, inputs=inputs,
                             settings=settings)
    sha = store.put(rendered.data)
    preview = render.first_page_png(rendered.data) if fmt == "pdf" else None
    letter = Letter(case_id=case.id, kind=kind, language=rendered.language, format=fmt, file_sha256=sha,
                    filename=rendered.filename, preview_sha256=store.put(preview) if preview else None,
                    recipient=contexts.addressee_of(kind), deadline_on=_day(rendered.context["letter"]["deadline"]),
                    status=DRAFT, created_by=actor.name, language_note=rendered.language_note,
                    context=rendered.context)
    session.add(letter)
    session.flush()
    audit.record(session, actor, "letter.issued", "letter", letter.id, case_id=case.id, to_state=DRAFT,
                 details={"kind": kind, "language": letter.language, "format": fmt, "file": sha,
                          "deadline": rendered.context["letter"]["deadline"], "note": rendered.language_note})
    if channel is not None:
        send_letter(session, actor, letter, channel=channel, today=today, smtp=smtp or settings or default_settings(),
                    store=store, case=case)
    return letter


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def send_letter(session: Session, actor: Actor, letter: Letter, *, channel: str, today: date,
                smtp: Mapping | None = None, store=None, case=None, to: str | None = None) -> Letter:
    """Email the letter (its PDF attached) over SMTP, or mark it posted today. A letter is sent once."""
    if letter.status == SENT:
        raise InvalidInput(f"Letter {letter.id} was already sent ({letter.channel}, {letter.sent_on}).")
    if channel not in (EMAIL, POST):
        raise InvalidInput(f"Channel: {str(channel)[:20]!r} is not email or post.")
    case = case or _case_of(session, letter)
    if channel == EMAIL:
        smtp = smtp or default_settings()
        if not smtp.get("CASEAPP_SMTP_HOST"):
            raise InvalidInput(gettext("Email is not set up (CASEAPP_SMTP_HOST is empty): send the letter by post, "
                                       "or ask an administrator to configure the mail server."))
        address = to or (case.client.email if letter.recipient == CLIENT else case.party.email)
        if not address or "@" not in address:
            raise InvalidInput(gettext("Email: the client has no email address on file; send the letter by post.")
                               if letter.recipient == CLIENT else
                               gettext("Email: the recipient has no email address on file; send the letter by post."))
        if store is None:
            raise InvalidInput("The file store is needed to attach the letter.")
        _email(smtp, address, letter, store.read(letter.file_sha256), case.ref)
        sent_to = address
    else:
        party = case.client if letter.recipient == CLIENT else case.party
        sent_to = ", ".join(x for x in (getattr(party, "street", None),
                                        " ".join(p for p in (getattr(party, "postal_code", None) or
                                                             getattr(party, "postcode", None), party.city) if p),
                                        party.country) if x)[:300]
    letter.status, letter.channel, letter.sent_at, letter.sent_on, letter.sent_to = SENT, channel, utcnow(), today, sent_to
    session.flush()
    audit.record(session, actor, "letter.sent", "letter", letter.id, case_id=letter.case_id, from_state=DRAFT,
                 to_state=SENT, details={"kind": letter.kind, "channel": channel, "to": sent_to,
                                         "on": today.isoformat()})
    return letter


def _email(smtp: Mapping, address: str, letter: Letter, data: bytes, ref: str) -> None:
    sender = smtp.get("CASEAPP_SMTP_FROM") or smtp.get("CASEAPP_FIRM_EMAIL")
    message = EmailMessage()
    message["From"], message["To"] = sender, address
    message["Subject"] = f"{ref}: {letter.kind.replace('_', ' ')}"
    message.set_content(f"Please find our letter {ref} attached.\n\n{smtp.get('CASEAPP_FIRM_NAME', '')}")
    maintype, subtype = ("application", "pdf") if letter.format == "pdf" else \
        ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=letter.filename)
    host, port = smtp["CASEAPP_SMTP_HOST"], int(smtp.get("CASEAPP_SMTP_PORT") or 587)
    security = (smtp.get("CASEAPP_SMTP_SECURITY") or "starttls").lower()
    try:
        server = smtplib.SMTP_SSL(host, port, timeout=30) if security == "ssl" else smtplib.SMTP(host, port, timeout=30)
        with server:
            if security == "starttls":
                server.starttls()
            if smtp.get("CASEAPP_SMTP_USER"):
                server.login(smtp["CASEAPP_SMTP_USER"], smtp.get("CASEAPP_SMTP_PASSWORD") or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise InvalidInput(f"The mail server {host}:{port} did not take the letter: {error}") from None


def _case_of(session: Session, letter: Letter):
    from caseapp.cases.services import load_case_file, refs_by_id

    ref = refs_by_id(session, [letter.case_id]).get(letter.case_id)
    if ref is None:
        raise NotFound(f"Letter {letter.id}'s case is gone.")
    return load_case_file(session, ref)


def letters_of(session: Session, case_id: int) -> list[Letter]:
    return list(session.scalars(select(Letter).where(Letter.case_id == case_id)
                                .order_by(Letter.created_at.desc(), Letter.id.desc())))


def get_letter(session: Session, letter_id: int, case_id: int | None = None) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None or (case_id is not None and letter.case_id != case_id):
        raise NotFound(f"There is no letter {letter_id} on this case.")
    return letter


def latest_issued(session: Session, case_ids, kind: str) -> dict:
    """When each case's latest letter of `kind` was issued (cases without one are left out)."""
    from sqlalchemy import func

    ids = sorted(set(case_ids))
    if not ids:
        return {}
    return dict(session.execute(select(Letter.case_id, func.max(Letter.created_at))
                                .where(Letter.case_id.in_(ids), Letter.kind == kind).group_by(Letter.case_id)).all())
