"""Demo clients — photographers, agencies, a publisher in ten countries — and their works,
each a real image file in the store, indexed for matching as an upload would be."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from caseapp.clients import services
from caseapp.clients.demo_pictures import landscape_jpeg
from caseapp.clients.models import Client
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
    demo.made["clients"] = DemoClients(client_ids, work_ids)
    demo.counts.update(clients=len(client_ids), works=demo.works)
