"""Deadlines: when a period of days ends under the law of the place where it runs (its public
holidays, its legal minimum, the quiet period over Christmas), and where a limitation period's
end moves. Cases set their next due date with it; feasibility moves limitation ends with it."""
from caseapp.core.domain import Domain

DOMAIN = Domain(
    name="deadlines",
    description="Deadlines under each country's rules: holidays, legal minimum, quiet period.",
    cli="caseapp.deadlines.cli",
)
