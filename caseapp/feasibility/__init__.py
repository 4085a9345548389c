"""Is a claim feasible, and what is it worth: the per-country rules in jurisdictions/."""
from caseapp.core.domain import Domain

DOMAIN = Domain(
    name="feasibility",
    description="Per-country rules (jurisdictions/): feasibility, routes, limitation, claim amounts.",
    cli="caseapp.feasibility.cli",
    startup="caseapp.feasibility.rules:load",
)
