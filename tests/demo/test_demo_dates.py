"""The demo's audit trail ends on the demo's today: no event, and no case step, dated after it
(they showed on case timelines weeks in the future)."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select

from caseapp.core.audit import AuditEvent
from tests.conftest import TODAY


def test_no_demo_event_is_dated_after_the_demo_s_today(tmp_path):
    """A demo built for TODAY (a past day: the tests' demo) on a later real day."""
    from caseapp import create_app
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_session

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": "demo",
                      "CASEAPP_INSTANCE_PATH": str(tmp_path), "CASEAPP_FILESTORE_PATH": str(tmp_path / "files")})
    build_demo_database(app, cases=150, works=4, hits=5, today=TODAY)
    end_of_today = datetime.combine(TODAY + timedelta(days=1), time.min, tzinfo=timezone.utc)
    with app.app_context():
        session = get_session()
        later = session.execute(select(AuditEvent.action, AuditEvent.occurred_at)
                                .where(AuditEvent.occurred_at >= end_of_today).limit(5)).all()
        assert later == []
        # the demo's trail reaches its today (cases move in it, services record in it): the check
        # above is not passed by an empty or an old trail
        newest = session.scalar(select(func.max(AuditEvent.occurred_at)))
        assert newest.date() == TODAY
        newest_step = session.scalar(select(func.max(AuditEvent.occurred_at))
                                     .where(AuditEvent.action == "case.stage_changed"))
        assert TODAY - timedelta(days=3) <= newest_step.date() <= TODAY


def test_case_steps_are_squeezed_between_the_opening_and_now():
    from caseapp.cases.demo import _step_times

    opened = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    now = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    times = _step_times(opened, [10, 16, 2], now)
    assert opened < times[0] < times[1] < times[2] < now
    roomy = _step_times(opened - timedelta(days=100), [10, 16, 2], now)   # room enough: the gaps as drawn
    assert [t - (opened - timedelta(days=100)) for t in roomy] == [timedelta(days=d) for d in (10, 26, 28)]


def test_the_demo_s_now_is_in_its_today():
    from caseapp.demo.services import demo_now

    real = datetime.now(timezone.utc)
    assert demo_now(real.date()).date() == real.date() and demo_now(real.date()) <= datetime.now(timezone.utc)
    assert demo_now(TODAY) == datetime.combine(TODAY, time(12), tzinfo=timezone.utc)
