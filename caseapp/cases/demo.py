"""Demo cases: a believable firm's book, spread over the lifecycle, each with its items,
its claim priced by the country's rules, its value to the queue and its timeline."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from caseapp.cases import lifecycle
from caseapp.cases.models import Case, CaseItem
from caseapp.cases.services import IN_COURT_STAGES
from caseapp.clients import services as clients
from caseapp.core.audit import Actor, AuditEvent
from caseapp.core.demo import Demo, set_sequence
from caseapp.core.money import Money
from caseapp.core.sequences import reserve_values
from caseapp.feasibility import services as feasibility

# How a book of cases spreads over the lifecycle (weights).
STAGE_WEIGHTS = {
    lifecycle.NEW: 8, lifecycle.CHECKING: 6, lifecycle.READY: 4, lifecycle.OFFER_SENT: 12,
    lifecycle.REMINDER_SENT: 8, lifecycle.FINAL_DEMAND: 5, lifecycle.COLLECTION: 4,
    lifecycle.LEGAL: 3, lifecycle.COURT: 2, lifecycle.ENFORCEMENT: 1, lifecycle.SETTLED: 4,
    lifecycle.PAID: 3, lifecycle.ON_HOLD: 2, lifecycle.CLOSED: 18,
}
# A believable path from new to each stage, for the demo timelines.
PATHS = {
    lifecycle.NEW: [],
    lifecycle.CHECKING: [lifecycle.CHECKING],
    lifecycle.READY: [lifecycle.CHECKING, lifecycle.READY],
}
_ladder = [lifecycle.CHECKING, lifecycle.READY, lifecycle.OFFER_SENT, lifecycle.REMINDER_SENT,
           lifecycle.FINAL_DEMAND, lifecycle.COLLECTION, lifecycle.LEGAL, lifecycle.COURT,
           lifecycle.ENFORCEMENT]
for _i, _stage in enumerate(_ladder):
    PATHS[_stage] = _ladder[: _i + 1]
PATHS[lifecycle.SETTLED] = _ladder[:4] + [lifecycle.SETTLED]
PATHS[lifecycle.PAID] = _ladder[:3] + [lifecycle.PAID]
PATHS[lifecycle.ON_HOLD] = _ladder[:3] + [lifecycle.ON_HOLD]

DEMO_USAGES = ("web-commercial", "web-editorial", "ecommerce-product", "social-media", "advertising", "print")


def load(demo: Demo) -> None:
    """`demo.cases` cases between the demo clients (with works) and the demo parties."""
    rng, session, today, now, actor, cases = demo.rng, demo.session, demo.today, demo.now, demo.actor, demo.cases
    work_ids = demo.made["clients"].work_ids
    parties = demo.made["parties"]
    with_works = [cid for cid in demo.made["clients"].client_ids if work_ids[cid]]
    # Each case is worked under its client's contract (the one in force when it was opened).
    contract_ids = {cid: clients.contract_for_new_case(session, cid).id for cid in with_works}
    assign_to = demo.assign_to
    # A handler works a few dozen cases at a time; the rest wait unassigned.
    assign_rate = min(0.25, 80 * len(assign_to) / cases)
    stages = list(STAGE_WEIGHTS)
    weights = list(STAGE_WEIGHTS.values())
    refs = reserve_values(session, "case", str(today.year), cases)
    evidence_of = {cid: terms.licensing_evidence for cid, terms in clients.client_terms(session, with_works).items()}
    first_case = (session.scalar(select(func.max(Case.id))) or 0) + 1
    done = 0
    for chunk_start in range(0, cases, 2000):
        chunk = range(chunk_start, min(cases, chunk_start + 2000))
        case_rows, item_rows, event_rows = [], [], []
        for i in chunk:
            case_id = first_case + i
            client_id = rng.choice(with_works)
            party = rng.choice(parties)
            country = party.country
            stage = rng.choices(stages, weights)[0]
            opened = now - timedelta(days=rng.randint(3, 700), minutes=rng.randint(0, 1440))
            items = rng.choices(work_ids[client_id], k=rng.choice([1, 1, 1, 2, 2, 3]))
            rng.choice(["150", "250", "300", "450", "600", "900"])   # (kept: the demo's random sequence)
            claim = _demo_claim(country, i, len(items), evidence_of.get(client_id, "none"))
            claimed = claim.total.minor
            closed = stage == lifecycle.CLOSED
            due = None if closed else today + timedelta(days=rng.randint(-12, 40))
            assignee = None
            if assign_to and not closed and rng.random() < assign_rate:
                assignee = rng.choice(assign_to)
            reason = None
            if closed:
                reason = rng.choice([r for r in lifecycle.CLOSURE_REASONS if r != "paid_in_full"] + ["paid_in_full"] * 6)
            path = PATHS.get(stage, [])
            if closed:
                path = (PATHS[lifecycle.PAID] if reason == "paid_in_full" else _ladder[: rng.randint(1, 5)]) + [lifecycle.CLOSED]
            step_time = opened
            held_from = PATHS[lifecycle.ON_HOLD][-2] if stage == lifecycle.ON_HOLD else None
            if rng.random() >= 0.15:   # draws kept so that the demo's random sequence stays as it was
                rng.uniform(0.2, 0.8)
            case_rows.append({
                "id": case_id, "ref": f"C-{today.year}-{refs[i]:06d}", "client_id": client_id,
                "contract_id": contract_ids[client_id],
                "party_id": party.id, "country": country, "stage": stage, "held_from_stage": held_from,
                "closed_from_stage": path[-2] if closed else None,
                "closure_reason": reason, "assignee_id": assignee, "currency": party.currency,
                "claimed_minor": claimed, "claim_lines": claim.lines_as_data(),
                "expected_value_minor": None, "expected_value_eur_minor": None,   # valued below, once past new
                "next_step": None if closed else lifecycle.NEXT_STEP[stage], "next_due_on": due,
                "stage_changed_at": opened, "closed_at": opened + timedelta(days=len(path) * 9) if closed else None,
                "version": 1, "created_at": opened, "updated_at": opened, "court_since": None,
            })
            for work_id in items:
                found = opened - timedelta(days=rng.randint(1, 60))
                item_rows.append({"case_id": case_id, "work_id": work_id,
                                  "page_url": f"https://www.{party.site}/{rng.choice(['blog', 'news', 'p', 'angebote', 'reisen'])}/{rng.randint(100, 99999)}",
                                  "image_url": None, "found_at": found,
                                  # some uses were seen again before the case opened: continuing uses
                                  "last_seen_at": min(opened, found + timedelta(days=rng.choice([0, 0, 0, 20, 45]))),
                                  "created_at": opened, "updated_at": opened})
            if stage != lifecycle.NEW:   # feasibility values the claim: the queue's order
                rows = item_rows[-len(items):]
                first_found = min(min(row["found_at"] for row in rows).date(), today)
                last_seen = max(first_found, min(max(row["last_seen_at"] for row in rows).date(), today))
                outlook = feasibility.assess(country, amount=Money(claimed, party.currency), commercial=True,
                                             address=party.has_address, infringed_on=first_found,
                                             last_seen=last_seen, today=today, works=len(set(items)))
                case_rows[-1]["expected_value_minor"] = outlook.expected_value.minor
                case_rows[-1]["expected_value_eur_minor"] = feasibility.convert(outlook.expected_value, "EUR").minor
            event_rows.append(_event(actor, "case.opened", case_id, step_time, to_state=lifecycle.NEW))
            previous = lifecycle.NEW
            for target, step_time in zip(path, _step_times(opened, [rng.randint(2, 16) for _ in path], now)):
                event_rows.append(_event(actor, "case.stage_changed", case_id, step_time,
                                         from_state=previous, to_state=target,
                                         reason=lifecycle.CLOSURE_REASONS[reason] if target == lifecycle.CLOSED else None))
                if target in IN_COURT_STAGES and case_rows[-1]["court_since"] is None:   # reached court
                    case_rows[-1]["court_since"] = step_time.date()
                previous = target
            if closed:   # closed when its last step says so (never after the demo's now)
                case_rows[-1]["closed_at"] = step_time
        session.execute(insert(Case), case_rows)
        session.execute(insert(CaseItem), item_rows)
        session.execute(insert(AuditEvent), event_rows)
        done += len(chunk)
        if demo.progress:
            demo.progress(len(chunk))
    set_sequence(session, "case", Case.id)
    demo.counts["cases"] = done


def _demo_claim(country: str, serial: int, images: int, evidence: str = "none"):
    """The claim as the country's rules price it: a usage, a duration and a missing credit
    that vary with the case, at the rate the client's evidence of licensing supports."""
    return feasibility.claim_amount(country, usage=DEMO_USAGES[serial % 5 if serial % 11 else 4],
                                    months=(1, 3, 6, 12, 14, 24, 36)[serial % 7], images=images,
                                    credit_missing=serial % 3 == 0, evidence=evidence)


def _step_times(opened: datetime, gaps: list[int], now: datetime) -> list[datetime]:
    """When a case took each step of its path: `gaps` days apart from its opening, squeezed
    proportionally into the time between its opening and `now` when they would run past it
    (a case opened three days ago cannot have taken ten steps of a fortnight each)."""
    total = timedelta(days=sum(gaps))
    room = now - timedelta(minutes=5) - opened
    scale = 1.0 if total <= room else max(room, timedelta(0)) / total
    times, elapsed = [], timedelta(0)
    for gap in gaps:
        elapsed += timedelta(days=gap)
        times.append(opened + elapsed * scale)
    return times


def _event(actor: Actor, action: str, case_id: int, at: datetime, **fields) -> dict:
    return {"occurred_at": at, "actor_id": None, "actor_name": actor.name, "action": action,
            "subject_type": "case", "subject_id": case_id, "case_id": case_id,
            "from_state": fields.get("from_state"), "to_state": fields.get("to_state"),
            "reason": fields.get("reason"), "details": None}
