"""The `caseapp` command on a fresh database, as an operator runs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PG_URL, _postgres_database


def run(env, *args, check=True):
    result = subprocess.run([sys.executable, "-m", "caseapp.cli", *args], env=env,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"caseapp {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def fresh_env(request, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEAPP_")}
    env["CASEAPP_INSTANCE_PATH"] = str(tmp_path / "instance")
    drop = None
    if request.param == "postgresql":
        url, drop = _postgres_database()
        env["CASEAPP_DATABASE_URL"] = url
    yield env
    if drop:
        drop()


def test_upgrade_demo_and_list(fresh_env):
    assert "roles synced" in run(fresh_env, "db", "upgrade").stdout
    run(fresh_env, "db", "check")
    demo = run(fresh_env, "demo", "--cases", "30", "--works", "4")
    assert "handler-demo" in demo.stdout and "Loaded 30 cases (and 13 showcase cases" in demo.stdout
    again = run(fresh_env, "demo", "--if-empty")
    assert "nothing loaded" in again.stdout

    lines = run(fresh_env, "cases", "list", "--json").stdout.splitlines()
    cases = [json.loads(line) for line in lines]
    assert len(cases) == 30 + 13     # the court filings' showcase besides the 30 asked for
    assert all({"ref", "stage", "country", "client"} <= set(c) for c in cases)
    assert len({c["ref"] for c in cases}) == 43

    stage = cases[0]["stage"]
    filtered = [json.loads(x) for x in run(fresh_env, "cases", "list", "--stage", stage, "--json").stdout.splitlines()]
    assert filtered and all(c["stage"] == stage for c in filtered)
    country = cases[0]["country"]
    by_country = [json.loads(x) for x in run(fresh_env, "cases", "list", "--country", country.lower(), "--json").stdout.splitlines()]
    assert by_country and all(c["country"] == country for c in by_country)


def test_bad_stage_is_explained(fresh_env):
    run(fresh_env, "db", "upgrade")
    result = run(fresh_env, "cases", "list", "--stage", "limbo", check=False)
    assert result.returncode != 0 and "'limbo' is not a stage" in result.stderr


def test_serve_refuses_an_empty_database(fresh_env):
    result = run(fresh_env, "serve", "--port", "5999", check=False)
    assert result.returncode != 0 and "caseapp db upgrade" in result.stderr
