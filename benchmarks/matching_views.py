"""Benchmark: other views of a scene are not copies, and copies of self-similar works are.

    .venv/bin/python benchmarks/matching_views.py --save /tmp/views-base.json
    .venv/bin/python benchmarks/matching_views.py --compare /tmp/views-base.json

The two sides a change to verification (`matching/verify.py`, the second-plane discount of
`Index.plane_factor`) must be weighed on (issue 21). A copy of a self-similar work (a symmetric
picture, a repeated texture, a silhouette) matches the work's look-alike parts as well as its
own, and the second-plane discount, meant for another photograph of the same scene taken from
beside, can zero it; loosening the discount finds those copies and also calls other views of
repeated textures copies (docs/benchmarks.md: "a pile-up is not a plane", and the ninth
session). Composites of a part drawn aside were a weak check (the pile-up rule made 1 more
of 90 a copy, and 57 more of 1,138 views the review rendered), so this renders views with
parallax, as that review did:

Scenes: the photographs of `matching_scale.base_images` (scikit-image's, 256 pixels or more),
the lomiri-wallpapers-16.04 photographs in /usr/share/backgrounds when installed (at most
--wallpapers, read at 800 pixels), and four drawn ones (a building front, a picket fence,
tiles, a text page). They are the index's references.

Views (not copies): `tests/matching/transforms.other_view` with made-up disparity maps, far
8 pixels and near 40 (STEP: the right half nearer; BOX: a box in front; STAIRS: four steps;
BLOBS: five soft blobs, seeded; COLUMNS: every other eighth of the width nearer), the camera
0.5, 1.0 and 1.5 disparities aside and 0 or 0.2 closer, saved as JPEG 60 and 90: 60 a scene.
A view is called a copy when any of the three best answers is a match.

Copies: `matching_scale.queries_of` (a crop, a turn, a mirror, a caption band) of each scene;
found when the scene comes first and is a match.

Views of flat works (FLAT: a graphic, a drawing, a document, a computed picture, the sky: no
photograph of one can show parallax) are no scene's other view: they are reported apart
(flat_views, flat_views_called_copies), not counted as false copies; their copies count. With
--folder DIR the scenes are that folder's pictures instead, none of them flat (a bound can be
chosen on pictures this benchmark does not score: benchmarks/tuning_pictures.py makes the
tuning set's).

Reported: views called copies and copies found, with the scenes they are of. --save writes
every case's call and best score; --compare reads such a file and lists the cases whose call
changed (new false copies, views no longer called copies, copies now found or lost, and flat
works' views now or no longer called copies). The base of a change is a run of the same
scenes (`--only`, `--wallpapers`, `--folder`: the same names and pixels, checked) on the same
machine and virtual environment; a run is deterministic (each homography call seeds its own
draws, matching/verify.py, and each scene's made-up depths are seeded by its name), so every
change listed is the change's.

With --planes (and --save), each case also keeps the second fits of its searches, described
(benchmarks/matching_planes.py, which replays rules about them on the saved file).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "matching"))     # transforms.other_view renders the views

FAR, NEAR = 8.0, 40.0
MAPS = ("step", "box", "stairs", "blobs", "columns")
SIDEWAYS = (0.5, 1.0, 1.5)
CLOSER = (0.0, 0.2)
QUALITIES = (60, 90)
WALLPAPERS = Path("/usr/share/backgrounds")
DRAWN = ("building", "fence", "tiles", "textpage")
COPIES = ("crop", "turned", "mirrored", "caption band")

# Flat works: pictures whose subject has no depth a camera could show parallax in. A graphic, a
# drawing, a document, a 2D render or a picture computed from measurements has no camera behind
# it, and anything photographed of it is one plane, a homography of it (what a copy is); a
# microscope's slide and the deep sky have depth no second camera position within reach shows.
# A view of one with made-up parallax is a picture nobody can take, neither a copy nor another
# photographer's view of a scene, so its views are reported apart and are not counted as false
# copies; its copies count as any other scene's. Decided by what each picture shows (the tenth
# session), on the physics alone: the rule whose false copies raised the question is not what
# decides it (docs/benchmarks.md).
# Where in doubt a picture stays a scene (a brick wall, coins, a fundus photograph, an
# embossed texture, the moon's surface, whose camera's place is not known, and the drawn
# building, fence and tiles, which stand for photographs).
FLAT = {
    "color.png": "a colour wheel: a graphic",
    "horse.png": "a silhouette: a drawing",
    "logo.png": "scikit-image's logo: a graphic",
    "phantom.png": "the Shepp-Logan phantom: a synthetic slice",
    "drawn-textpage": "a page of text: a document",
    "umang_by_Abhishek_Mudgal.jpg": "soft colour fields: a 2D render, no camera",
    "cell.png": "a cell's phase computed from a digital hologram (scikit-image's data.cell): no camera",
    "ihc.png": "a stained tissue slide under a microscope",
    "hubble_deep_field.jpg": "the deep sky: no parallax within any camera's reach",
}


def disparity(kind: str, width: int, height: int, seed: int) -> np.ndarray:
    """A made-up disparity map (pixels; larger is nearer) of `kind` (MAPS)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    if kind == "step":
        return np.where(xx > width / 2, NEAR, FAR)
    if kind == "box":
        inside = (np.abs(xx - width / 2) < width / 5) & (np.abs(yy - height / 2) < height / 5)
        return np.where(inside, NEAR, FAR)
    if kind == "stairs":
        return FAR + np.floor(xx * 4 / width) * (NEAR - FAR) / 3
    if kind == "blobs":
        rng = np.random.default_rng(seed)
        bump = np.zeros_like(xx)
        for cx, cy, r in zip(rng.random(5) * width, rng.random(5) * height, (0.06 + 0.1 * rng.random(5)) * width):
            bump += np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        return FAR + (NEAR - FAR) * np.clip(bump, 0, 1)
    if kind == "columns":
        return np.where(np.floor(xx * 8 / width) % 2 == 1, NEAR, FAR)
    raise ValueError(f"no disparity map called {kind!r}; one of {', '.join(MAPS)}")


def drawn(kind: str, seed: int = 0):
    """A drawn scene of repeated parts (DRAWN), 640 x 480."""
    from PIL import Image, ImageDraw, ImageFont

    rng = np.random.default_rng(seed)
    im = Image.new("RGB", (640, 480), (200, 190, 170))
    d = ImageDraw.Draw(im)
    if kind == "building":
        d.rectangle((0, 0, 640, 480), fill=(170, 120, 90))
        for row in range(5):
            for col in range(8):
                x, y = 20 + col * 78, 20 + row * 92
                d.rectangle((x, y, x + 50, y + 64), fill=(60, 70, 90), outline=(240, 240, 230), width=4)
                d.line((x + 25, y, x + 25, y + 64), fill=(240, 240, 230), width=3)
    elif kind == "fence":
        d.rectangle((0, 0, 640, 240), fill=(120, 160, 210))
        d.rectangle((0, 240, 640, 480), fill=(80, 130, 60))
        for x in range(10, 640, 36):
            d.polygon([(x, 130), (x + 12, 110), (x + 24, 130), (x + 24, 420), (x, 420)], fill=(245, 245, 240),
                      outline=(90, 90, 90))
        for y in (170, 360):
            d.rectangle((0, y, 640, y + 14), fill=(230, 230, 225), outline=(90, 90, 90))
    elif kind == "tiles":
        for row in range(12):
            for col in range(16):
                tone = int(150 + 60 * rng.random())
                x, y = col * 40, row * 40
                d.rectangle((x + 2, y + 2, x + 38, y + 38), fill=(tone, tone - 20, tone - 40))
    elif kind == "textpage":
        d.rectangle((0, 0, 640, 480), fill=(250, 250, 245))
        try:
            font = ImageFont.load_default(size=15)
        except TypeError:  # older Pillow
            font = ImageFont.load_default()
        words = "the court held that the photograph was copied without a licence and awarded damages".split()
        for line in range(24):
            text = " ".join(rng.choice(words, 9))
            d.text((30, 12 + line * 19), text, fill=(20, 20, 20), font=font)
    else:
        raise ValueError(f"no drawn scene called {kind!r}; one of {', '.join(DRAWN)}")
    return im


def _read(path: Path, what: str):
    """A picture at 800 pixels at most, as RGB; a file that cannot be read is named."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.draft("RGB", (800, 800))
            im = im.convert("RGB")
    except (OSError, Image.DecompressionBombError) as error:
        raise SystemExit(f"{path}: cannot be read ({error}); {what}")
    im.thumbnail((800, 800))
    return im


def scenes(wallpapers: int, only: list[str] | None = None, folder: str | None = None) -> dict:
    """name -> PIL image of every scene (the references): the photographs, wallpapers and
    drawings above, or (folder) that folder's JPEG and PNG pictures instead."""
    from PIL import Image

    from matching_scale import base_images

    out = {}
    if folder:
        try:
            files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        except OSError as error:
            raise SystemExit(f"--folder {folder}: cannot be listed ({error})")
        for path in files:
            out[path.name] = _read(path, "remove it from the folder or mend it")
        if not out:
            raise SystemExit(f"--folder {folder}: no JPEG or PNG picture in it")
    else:
        for path in base_images(None):
            with Image.open(path) as im:
                out[path.name] = im.convert("RGB")
        if WALLPAPERS.is_dir():
            for path in sorted(WALLPAPERS.glob("*.jpg"))[:wallpapers]:
                out[path.name] = _read(path, "reinstall lomiri-wallpapers-16.04 or leave the wallpapers out "
                                             "with --wallpapers 0")
        for kind in DRAWN:
            out[f"drawn-{kind}"] = drawn(kind)
    if only:
        kept = {name: im for name, im in out.items() if any(o in name for o in only)}
        if not kept:
            raise SystemExit(f"--only {' '.join(only)}: no scene's name contains that; the scenes are "
                             f"{', '.join(sorted(out))}")
        out = kept
    return out


def _jpeg(im, quality: int) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


_ENGINE = None


_PLANES = False


def _open(index: str, planes: bool = False) -> None:
    global _ENGINE, _PLANES
    if planes:   # --planes: each search's second fits described (matching_planes)
        import matching_planes

        matching_planes.install()
        _PLANES = True
    import faiss

    from matching.engine import Engine

    faiss.omp_set_num_threads(1)
    _ENGINE = Engine.open(index)
    _ENGINE.make_searchable()


def views_of(name: str, image):
    """A scene's other views (the module's docstring) as (case, JPEG bytes), rendered one at a
    time; benchmarks/matching_photometric.py measures the same cases."""
    import transforms

    for kind in MAPS:
        disp = disparity(kind, image.size[0], image.size[1], zlib.crc32(name.encode()))
        for sideways in SIDEWAYS:
            for closer in CLOSER:
                view = transforms.other_view(image, disp, sideways, closer)
                for quality in QUALITIES:
                    yield (f"view {name} {kind} aside {sideways} closer {closer} jpeg {quality}",
                           _jpeg(view, quality))


def copies_of(name: str, image):
    """A scene's copies (matching_scale.queries_of) as (case, JPEG bytes)."""
    from matching_scale import queries_of

    buf = io.BytesIO()
    image.save(buf, "PNG")
    buf.seek(0)
    for kind, data in zip(COPIES, queries_of(buf)):
        yield f"copy {name} {kind}", data


def _searched(name: str, cases, called) -> list[tuple]:
    """Search each of a scene's (case, JPEG bytes): [(case, its record)] (_case), the call
    being `called(found)`."""
    out = []
    for case, data in cases:
        found = _ENGINE.search(data, k=3)
        out.append(_case(case, name, called(found), found))
    return out


def _views_of(task) -> list[tuple]:
    """Render one scene's views and search them: a view is called a copy when any answer is."""
    name, image = task
    return _searched(name, views_of(name, image), lambda found: any(m.match for m in found))


def _copies_of(task) -> list[tuple]:
    """Search one scene's copies: found when the scene comes first and is a match."""
    name, image = task
    return _searched(name, copies_of(name, image),
                     lambda found: bool(found and found[0].ref_id == name and found[0].match))


def _case(case: str, scene: str, call: bool, found) -> tuple:
    """(case, {scene, call, best score, best reference}) as a run's `cases` keep it."""
    best = found[0] if found else None
    record = {"scene": scene, "call": call, "score": round(best.score, 3) if best else 0.0,
              "ref": best.ref_id if best else None}
    if _PLANES:   # --planes: the second fits of the searches behind this case (matching_planes)
        import matching_planes

        record["planes"] = matching_planes.taken()
    return case, record


def run(args, pictures: dict) -> dict:
    """Index `pictures` (scenes()), render and search every scene's views and copies."""
    from tqdm import tqdm

    from matching.engine import Engine

    tasks = sorted(pictures.items())
    cases: dict = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="views-index-") as index:
        engine = Engine.open(index)
        errors = engine.add_many((name, _jpeg(im, 95)) for name, im in tasks)
        if errors:
            raise SystemExit(f"could not index: {errors}")
        engine.save()
        planes = bool(getattr(args, "planes", False))
        with ProcessPoolExecutor(args.workers, initializer=_open, initargs=(index, planes)) as pool:
            jobs = [(t[0], pool.submit(_copies_of, t)) for t in tasks] + \
                   [(t[0], pool.submit(_views_of, t)) for t in tasks]
            for scene, job in tqdm(jobs, desc="scenes (copies, then views)", unit="scene"):
                try:
                    cases.update(job.result())
                except Exception as error:
                    pool.shutdown(cancel_futures=True)
                    raise SystemExit(f"{scene}: {type(error).__name__}: {error}") from error
    return result_of(args, pictures, cases, time.perf_counter() - t0)


def result_of(args, pictures: dict, cases: dict, seconds: float) -> dict:
    """What a run saves: its settings (the flat works among them: none of a --folder's), counts and cases."""
    names = sorted(pictures)
    flat = flat_works(names, args.folder)
    return {"settings": {"scenes": names, "wallpapers": args.wallpapers, "only": args.only or [],
                         "folder": args.folder, "flat": sorted(flat), "fingerprints": fingerprints(pictures)},
            **{k: v for k, v in tally(cases, flat).items() if not isinstance(v, list)},
            "seconds": round(seconds, 1), "cases": cases}


def flat_works(names, folder: str | None) -> set:
    """The scenes among `names` whose views are reported apart (FLAT); none of a --folder's,
    whatever their names (a folder's horse.png is not scikit-image's)."""
    return set() if folder else set(names) & set(FLAT)


def fingerprints(pictures: dict) -> dict:
    """name -> CRC-32 of the scene's pixels: a base of other pictures under the same names is refused."""
    return {name: zlib.crc32(im.tobytes()) for name, im in sorted(pictures.items())}


def tally(cases: dict, flat: set) -> dict:
    """A run's counts from its `cases`: views of scenes (a view called a copy is a false copy),
    views of flat works apart, copies; the scenes with false copies, the copies missed."""
    views = [v for c, v in cases.items() if c.startswith("view ") and v["scene"] not in flat]
    flat_views = [v for c, v in cases.items() if c.startswith("view ") and v["scene"] in flat]
    copies = {c: v for c, v in cases.items() if c.startswith("copy ")}
    return {"views": len(views), "views_called_copies": sum(v["call"] for v in views),
            "flat_views": len(flat_views), "flat_views_called_copies": sum(v["call"] for v in flat_views),
            "copies": len(copies), "copies_found": sum(v["call"] for v in copies.values()),
            "false_copy_scenes": sorted({v["scene"] for v in views if v["call"]}),
            "copies_missed": sorted(c[5:] for c, v in copies.items() if not v["call"])}


def compare(now: dict, before: dict, flat: set) -> dict:
    """The cases whose call changed between two runs' `cases` (views of the `flat` works apart)."""
    changed = {"new_false_copies": [], "views_no_longer_copies": [], "copies_now_found": [], "copies_lost": [],
               "flat_views_now_copies": [], "flat_views_no_longer_copies": [],
               "only_in_base": sum(case not in now for case in before),
               "only_in_this_run": sum(case not in before for case in now)}
    for case, was in before.items():
        is_ = now.get(case)
        if is_ is None or is_["call"] == was["call"]:
            continue
        if case.startswith("view ") and is_["scene"] in flat:
            key = "flat_views_now_copies" if is_["call"] else "flat_views_no_longer_copies"
        elif case.startswith("view "):
            key = "new_false_copies" if is_["call"] else "views_no_longer_copies"
        else:
            key = "copies_now_found" if is_["call"] else "copies_lost"
        changed[key].append(f"{case}: {was['score']} -> {is_['score']}")
    return changed


def _base(path: str) -> dict:
    """A run --save wrote, checked before the run (a wrong file is said at once, not in 5 minutes)."""
    file = Path(path)
    if not file.is_file():
        raise SystemExit(f"--compare {path}: no such file; make it with --save on the base first")
    try:
        base = json.loads(file.read_text())
        cases = base["cases"]
        if not all({"call", "score", "scene"} <= set(v) for v in cases.values()) or "scenes" not in base["settings"]:
            raise KeyError("call, score, scene or settings")
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise SystemExit(f"--compare {path}: not a file this matching_views.py --save wrote ({type(error).__name__}: "
                         f"{error}); make one with --save on the base (a file of an older version too)")
    return base


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wallpapers", type=_at_least(0), default=15, help="at most this many Debian wallpapers as scenes")
    parser.add_argument("--only", action="append", help="only the scenes whose name contains this (repeatable)")
    parser.add_argument("--folder", help="this folder's pictures are the scenes instead (e.g. the tuning set's, to "
                                         "choose a bound on pictures this benchmark does not score)")
    parser.add_argument("--workers", type=_at_least(1), default=2, help="processes rendering and searching")
    parser.add_argument("--save", help="write every case's call and best score to this JSON file")
    parser.add_argument("--planes", action="store_true",
                        help="with --save: keep each search's second fits too "
                             "(benchmarks/matching_planes.py replays rules about them)")
    parser.add_argument("--compare", help="a file --save wrote: list the cases whose call changed")
    args = parser.parse_args(argv)
    if args.planes and not args.save:
        parser.error("--planes keeps the second fits in the file --save writes: give --save too")
    base = _base(args.compare) if args.compare else None
    if args.save:
        target = Path(args.save).resolve()
        if target.is_dir() or not target.parent.is_dir() or not os.access(target.parent, os.W_OK):
            parser.error(f"--save {args.save}: not a file that can be written (a folder, or its folder is "
                         "missing or read-only)")
        if args.compare and Path(args.save).resolve() == Path(args.compare).resolve():
            parser.error("--save and --compare name the same file: the base would be overwritten; save elsewhere")
    if args.folder and not Path(args.folder).is_dir():
        parser.error(f"--folder {args.folder}: no such folder")
    pictures = scenes(args.wallpapers, args.only, args.folder)
    if base is not None:
        wanted = sorted(pictures)
        before = base["settings"].get("fingerprints")
        now = fingerprints(pictures) if before else None   # an older base has none to compare
        if not before:
            print(f"--compare {args.compare}: saved by an older version, without the scenes' pixel "
                  "fingerprints: only their names are checked", file=sys.stderr)
        if wanted == sorted(base["settings"]["scenes"]) and before and before != now:
            parser.error(f"--compare {args.compare} was run on other pictures under the same names ("
                         f"{', '.join(n for n, crc in now.items() if before.get(n) != crc)}); "
                         "compare runs of the same pictures")
        if wanted != sorted(base["settings"]["scenes"]):
            parser.error(f"--compare {args.compare} was run on other scenes ({len(base['settings']['scenes'])}: "
                         f"--only {base['settings'].get('only')}, --wallpapers {base['settings'].get('wallpapers')}, "
                         f"--folder {base['settings'].get('folder')}) than this run ({len(wanted)}); run both with "
                         "the same --only, --wallpapers and --folder")
    result = run(args, pictures)
    if args.save:
        Path(args.save).write_text(json.dumps(result, indent=1))
    flat = set(result["settings"]["flat"])
    summary = {"scenes": len(result["settings"]["scenes"]), **tally(result["cases"], flat),
               "flat_works": sorted(flat), "seconds": result["seconds"]}
    if base is not None:
        summary["changed"] = compare(result["cases"], base["cases"], flat)
    print(json.dumps(summary, indent=1))
    return 0


def _at_least(low: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: a whole number, at least {low}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value}: at least {low}")
        return value
    return parse


if __name__ == "__main__":
    raise SystemExit(main())
