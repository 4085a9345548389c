"""Demo hits to triage: copies of the clients' works (cropped, mirrored, captioned, rescaled)
on a few dozen sites, a few big ones, so that triage by site and whitelisting a social
network show what they are for; some pictures show two works (a cluster)."""
from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw, ImageOps

from caseapp.clients import services as clients
from caseapp.core.demo import Demo
from caseapp.core.images import thumbnail_bytes
from caseapp.hits.ingest import sighting_key
from caseapp.hits.models import Hit, Sighting
from matching.engine import MIRRORED, WHOLE
from matching.hashes import NEAR_256, score as hash_score

HASH_FLOOR = hash_score(NEAR_256)   # the lowest score of a near-exact copy found by its hash

# Sites the demo crawler found copies on: (site, how often). A few big ones, so that
# triage by site and whitelisting a social network show what they are for.
HIT_SITES = [("pinterest.com", 8), ("reisen-blog.de", 6), ("alpenhotel-sonnenhof.at", 4), ("bergwerk-shop.de", 4),
             ("atelier-lune.fr", 3), ("viaggi-bellavista.it", 3), ("urbannest-immobilien.de", 3),
             ("horizon-travel.co.uk", 3), ("kaffeekunst.de", 2), ("marea-hotel.es", 2), ("nova-design.nl", 2),
             ("brightside-news.com", 2), ("fjell-hytter.no", 1), ("ostwind-yoga.de", 1), ("copper-foods.ie", 1),
             ("pixelwerk-agentur.ch", 1), ("seeblick-pension.de", 1), ("terra-garden.pl", 1)]



def load(demo: Demo) -> None:
    """`demo.hits` undecided hits: copies of the clients' works (cropped, mirrored, captioned,
    rescaled) on the demo sites; some pictures show two works (a cluster)."""
    demo.counts["hits"] = _hits(demo, demo.made["clients"].work_ids) if demo.hits else 0


def _hits(demo: Demo, work_ids: dict[int, list[int]]) -> int:
    session, store, rng, now, n = demo.session, demo.store, demo.rng, demo.now, demo.hits
    decoded: dict[int, Image.Image] = {}

    def picture(work_id: int) -> Image.Image:
        if work_id not in decoded:
            work = clients.get_work(session, work_id)
            decoded[work_id] = Image.open(store.path_for(work.file_sha256)).convert("RGB")
        return decoded[work_id]

    sites = [d for d, weight in HIT_SITES for _ in range(weight)]
    owners = [cid for cid, ids in work_ids.items() if ids]
    made = 0
    for i in range(n):
        client_id = rng.choice(owners)
        shown = [rng.choice(work_ids[client_id])]
        if i % 12 == 11 and len(work_ids[client_id]) > 1:   # a collage: one picture, two works
            shown.append(rng.choice([w for w in work_ids[client_id] if w != shown[0]]))
        images = [picture(w) for w in shown]
        im = images[0]
        w, h = im.size
        kind = rng.randrange(4)
        # where the copy lies on the work (normalised coordinates), as the engine would report it
        place = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        if kind == 0:
            box = (w // 12, h // 10, w - w // 14, h - h // 12)
            im = im.crop(box)
            place = [[(box[2] - box[0]) / w, 0.0, box[0] / w], [0.0, (box[3] - box[1]) / h, box[1] / h], [0, 0, 1.0]]
        elif kind == 1:
            im = ImageOps.mirror(im)
            place = [[-1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        elif kind == 2:
            banner = Image.new("RGB", (w, h + h // 7), "white")
            banner.paste(im, (0, h // 7))
            ImageDraw.Draw(banner).text((12, 12), rng.choice(["Sommer-Special -20%", "Book now", "Neu im Shop"]),
                                        fill="black")
            im = banner
            place = [[1.0, 0.0, 0.0], [0.0, (h + h // 7) / h, -(h // 7) / h], [0.0, 0.0, 1.0]]
        places = [place]
        if len(images) > 1:
            collage = Image.new("RGB", (w * 2, h), "white")
            collage.paste(im.resize((w, h)), (0, 0))
            collage.paste(images[1], (w, 0))
            im = collage
            left = [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]          # the collage's halves
            places = [_times(place, left), [[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]]
        im = im.resize((max(200, int(im.width * 0.55)), max(150, int(im.height * 0.55))))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=rng.randint(72, 88))
        data = out.getvalue()
        site = rng.choice(sites)
        page = f"https://www.{site}/{rng.choice(['blog', 'angebote', 'p', 'news', 'pin'])}/{rng.randint(100, 99999)}"
        image_url = f"https://www.{site}/media/{rng.randint(10000, 99999)}.jpg"
        sighting = Sighting(key=sighting_key(image_url, page), image_url=image_url, page_url=page, site=site,
                            found_at=now - timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5, 8, 13, 21, 40, 95]),
                                                     minutes=rng.randint(0, 1440)),
                            image_sha256=store.put(data), thumbnail_sha256=store.put(thumbnail_bytes(data)[0]))
        session.add(sighting)
        session.flush()
        for work_id, placed in zip(shown, places):
            score = rng.choice([rng.uniform(0.9, 0.99), rng.uniform(0.7, 0.9), rng.uniform(0.5, 0.7)])
            transform = [round(x, 6) for row in placed for x in row]
            if tuple(transform) in (WHOLE, MIRRORED):   # the engine answers these by hash: 0.81 or more
                score = HASH_FLOOR + (score - 0.5) * (0.99 - HASH_FLOOR) / 0.49
            session.add(Hit(sighting_id=sighting.id, work_id=work_id, client_id=client_id, site=site,
                            score=round(score, 3), transform=transform))
            made += 1
    session.flush()
    return made


def _times(a: list[list[float]], b: list[list[float]]) -> list[list[float]]:
    """a x b for 3x3 matrices (lists)."""
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]
