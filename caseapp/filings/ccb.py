"""The US Copyright Claims Board claim pack (CASE Act, 17 U.S.C. §§ 1501-1511; claim contents:
§ 1506(e) and 37 C.F.R. part 222, filed through the Board's eCCB system): the claimant and the
respondent, each work with its registration number (and date) or its pending application (§ 1505(a)),
the infringement (where and when the use was found), and the statutory damages sought within the
caps the route check worked out (§ 1504(e)(1): $15,000 a timely registered work (§ 412), $7,500
otherwise, $15,000 in all when none is timely, $30,000 a claim). A PDF to file from and a JSON of
the works table (the eCCB asks for each work separately)."""
from __future__ import annotations

from caseapp.filings import render as rendering
from caseapp.filings.render import JSON, PDF, RenderedFile


def works_table(check) -> list[dict]:
    return [{"title": row["work"].title, "registration_number": row["work"].registration_number,
             "registered_on": row["work"].registered_on, "application_filed_on": row["work"].applied_on,
             "status": "registered" if row["work"].registration_number else "application pending",
             "first_published_on": row["work"].first_published_on,
             "timely_registered_17_usc_412": row["timely"], "cap_per_work": row["cap"].amount_text(),
             "damages_sought": row["sought"].amount_text(), "currency": "USD"}
            for row in check.extra["works"]]


def render(facts, check, store) -> list[RenderedFile]:
    table = works_table(check)
    pack = {"claim_reference": facts.ref, "forum": "Copyright Claims Board (17 U.S.C. § 1502)",
            "claimant": facts.client.name, "respondent": facts.party.name, "works": table,
            "total_damages_sought": facts.damages.amount_text(), "total_cap": check.limit.amount_text(),
            "currency": "USD", "uses": [{"url": i.page_url, "work": i.title, "found_on": i.found_on}
                                        for i in facts.items]}
    pdf = rendering.pdf("ccb.html", "en", {"f": facts, "check": check, "works": check.extra["works"],
                                           "notes": check.notes, "footer": f"{facts.ref} · CCB claim (17 U.S.C. § 1506)"},
                        store)
    return [RenderedFile(f"{facts.ref}-ccb-claim.pdf", PDF, pdf),
            RenderedFile(f"{facts.ref}-ccb-works.json", JSON, rendering.as_json(pack))]
