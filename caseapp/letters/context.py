"""The letter context: exactly the variables of the contract (docs/letters/README.md), built
from a case through the other domains' services and objects the case already holds (its client,
party and items). Settlement kinds take the case's recorded settlement (settlements.letter_terms:
amount, covers, instalment plan, money received); `inputs` override it, and without a recorded
settlement they are required (refused naming what is missing)."""
from __future__ import annotations

from flask_babel import gettext

from datetime import date
from types import SimpleNamespace as NS
from typing import Any, Mapping

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money
from caseapp.deadlines import services as deadlines
from caseapp.letters import wording
from caseapp.letters.models import CLIENT, KINDS, RECIPIENT

TO_CLIENT = ("status_update",)
CLAIM_KINDS = ("offer", "reminder", "final_demand", "warning_letter")
SETTLEMENT_KINDS = ("settlement_confirmation", "instalment_agreement", "payment_receipt")
SEPA_OUTSIDE_EU = ("IS", "LI", "NO", "CH", "GB", "MC", "SM", "AD", "VA")


def addressee_of(kind: str) -> str:
    return CLIENT if kind in TO_CLIENT else RECIPIENT


def country_name(code: str | None, language: str) -> str | None:
    from babel import Locale

    if not code or code == "ZZ":
        return None
    try:
        return Locale.parse(language).territories.get(code.upper(), code)
    except Exception:
        return code


def _lines(street, postcode, city, country, language, *, home: str | None) -> list[str]:
    lines = [x for x in (street, " ".join(p for p in (postcode, city) if p)) if x]
    return lines


def _money_input(inputs: Mapping, key: str, currency: str, what: str, *, required: bool) -> Money | None:
    value = inputs.get(key)
    if value in (None, ""):
        if required:
            raise InvalidInput(what)
        return None
    if isinstance(value, Money):
        return value
    try:
        return Money.parse(str(value), currency)
    except InvalidInput as error:
        raise InvalidInput(f"{key}: {error}") from None


def _date_input(inputs: Mapping, key: str) -> date | None:
    from caseapp.core.formatting import iso_day

    value = inputs.get(key)
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else iso_day(str(value))


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    import calendar

    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))




def epc_qr(*, name: str, iban: str, bic: str | None, amount: Money, reference: str) -> str | None:
    """An EPC QR code (SEPA credit transfer) as a PNG data URI, or None if segno refuses the data."""
    import segno
    from segno import helpers

    try:
        qr = helpers.make_epc_qr(name=name[:70], iban=iban, amount=amount.to_decimal(), text=reference[:140],
                                 bic=bic or None)
    except (ValueError, segno.DataOverflowError):
        return None
    return qr.png_data_uri(scale=4, border=2)


def build(session, case, kind: str, language: str, *, today: date, settings: Mapping, inputs: Mapping | None = None,
          ) -> dict[str, Any]:
    """The variables for `kind` in `language` on `case` (InvalidInput naming what is missing)."""
    from caseapp.feasibility.rules import jurisdiction

    if kind not in KINDS:
        raise InvalidInput(f"Kind: {kind!r} is not a letter kind; use one of {', '.join(KINDS)}.")
    inputs = dict(inputs or {})
    client, party, currency = case.client, case.party, case.currency
    to_recipient = addressee_of(kind) == RECIPIENT
    rules = jurisdiction(party.country) if party.country else None

    # --- who -------------------------------------------------------------------------------
    if to_recipient and not party.has_postal_address:
        raise InvalidInput(gettext("Recipient: %(name)s has no postal address (street, city and country are needed "
                                   "for a %(kind)s letter); add it to the party first.", name=party.name, kind=kind))
    if to_recipient and not client.mandate_sha256:
        raise InvalidInput(gettext("Mandate: %(name)s has no signed mandate on file; a letter to the recipient "
                                   "names it.", name=client.name))
    if not to_recipient and not (client.street and client.city):
        raise InvalidInput(gettext("Client: %(name)s has no postal address (street and city) for a %(kind)s letter.",
                                   name=client.name, kind=kind))
    s = settings
    firm = NS(name=s["CASEAPP_FIRM_NAME"], address_lines=[x for x in s["CASEAPP_FIRM_ADDRESS"].split("|") if x],
              email=s["CASEAPP_FIRM_EMAIL"], phone=s["CASEAPP_FIRM_PHONE"] or None,
              website=s["CASEAPP_FIRM_WEBSITE"] or None, register=s["CASEAPP_FIRM_REGISTER"] or None,
              vat_id=s["CASEAPP_FIRM_VAT_ID"] or None, signatory=s["CASEAPP_FIRM_SIGNATORY"],
              lawyer=NS(name=s["CASEAPP_FIRM_LAWYER_NAME"],
                        address_lines=[x for x in s["CASEAPP_FIRM_LAWYER_ADDRESS"].split("|") if x])
              if s.get("CASEAPP_FIRM_LAWYER_NAME") else None)
    client_ns = NS(name=client.name, legal_form=client.legal_form,
                   address_lines=_lines(client.street, client.postcode, client.city, client.country, language,
                                        home=None),
                   country_name=country_name(client.country, language))
    mandate = NS(signed_on=client.mandate_signed_on)
    recipient = NS(name=party.name, address_lines=_lines(party.street, party.postal_code, party.city, party.country,
                                                         language, home=None),
                   country_name=country_name(party.country, language),
                   private={"person": True}.get(party.kind, False) if party.kind else None)

    # --- what ------------------------------------------------------------------------------
    from caseapp.hits.services import sighting_thumbnails

    thumbs = sighting_thumbnails(session, [item.page_url for item in case.items])
    items = []
    for item in case.items:
        work = item.work
        copy = thumbs.get((item.page_url, item.image_url)) if item.image_url else None
        copy = copy or next((sha for (page, _), sha in thumbs.items() if page == item.page_url), None)
        items.append(NS(title=work.title, page_url=item.page_url, image_url=item.image_url,
                        found_on=item.found_at.date() if item.found_at else None,
                        last_seen_on=item.last_seen_at.date() if item.last_seen_at else None,
                        work_thumbnail=f"/files/{work.thumbnail_sha256}",
                        copy_thumbnail=f"/files/{copy}" if copy else None,
                        published=NS(url=work.first_published_url, on=work.first_published_on)
                        if work.first_published_url else None))
    if to_recipient and not items:
        raise InvalidInput(f"Items: case {case.ref} names no image use; a letter to the recipient lists them.")

    lines = [NS(label=line["label"], amount=Money.parse(line["amount"], currency), basis=line.get("basis") or "",
                cost=bool(line.get("cost")) or "cost" in line["label"].lower())
             for line in (case.claim_lines or [])]
    if not lines and case.claimed_minor:
        lines = [NS(label="Licence fee", amount=case.claimed, basis="", cost=False)]
    costs_in = _money_input(inputs, "costs", currency, "", required=False)
    if kind == "warning_letter" and costs_in is None and recipient.private and rules is not None \
            and rules.section("private_recipients").get("capped_costs"):
        costs_in = rules.money("private_recipients", "capped_costs")
    if costs_in:
        label = {"de": "Rechtsanwaltskosten (Aufwendungsersatz)"}.get(language, "Lawyer's fees (costs)")
        lines.append(NS(label=label, amount=costs_in, basis="RVG" if language == "de" else "", cost=True))
    damages = Money.sum((l.amount for l in lines if not l.cost), currency)
    costs = Money.sum((l.amount for l in lines if l.cost), currency)
    claim = NS(lines=[NS(label=l.label, amount=l.amount, basis=l.basis) for l in lines], total=damages + costs,
               damages=damages, costs=costs)
    if kind in CLAIM_KINDS and not claim.total:
        raise InvalidInput(f"Amount: case {case.ref} has no claimed amount; set the claim before a {kind} letter.")

    # --- when ------------------------------------------------------------------------------
    deadline = _date_input(inputs, "deadline")
    days = None
    settlement = None
    recorded = None
    if kind in SETTLEMENT_KINDS:
        from caseapp.settlements import services as settlements

        recorded = settlements.letter_terms(session, case)
        if recorded is not None:   # the recorded settlement; what the caller gives overrides it
            plan_given = any(inputs.get(k) not in (None, "") for k in ("amount", "instalments", "first_due"))
            inputs = {**{k: v for k, v in recorded.items() if v is not None}, **{k: v for k, v in inputs.items()
                                                                               if v not in (None, "")}}
            if plan_given or not recorded["plan"]:
                recorded = None
        amount = _money_input(inputs, "amount", currency, f"Amount: a {kind} letter needs the agreed amount "
                              "(--amount / amount).", required=True)
        count = int(inputs.get("instalments") or 1)
        if not 1 <= count <= 60:
            raise InvalidInput(gettext("Instalments: give a whole number from 1 to 60."))
        first_due = _date_input(inputs, "first_due")
        if kind == "instalment_agreement" and (count < 2 or first_due is None):
            raise InvalidInput("Instalments: an instalment_agreement needs at least 2 instalments and the first "
                               "due date (--instalments, --first-due).")
        first_due = first_due or deadline or deadlines.letter_deadline(
            party.country, kind="offer", start=today, subdivision=party.subdivision).due_on
        shares = amount.allocate([1] * count)
        # Each instalment on the same day of the following months, moved past weekends and holidays.
        instalments = recorded["plan"] if recorded is not None else \
            [NS(number=i + 1, amount=share, due_on=deadlines.next_working_day(
                party.country, add_months(first_due, i), subdivision=party.subdivision))
             for i, share in enumerate(shares)]
        paid = _money_input(inputs, "paid", currency, "Paid: a payment_receipt needs the amount received "
                            "(--paid).", required=kind == "payment_receipt")
        settlement = NS(amount=amount, covers=inputs.get("covers") or wording.words(wording.SETTLEMENT_COVERS, language),
                        instalments=instalments, paid=paid, paid_on=_date_input(inputs, "paid_on") or (today if paid else None),
                        outstanding=(amount - paid) if paid is not None and paid <= amount else
                        (Money.zero(currency) if paid is not None else None))
        if kind != "payment_receipt" and not (deadline is None and first_due < today):
            deadline = deadline or first_due   # (a recorded plan's first date may have passed)
    elif kind in CLAIM_KINDS:
        days = int(inputs["days"]) if inputs.get("days") else deadlines.letter_days(party.country, kind)
        deadline = deadline or deadlines.letter_deadline(party.country, kind=kind, start=today, days=days,
                                                         subdivision=party.subdivision).due_on
    if deadline is not None and days is None and kind not in SETTLEMENT_KINDS:
        days = (deadline - today).days
    if deadline is not None and deadline < today:
        raise InvalidInput(f"Deadline: {deadline.isoformat()} is before the letter's date {today.isoformat()}.")

    # --- pay -------------------------------------------------------------------------------
    if settlement is not None:
        pay = settlement.outstanding if kind == "payment_receipt" else \
            (settlement.instalments[0].amount if kind == "instalment_agreement" else settlement.amount)
    else:
        pay = claim.total
    holder = s.get("CASEAPP_FIRM_ACCOUNT_HOLDER") or firm.name
    sepa = currency == "EUR" and rules is not None and (rules.eu or party.country in SEPA_OUTSIDE_EU)
    qr = epc_qr(name=holder, iban=s["CASEAPP_FIRM_IBAN"], bic=s.get("CASEAPP_FIRM_BIC"), amount=pay,
                reference=case.ref) if sepa and pay and to_recipient else None
    payment = NS(amount=pay, holder=holder, iban=_iban_text(s["CASEAPP_FIRM_IBAN"]), bic=s.get("CASEAPP_FIRM_BIC") or None,
                 reference=case.ref, qr=qr)

    closure = NS(reason=inputs.get("reason") or wording.words(wording.CLOSURE, language).get(case.closure_reason or "")) \
        if kind == "case_closed" else None
    status = None
    if kind == "status_update":
        from flask_babel import force_locale

        from caseapp.cases.lifecycle import STAGE_LABELS

        with force_locale("en"):   # as before: the letter does not speak the user's interface language
            stage = str(STAGE_LABELS.get(case.stage, case.stage))
        status = NS(stage=inputs.get("stage") or stage,
                    happened=inputs.get("happened") or "", next_step=inputs.get("next_step") or case.next_step or "",
                    next_due_on=case.next_due_on,
                    collected=_money_input(inputs, "collected", currency, "", required=False))
    undertaking = None
    if kind == "warning_letter":
        titles = ", ".join(f"„{i.title}“" if language == "de" else f"“{i.title}”" for i in items)
        undertaking = NS(demanded=inputs.get("demanded") or wording.words(wording.UNDERTAKING, language).format(titles=titles),
                         beyond=bool(inputs.get("beyond", False)),
                         penalty=_money_input(inputs, "penalty", currency, "", required=False))
    g = wording.words(wording.GDPR, language)
    gdpr = NS(controller=firm.name, source=g["source"].format(site=party.site) if party.site else g["source_unknown"],
              purpose=g["purpose"], legal_basis=g["legal_basis"], retention=g["retention"], rights=g["rights"],
              contact=s.get("CASEAPP_FIRM_PRIVACY_EMAIL") or firm.email)

    letter = NS(kind=kind, language=language, date=today, reference=case.ref, deadline=deadline, deadline_days=days)
    return {"letter": letter, "firm": firm, "client": client_ns, "mandate": mandate, "recipient": recipient,
            "items": items, "claim": claim, "payment": payment, "settlement": settlement, "closure": closure,
            "status": status, "undertaking": undertaking, "gdpr": gdpr}


def _iban_text(iban: str) -> str:
    compact = (iban or "").replace(" ", "")
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def snapshot(value):
    """The variables as JSON (amounts as text "1234.50 EUR", dates ISO), kept with the letter."""
    if isinstance(value, Money):
        return f"{value.amount_text()} {value.currency}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, NS):
        return {k: snapshot(v) for k, v in vars(value).items() if k != "qr"}
    if isinstance(value, dict):
        return {k: snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [snapshot(v) for v in value]
    return value
