"""Demo clients — photographers, agencies, a publisher in ten countries — and their works,
each a real image file in the store, indexed for matching as an upload would be."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from caseapp.clients import services
from caseapp.clients.demo_pictures import landscape_jpeg
from caseapp.clients.models import VERIFIED, Client, Work
from caseapp.core.demo import Demo

CLIENTS = [
    ("Lena Hoffmann Fotografie", "DE", "photographer", "de"),
    ("Nordlicht Bildagentur GmbH", "DE", "agency", "de"),
    ("Atelier Marin", "FR", "photographer", "fr"),
    ("Studio Aurora", "IT", "photographer", "it"),
    ("Peak Images Ltd", "GB", "agency", "en"),
    ("Mira Kowalska Photography", "PL", "photographer", "pl"),
    ("Lumen Stock Agency B.V.", "NL", "agency", "nl"),
    ("Sol y Sombra Fotos", "ES", "photographer", "es"),
    ("Fjord Foto AS", "NO", "photographer", "no"),
    ("Redwood Pictures LLC", "US", "publisher", "en"),
]
WORK_TITLES = ["Alpine dawn", "Harbour at dusk", "Ridge line", "Quiet valley", "First light",
               "Blue hour", "Desert crossing", "Northern shore", "Storm front", "Evening ridge"]


@dataclass
class DemoClients:
    """What later loaders use: the clients' ids and each client's work ids."""
    client_ids: list[int]
    work_ids: dict[int, list[int]]


def load(demo: Demo) -> None:
    client_ids = []
    for name, country, kind, language in CLIENTS:
        existing = demo.session.scalar(select(Client).where(Client.name == name))
        client = existing or services.add_client(demo.session, demo.actor, name=name, country=country, kind=kind,
                                                 language=language, email=None)
        client_ids.append(client.id)
    work_ids: dict[int, list[int]] = {cid: [] for cid in client_ids}
    for n in range(demo.works):
        client_id = client_ids[n % len(client_ids)]
        work = services.add_work(demo.session, demo.store, demo.actor, client_id=client_id,
                                 title=f"{WORK_TITLES[n % len(WORK_TITLES)]} #{n + 1}",
                                 data=landscape_jpeg(demo.seed * 1000 + n))
        work_ids[client_id].append(work.id)
    demo.session.flush()
    _ownership_on_file(demo, client_ids, [w for ids in work_ids.values() for w in ids])
    demo.made["clients"] = DemoClients(client_ids, work_ids)
    demo.counts.update(clients=len(client_ids), works=demo.works)


# A stand-in for a signed mandate (the demo's clients all signed one).
DEMO_MANDATE = b"%PDF-1.4\n% caseapp demo: the client's signed mandate\n"


def _ownership_on_file(demo: Demo, client_ids: list[int], work_ids: list[int]) -> None:
    """Every demo client has a signed mandate on file and every demo work is verified, so the
    demo's cases past the checks stage passed the gate (richer states come with the client page)."""
    from datetime import timedelta

    sha = demo.store.put(DEMO_MANDATE)
    for client_id in client_ids:
        client = demo.session.get(Client, client_id)
        if not client.mandate_sha256:
            client.mandate_sha256, client.mandate_filename = sha, "mandate-signed.pdf"
            client.mandate_signed_on = demo.today - timedelta(days=400)
    for work_id in work_ids:
        work = demo.session.get(Work, work_id)
        work.status, work.status_by, work.status_at = VERIFIED, demo.actor.name, demo.now
        work.status_reason = "Demo: the original file and the client's earlier publication were checked."
    demo.session.flush()
