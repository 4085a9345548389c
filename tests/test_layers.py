"""The layer contracts (pyproject.toml, lint/contracts.py) hold, and they can fail."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from lint.contracts import DomainBoundaries

ROOT = Path(__file__).resolve().parents[1]


def _contract():
    return DomainBoundaries(name="boundaries", session_options={},
                            contract_options={"root": "caseapp", "core": "caseapp.core", "not_domains": ["data"]})


def _graph(*imports: tuple[str, str]):
    graph = grimp.ImportGraph()
    for module in ("caseapp", "caseapp.core", "caseapp.core.money", "caseapp.cases", "caseapp.cases.models",
                   "caseapp.cases.services", "caseapp.hits", "caseapp.hits.services", "caseapp.demo",
                   "caseapp.demo.services"):
        graph.add_module(module)
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_a_domain_may_ask_another_domains_services():
    graph = _graph(("caseapp.hits.services", "caseapp.cases.services"),
                   ("caseapp.cases.services", "caseapp.cases.models"))
    assert _contract().check(graph, verbose=False).kept


def test_a_domain_reaching_into_another_domains_models_breaks_the_contract():
    check = _contract().check(_graph(("caseapp.hits.services", "caseapp.cases.models")), verbose=False)
    assert not check.kept and "caseapp.hits.services imports caseapp.cases.models" in check.metadata["problems"][0]


def test_core_importing_a_domain_even_through_another_module_breaks_the_contract():
    check = _contract().check(_graph(("caseapp.core.money", "caseapp.demo.services"),
                                     ("caseapp.demo.services", "caseapp.cases.services")), verbose=False)
    assert not check.kept and any("caseapp.core imports the domain caseapp.cases" in problem
                                  for problem in check.metadata["problems"])


def test_the_code_keeps_the_contracts():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
