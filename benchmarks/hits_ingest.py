"""Benchmark: sightings ingested per second.

    .venv/bin/python benchmarks/hits_ingest.py --sightings 10000

A fresh SQLite instance in /tmp with the demo data (40 works); the works are indexed,
then N sightings are written as transformed copies of the demo works (crop, rotation,
mirror, caption band, rescale, JPEG) plus one in five pictures that are no work, as a
JSON Lines file with image_path, and ingested through `hits.services.ingest`, committed
every 500 lines: with --workers 0 all in one process (decode, describe, search, verify,
write); with --workers N, N processes read, describe and search the images while this one
writes (as `caseapp hits ingest --workers N`).
"""
from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def copies(work_bytes: list[bytes], n: int, folder: Path, seed: int = 5) -> list[dict]:
    from PIL import Image, ImageDraw, ImageOps

    from caseapp.clients.demo_pictures import grain

    rng = random.Random(seed)
    lines = []
    for i in range(n):
        if i % 5 == 4:   # not a client's work: noise
            im = grain([seed, i], rng.uniform(20, 80), (600, 400))
        else:
            im = Image.open(io.BytesIO(rng.choice(work_bytes))).convert("RGB")
            w, h = im.size
            kind = i % 4
            if kind == 0:
                im = im.crop((w // 10, h // 10, w * 9 // 10, h * 9 // 10))
            elif kind == 1:
                im = im.rotate(rng.uniform(-10, 10), expand=True, fillcolor="white")
            elif kind == 2:
                im = ImageOps.mirror(im)
            else:
                band = Image.new("RGB", (w, h + h // 6), "white")
                band.paste(im, (0, h // 6))
                ImageDraw.Draw(band).text((8, 8), "SALE -50%", fill="black")
                im = band
            im = im.resize((max(64, int(im.width * 0.7)), max(64, int(im.height * 0.7))))
        name = f"s{i:05d}.jpg"
        im.save(folder / name, quality=rng.randint(70, 90))
        site = f"site{rng.randint(1, 400)}.example.com"
        lines.append({"image_url": f"https://{site}/img/{i}.jpg", "page_url": f"https://{site}/p/{i}",
                      "found_at": "2026-11-20T10:00:00Z", "image_path": name})
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sightings", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=0,
                        help="processes describing and searching images beside the one that writes")
    args = parser.parse_args()
    from sqlalchemy import select
    from tqdm import tqdm

    from caseapp import create_app
    from caseapp.core.audit import Actor
    from caseapp.core.clock import today
    from caseapp.core.filestore import FileStore
    from caseapp.demo.setup import build_demo_database
    from caseapp.extensions import get_db
    from caseapp.hits import services
    from caseapp.clients import works_index
    from caseapp.clients.models import Work

    tmp = Path(tempfile.mkdtemp(prefix="caseapp-ingest-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "CASEAPP_INSTANCE_PATH": str(tmp),
                      "SECRET_KEY": "bench"})
    build_demo_database(app, cases=20, today=today())
    with app.app_context():
        session = get_db().session()
        store = FileStore(app.config["CASEAPP_FILESTORE_PATH"])
        engine = works_index.store_and_engine(app.config)[1]
        t0 = time.perf_counter()
        synced = works_index.sync_index(session, store, engine)
        session.commit()
        index_s = time.perf_counter() - t0
        works = [store.path_for(w.file_sha256).read_bytes() for w in session.scalars(select(Work))]
        folder = tmp / "crawl"
        folder.mkdir()
        lines = copies(works, args.sightings, folder)
        rows = []
        numbered = list(enumerate((json.dumps(line) for line in lines), start=1))
        with services.image_describers(args.workers, works_index.index_location(app.config)) as pool_map, \
                tqdm(total=len(numbered), desc="ingest", unit="line", file=sys.stderr, mininterval=5) as bar:
            t0 = time.perf_counter()
            for row in services.ingest(session, store, engine, Actor.system("bench"), numbered, base=folder,
                                       min_score=0.5, pool_map=pool_map):
                rows.append(row)
                bar.update(1)
                if len(rows) % 500 == 0:
                    session.commit()
        session.commit()
        seconds = time.perf_counter() - t0
        summary = services.summarise(rows)
        get_db().session.remove()
    result = {"sightings": args.sightings, "workers": args.workers, "works_indexed": synced["works"],
              "index_s": round(index_s, 1), "ingest_s": round(seconds, 1), "sightings_per_s": round(args.sightings / seconds, 1), **summary}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
