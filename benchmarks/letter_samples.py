"""Renders one sample of each letter kind (page 1 as PNG, via pypdfium2; no poppler needed) from
a demo-like case into docs/letters/. Run: .venv/bin/python benchmarks/letter_samples.py [--lang de]"""
from __future__ import annotations

import argparse
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="de")
    parser.add_argument("--out", default=str(ROOT / "docs" / "letters"))
    args = parser.parse_args()
    from caseapp import create_app
    from caseapp.core.filestore import FileStore
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_session
    from caseapp.letters import render, services
    from caseapp.letters.models import KINDS

    folder = Path(tempfile.mkdtemp(prefix="letters-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'db.sqlite'}", "TESTING": True,
                      "SECRET_KEY": "samples", "CASEAPP_INSTANCE_PATH": str(folder),
                      "CASEAPP_FILESTORE_PATH": str(folder / "files")})
    today = date(2026, 11, 23)
    build_demo_database(app, cases=20, works=6, today=today)
    with app.app_context():
        from caseapp.cases.services import list_cases, load_case_file

        session = get_session()
        case = next(c for c in list_cases(session) if c.party.has_postal_address and c.claim_lines
                    and c.client.mandate_sha256 and c.currency == "EUR")
        case = load_case_file(session, case.ref)
        case.client.street = case.client.street or "Gartenweg 2"
        case.client.city = case.client.city or "Köln"
        store = FileStore(folder / "files")
        inputs = {"amount": case.claimed.amount_text(), "instalments": 3, "first_due": "2026-12-15",
                  "paid": case.claimed.amount_text()}
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for kind in KINDS:
            rendered = services.render_letter(session, store, case, kind, language=args.lang, today=today,
                                              inputs=inputs)
            (out / f"{kind}-{args.lang}.png").write_bytes(render.first_page_png(rendered.data, scale=0.85))
            print(out / f"{kind}-{args.lang}.png")
        session.rollback()


if __name__ == "__main__":
    main()
