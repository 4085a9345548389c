"""`caseapp works import` and `caseapp hits ingest` as an operator runs them: real photos,
real copies, bad lines, a local HTTP server for fetched images."""
from __future__ import annotations

import http.server
import json
import threading
from functools import partial

import pytest

from tests.matching import transforms
from tests.matching.conftest import photo
from tests.test_cli import fresh_env, run  # noqa: F401  (fixture)

WORKS = ["astronaut.png", "coffee.png", "chelsea.png"]


@pytest.fixture()
def web(tmp_path):
    """A local web server on 127.0.0.1 serving tmp_path/www."""
    root = tmp_path / "www"
    root.mkdir()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_import_works_then_ingest_sightings(fresh_env, tmp_path, web):  # noqa: F811
    fresh_env["CASEAPP_FETCH_PRIVATE"] = "1"   # the test's web server is on 127.0.0.1
    run(fresh_env, "db", "upgrade")
    run(fresh_env, "demo", "--cases", "3", "--works", "2", "--hits", "0")
    works = tmp_path / "works"
    works.mkdir()
    for name in WORKS:
        photo(name).save(works / name.replace(".png", ".jpg"), quality=92)
    (works / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    imported = _json_lines(run(fresh_env, "works", "import", str(works), "--client", "1", "--json").stdout)
    by_file = {r["file"]: r for r in imported if "file" in r}
    assert by_file["broken.jpg"]["status"] == "error" and "not an image" in by_file["broken.jpg"]["error"]
    assert all(by_file[n.replace(".png", ".jpg")]["status"] == "imported" for n in WORKS)
    assert imported[-1]["summary"] == {"files": 4, "imported": 3, "duplicates": 0, "errors": 1}
    work_of = {n: by_file[n.replace(".png", ".jpg")]["work"] for n in WORKS}

    crawl = tmp_path / "crawl"
    crawl.mkdir()
    transforms.crop(photo("astronaut.png"), 0.7).save(crawl / "a.jpg", quality=80)
    transforms.rotate(photo("coffee.png")).save(crawl / "c.jpg", quality=80)
    photo("moon.png").save(crawl / "moon.jpg")                       # not a client's work
    (crawl / "text.jpg").write_text("this is not a picture")
    www, base = web
    transforms.crop(photo("chelsea.png"), 0.8).save(www / "cat.jpg", quality=85)
    lines = [
        {"image_url": "https://shop.example.de/a.jpg", "page_url": "https://shop.example.de/p/1",
         "found_at": "2026-11-20T10:00:00Z", "image_path": "a.jpg"},
        {"image_url": "https://blog.example.fr/c.jpg", "page_url": "https://www.blog.example.fr/post",
         "found_at": "2026-11-20T11:00:00+01:00", "image_path": "c.jpg"},
        {"image_url": "https://x.example.com/m.jpg", "page_url": "https://x.example.com/",
         "found_at": "2026-11-20", "image_path": "moon.jpg"},
        "{this is not json",
        {"image_url": "https://y.example.com/gone.jpg", "page_url": "https://y.example.com/",
         "found_at": "2026-11-20T10:00:00Z", "image_path": "gone.jpg"},
        {"image_url": "https://z.example.com/t.jpg", "page_url": "https://z.example.com/",
         "found_at": "2026-11-20T10:00:00Z", "image_path": "text.jpg"},
        {"image_url": "https://shop.example.de/a.jpg", "page_url": "https://shop.example.de/p/1",
         "found_at": "2026-11-21T10:00:00Z", "image_path": "a.jpg"},     # the first one again
        {"image_url": f"{base}/cat.jpg", "page_url": "https://cats.example.it/gallery",
         "found_at": "2026-11-20T10:00:00Z"},                            # fetched from the web
        {"image_url": "http://127.0.0.1:9/nothing.jpg", "page_url": "https://q.example.com/",
         "found_at": "2026-11-20T10:00:00Z"},                            # nobody listens there
        {"page_url": "https://q.example.com/", "found_at": "2026-11-20T10:00:00Z"},
    ]
    (crawl / "day.jsonl").write_text("\n".join(l if isinstance(l, str) else json.dumps(l) for l in lines))
    out = _json_lines(run(fresh_env, "hits", "ingest", str(crawl / "day.jsonl"), "--json").stdout)
    rows = {r["line"]: r for r in out if "line" in r}
    assert rows[1]["status"] == "matched" and [h["work"] for h in rows[1]["hits"]] == [work_of["astronaut.png"]]
    assert rows[2]["status"] == "matched" and rows[2]["hits"][0]["work"] == work_of["coffee.png"]
    assert rows[3]["status"] == "no_match" and rows[3]["hits"] == []
    assert rows[4]["status"] == "error" and "line 4: not valid JSON" in rows[4]["error"]
    assert rows[5]["status"] == "error" and "gone.jpg not found" in rows[5]["error"]
    assert rows[6]["status"] == "error" and "not readable" in rows[6]["error"]
    assert rows[7]["status"] == "duplicate"
    assert rows[8]["status"] == "matched" and rows[8]["hits"][0]["work"] == work_of["chelsea.png"]
    assert rows[9]["status"] == "error" and "could not fetch" in rows[9]["error"]
    assert rows[10]["status"] == "error" and "missing image_url" in rows[10]["error"]
    assert out[-1]["summary"] == {"read": 10, "matched": 3, "hits_created": 3, "duplicates": 1, "errors": 5}

    again = _json_lines(run(fresh_env, "hits", "ingest", str(crawl), "--json").stdout)   # the folder form
    assert again[-1]["summary"]["hits_created"] == 0 and again[-1]["summary"]["duplicates"] == 5

    vague = run(fresh_env, "hits", "whitelist", "blog.example.fr", check=False)    # whose? never "all" by default
    assert vague.returncode == 2 and "--client ID for one client, or --all-clients" in vague.stderr
    preview = run(fresh_env, "hits", "whitelist", "blog.example.fr", "--all-clients", "--dry-run").stdout
    assert preview.startswith("1 undecided hits")
    done = run(fresh_env, "hits", "whitelist", "blog.example.fr", "--all-clients").stdout
    assert "1 hits changed" in done
    transforms.crop(photo("coffee.png"), 0.6).save(crawl / "c2.jpg", quality=80)
    (crawl / "later.jsonl").write_text(json.dumps(
        {"image_url": "https://blog.example.fr/c2.jpg", "page_url": "https://blog.example.fr/other",
         "found_at": "2026-11-21T09:00:00Z", "image_path": "c2.jpg"}))
    ruled = _json_lines(run(fresh_env, "hits", "ingest", str(crawl / "later.jsonl"), "--json").stdout)
    assert ruled[0]["status"] == "no_match"
    assert ruled[0]["ruled_out"] == [{"work": ruled[0]["ruled_out"][0]["work"], "rule": "whitelisted",
                                      "site": "blog.example.fr"}]


PAGE = """<!doctype html><html><head>
<meta property="og:image" content="/media/og.jpg">
<title>Our hotel</title></head><body>
<img src="img/cat.jpg" alt="">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="/media/small.jpg 480w, /media/coffee.jpg 1200w">
<picture><source srcset="/media/pic.webp 1x, /media/moon.jpg 2x"><img src="/media/missing.jpg"></picture>
<a href="/media/linked.JPG">full size</a> <a href="/about.html">about us</a>
<img src="img/cat.jpg">
</body></html>"""


def test_page_images_finds_every_kind_of_image_once():
    from caseapp.hits.fetcher import page_images

    found = page_images(PAGE, "http://127.0.0.1:8000/hotel/index.html")
    assert found == ["http://127.0.0.1:8000/media/og.jpg", "http://127.0.0.1:8000/hotel/img/cat.jpg",
                     "http://127.0.0.1:8000/media/coffee.jpg", "http://127.0.0.1:8000/media/moon.jpg",
                     "http://127.0.0.1:8000/media/missing.jpg", "http://127.0.0.1:8000/media/linked.JPG"]


def test_fetch_a_page_and_ingest_its_images(fresh_env, tmp_path, web):  # noqa: F811
    run(fresh_env, "db", "upgrade")
    run(fresh_env, "demo", "--cases", "3", "--works", "2", "--hits", "0")
    works = tmp_path / "works"
    works.mkdir()
    for name in ("chelsea.png", "coffee.png"):
        photo(name).save(works / name.replace(".png", ".jpg"), quality=92)
    imported = _json_lines(run(fresh_env, "works", "import", str(works), "--client", "2", "--json").stdout)
    work_of = {r["file"]: r["work"] for r in imported if "file" in r}

    www, base = web
    (www / "hotel").mkdir()
    (www / "hotel" / "img").mkdir()
    (www / "media").mkdir()
    (www / "hotel" / "index.html").write_text(PAGE)
    transforms.crop(photo("chelsea.png"), 0.75).save(www / "hotel" / "img" / "cat.jpg", quality=85)
    transforms.rotate(photo("coffee.png")).save(www / "media" / "coffee.jpg", quality=85)
    photo("moon.png").save(www / "media" / "moon.jpg")
    photo("astronaut.png").save(www / "media" / "og.jpg")
    (www / "media" / "linked.JPG").write_text("not an image at all")

    refused = run(fresh_env, "hits", "fetch", f"{base}/hotel/index.html", check=False)
    assert refused.returncode != 0 and "private or local address" in refused.stderr   # not by default
    fresh_env["CASEAPP_FETCH_PRIVATE"] = "1"
    out = _json_lines(run(fresh_env, "hits", "fetch", f"{base}/hotel/index.html", "--json").stdout)
    rows = {r["line"]: r for r in out if "line" in r}
    assert [rows[n]["status"] for n in range(1, 7)] == ["no_match", "matched", "matched", "no_match", "error", "error"]
    assert rows[2]["hits"][0]["work"] == work_of["chelsea.jpg"]
    assert rows[3]["hits"][0]["work"] == work_of["coffee.jpg"]
    assert "could not fetch" in rows[5]["error"] and "not readable" in rows[6]["error"]
    assert out[-1]["summary"] == {"read": 6, "matched": 2, "hits_created": 2, "duplicates": 0, "errors": 2}

    again = _json_lines(run(fresh_env, "hits", "fetch", f"{base}/hotel/index.html", "--json").stdout)
    assert again[-1]["summary"]["duplicates"] == 4

    missing = run(fresh_env, "hits", "fetch", f"{base}/nothing-here.html", check=False)
    assert missing.returncode != 0 and "could not fetch" in missing.stderr and "Nothing was ingested" in missing.stderr
