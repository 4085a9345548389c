"""Hits: sightings of clients' works on the web, their triage, and the rules applied at ingest."""
from caseapp.core.domain import IN_ACTION, TOKEN, Domain, MenuEntry, permission
from caseapp.core.i18n import N_
from caseapp.core.security import CRAWLER, HANDLER, LAWYER

HITS = "Hits"

DOMAIN = Domain(
    name="hits",
    description="Sightings, the hits they make, triage decisions with undo, whitelists and cleared sites.",
    permissions=(
        permission(HITS, "read", N_("See the triage page: hits, their sightings and works"), HANDLER, LAWYER),
        permission(HITS, "decide", N_("Decide hits, one or thousands at once; whitelist a site; undo"), HANDLER),
        permission(HITS, "undo_others", N_("Undo another person's triage decision"), checked_by=IN_ACTION),
        permission(HITS, "remove_others_rules", N_("Remove a whitelist or cleared site another person made"),
                   checked_by=IN_ACTION),
        permission(HITS, "import", N_("Import a crawler's file of sightings on the triage page (a job with progress)"),
                   HANDLER),
        permission(HITS, "ingest", N_("Send sightings to POST /api/v1/sightings (with an API token)"), CRAWLER,
                   checked_by=TOKEN),
    ),
    menu=(MenuEntry(N_("Triage"), HITS, "read", "/hits/", "fa-crosshairs", order=20),
          MenuEntry(N_("Whitelists"), HITS, "read", "/hits/rules/", "fa-check-square-o", order=60, category=N_("Records"))),
    models="caseapp.hits.models",
    demo="caseapp.hits.demo",
    demo_order=40,
    views="caseapp.hits.views",
    cli="caseapp.hits.cli",
    tasks="caseapp.hits.tasks",
    audit_words="caseapp.hits.audit_words",
    personal_data="caseapp.hits.personal_data",
)
