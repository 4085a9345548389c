"""The domains' boundaries as an import-linter contract that finds the domains itself, so that
a new domain (a folder under caseapp/) is checked without editing any configuration:

- `caseapp.core` imports no domain, directly or through others;
- no domain imports another domain's models, views or commands: it asks its services.

A domain is a package directly under the root package, other than `core` and those listed
in `not_domains` (packages that are not business domains)."""
from __future__ import annotations

from importlinter import Contract, ContractCheck, fields, output

PRIVATE_PARTS = ("models", "views", "cli")


class DomainBoundaries(Contract):
    root = fields.StringField()
    core = fields.StringField()
    not_domains = fields.ListField(subfield=fields.StringField(), required=False)

    def _domains(self, graph) -> list[str]:
        skip = {self.core, *(f"{self.root}.{n}" for n in (self.not_domains or []))}
        return sorted(m for m in graph.find_children(self.root)
                      if m not in skip and graph.find_children(m))

    def check(self, graph, verbose: bool) -> ContractCheck:
        problems: list[str] = []
        domains = self._domains(graph)
        for domain in domains:
            chain = graph.find_shortest_chain(importer=self.core, imported=domain, as_packages=True)
            if chain:
                problems.append(f"{self.core} imports the domain {domain}: {' -> '.join(chain)}")
        for importer in domains:
            modules = {importer} | graph.find_descendants(importer)
            for other in domains:
                if other == importer:
                    continue
                private = {f"{other}.{part}" for part in PRIVATE_PARTS}
                for module in sorted(modules):
                    for imported in sorted(graph.find_modules_directly_imported_by(module)):
                        if imported in private or any(imported.startswith(p + ".") for p in private):
                            problems.append(f"{module} imports {imported}: ask {other}'s services instead")
        return ContractCheck(kept=not problems, metadata={"problems": problems, "domains": domains})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for problem in check.metadata["problems"]:
            output.print_error(problem)
            output.new_line()
