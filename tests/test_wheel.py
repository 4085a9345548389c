"""caseapp installs as a package: a wheel built from the checkout, installed into a fresh
virtualenv and run from a folder far from the checkout, finds its migrations, its country
rules and the matching vocabulary (package data), not the checkout's folders."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(bin folder, environment) of a virtualenv with the wheel installed. Its dependencies
    come from this test run's environment (a path entry), so nothing is downloaded."""
    base = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--wheel-dir", str(base / "dist"), str(ROOT)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel = next((base / "dist").glob("caseapp-*.whl"))
    target = base / "venv"
    venv.create(target, with_pip=True)
    bin_ = target / "bin"
    installed = subprocess.run([str(bin_ / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
                                "--quiet", str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr[-3000:]
    site = subprocess.run([str(bin_ / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    work = base / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_") and k != "PYTHONPATH"}
    env["CASEAPP_INSTANCE_PATH"] = str(work / "instance")
    return bin_, env, work


def run(installed, *args):
    bin_, env, work = installed
    return subprocess.run([str(bin_ / args[0]), *args[1:]], capture_output=True, text=True, env=env,
                          cwd=work, timeout=300)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    found = run(installed, "python", "-c",
                "import caseapp, matching; from caseapp.core.resources import folder; "
                "print(caseapp.__file__, matching.__file__, folder('migrations'), folder('jurisdictions'))")
    assert found.returncode == 0, found.stderr
    paths = found.stdout.split()
    assert len(paths) == 4 and all("/venv/" in p and not p.startswith(str(ROOT)) for p in paths), paths


def test_db_upgrade_from_the_wheel(installed):
    upgraded = run(installed, "caseapp", "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    checked = run(installed, "caseapp", "db", "check")
    assert checked.returncode == 0, checked.stderr[-3000:]


def test_feasibility_check_from_the_wheel(installed):
    checked = run(installed, "caseapp", "feasibility", "check")
    assert checked.returncode == 0, checked.stderr[-3000:]
    countries = len(list((ROOT / "jurisdictions").glob("*.toml")))
    assert checked.stdout.startswith(f"{countries} countries"), checked.stdout


def test_matching_from_the_wheel(installed):
    _, _, work = installed
    refs, queries = work / "refs", work / "queries"
    refs.mkdir()
    queries.mkdir()
    picture = Image.new("RGB", (480, 360), "white")
    draw = ImageDraw.Draw(picture)
    for i in range(12):
        draw.rectangle([i * 37 % 400, i * 53 % 300, i * 37 % 400 + 60, i * 53 % 300 + 40],
                       fill=(i * 20 % 255, 90, 200 - i * 9))
        draw.ellipse([i * 29 % 420, i * 41 % 320, i * 29 % 420 + 35, i * 41 % 320 + 35], fill=(30, i * 17 % 255, 60))
    picture.save(refs / "work.png")
    picture.resize((360, 270)).save(queries / "copy.jpg", quality=85)
    index = work / "index"
    made = run(installed, "python", "-m", "matching", "index", str(refs), "--index", str(index))
    assert made.returncode == 0, made.stderr[-3000:]
    asked = run(installed, "python", "-m", "matching", "query", str(queries), "--index", str(index), "--json")
    assert asked.returncode == 0, asked.stderr[-3000:]
    answer = json.loads(asked.stdout.splitlines()[0])
    assert answer["matches"][0]["ref"] == "work.png" and answer["matches"][0]["match"]


def test_a_payout_statement_renders_from_the_wheel(installed):
    """The statement's template and style sheet are package data (they were missing once)."""
    code = ("from datetime import date; from types import SimpleNamespace as N; "
            "from caseapp.payouts import statements; "
            "line = N(language='de', client_name='Anna', statement_number='GS-1-1', collected_minor=10000, "
            "client_share_minor=7000, commission_minor=3000, vat_minor=570, vat_code='private', vat_basis='§ 12(1) UStG', "
            "method='manual', iban=None, items=[]); "
            "batch = N(id=1, currency='EUR', until=date(2026, 11, 30), exported_at=None); "
            "pdf = statements.render(None, batch, line, {}, today=date(2026, 12, 1)); "
            "print(statements.FOLDER, pdf[:5])")
    rendered = run(installed, "python", "-c", code)
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    assert "/venv/" in rendered.stdout and "b'%PDF-'" in rendered.stdout


def test_the_german_pages_come_with_the_wheel(installed):
    """The compiled catalogues are package data: an installed app speaks German."""
    said = run(installed, "python", "-c",
               "from caseapp import create_app\n"
               "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'})\n"
               "from flask_babel import gettext\n"
               "with app.test_request_context('/', headers={'Accept-Language': 'de'}):\n"
               "    print(gettext('Queue'), '|', gettext('Your account'))")
    assert said.returncode == 0, said.stderr[-2000:]
    assert said.stdout.strip() == "Warteschlange | Ihr Konto"
