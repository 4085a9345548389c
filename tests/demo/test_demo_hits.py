"""The demo's hits look like the engine's: one laid over the whole work, or over it turned
back, is what the hash tier answers, so its score is a hash score (0.8125 or more) and the
triage page's "(the same picture, ...)" never stands beside a lower one."""
from __future__ import annotations

from sqlalchemy import select


def test_hits_placed_as_hash_answers_score_as_hash_answers(tmp_path):
    from caseapp import create_app
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_session
    from caseapp.hits.demo import HASH_FLOOR
    from caseapp.hits.models import Hit
    from tests.conftest import TODAY

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.db'}", "SECRET_KEY": "demo",
                      "CASEAPP_INSTANCE_PATH": str(tmp_path), "CASEAPP_FILESTORE_PATH": str(tmp_path / "files")})
    build_demo_database(app, cases=20, works=8, hits=40, today=TODAY)
    with app.app_context():
        hits = get_session().scalars(select(Hit)).all()
    hashed = [h for h in hits if h.same_picture or h.mirrored_picture]
    placed = [h for h in hits if not (h.same_picture or h.mirrored_picture)]
    assert any(h.mirrored_picture for h in hashed) and any(h.same_picture for h in hashed) and placed
    assert min(h.score for h in hashed) >= HASH_FLOOR and max(h.score for h in hashed) <= 0.99
    assert min(h.score for h in placed) < HASH_FLOOR     # the others keep the whole range
