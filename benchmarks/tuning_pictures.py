"""The tuning set's pictures as two folders, for `matching_views.py --folder`: a bound is chosen
on them, not on the pictures the views and scale benchmarks score (issue 21).

    .venv/bin/python benchmarks/tuning_pictures.py --out /tmp/tuning
    .venv/bin/python benchmarks/matching_views.py --folder /tmp/tuning/wallpapers --save base.json

wallpapers/: one picture of each wallpaper of the tuning set's works (plasma-workspace-wallpapers,
lomiri-wallpapers-20.04, lomiri-wallpapers): the largest file under its contents/images, named
after the wallpaper, and the packages' /usr/share/backgrounds pictures as they are, a link to
another picture left out (35; the tenth session's runs had 36, lomiri's default background, a
link to warty-final-ubuntu.png, among them).
icons/: one icon of each name family (the name up to its first '-' or '.', without "org.kde.")
of the tuning set's filler (oxygen-icon-theme), from its 256-pixel apps, devices, categories,
status and actions icons, the first by path, on white at 512 pixels (65): self-similar
graphics, the kind the second-plane discount struggles with.

The packages are fetched with `apt-get download` (the yardstick's bench.py fetches the same).
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WORKS = ("plasma-workspace-wallpapers", "lomiri-wallpapers-20.04", "lomiri-wallpapers")
FILLER = ("oxygen-icon-theme",)
ICON_KINDS = ("apps", "devices", "categories", "status", "actions")
PICTURE = (".jpg", ".jpeg", ".png")


def _picture(path: Path) -> bool:
    """A JPEG or PNG file of its own (a link to another picture would put it in twice)."""
    return path.suffix.lower() in PICTURE and path.is_file() and not path.is_symlink()


def wallpapers(root: Path, out: Path) -> list[str]:
    """Copy one picture a wallpaper (and the backgrounds) from an unpacked tree `root` to `out`."""
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for folder in sorted((root / "usr/share/wallpapers").glob("*")):
        found = [p for p in (folder / "contents" / "images").glob("*") if _picture(p)]
        if found:
            best = max(found, key=lambda p: (p.stat().st_size, p.name))
            names.append(f"{folder.name}{best.suffix}")
            shutil.copyfile(best, out / names[-1])
    for picture in sorted((root / "usr/share/backgrounds").glob("*")):
        if _picture(picture):
            names.append(picture.name)
            shutil.copyfile(picture, out / picture.name)
    return names


def family(stem: str) -> str:
    """An icon's name family: its name up to the first '-' or '.', without "org.kde."."""
    return re.split(r"[-.]", stem.replace("org.kde.", ""))[0]


def icons(root: Path, out: Path, side: int = 512) -> list[str]:
    """One icon of each name family from an unpacked icon theme `root`, on white, `side` pixels."""
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    first: dict[str, Path] = {}
    for path in sorted(root.rglob("256x256/*/*.png")):
        if path.parent.name in ICON_KINDS:
            first.setdefault(family(path.stem), path)
    for path in first.values():
        with Image.open(path) as im:
            icon = im.convert("RGBA")
        page = Image.new("RGBA", icon.size, "white")
        page.alpha_composite(icon)
        page.convert("RGB").resize((side, side), Image.LANCZOS).save(out / f"{path.stem}.png")
    return sorted(f"{p.stem}.png" for p in first.values())


def unpack(packages, into: Path) -> Path:
    """apt-get download the packages and unpack them all into `into`/root."""
    debs = into / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    _run(["apt-get", "download", *packages], debs, "this needs Debian's package index (apt-get update) and its mirror")
    found = sorted(debs.glob("*.deb"))
    if not found:
        raise SystemExit(f"apt-get download {' '.join(packages)} fetched nothing; check the package names")
    root = into / "root"
    for deb in found:
        _run(["dpkg-deb", "-x", str(deb), str(root)], debs, f"{deb.name} may be cut short: run again")
    return root


def _run(command: list[str], cwd: Path, hint: str) -> None:
    """Run a command; its failure (or its absence) said in one line with what to do."""
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        raise SystemExit(f"{command[0]} not found: this script runs on Debian (or a derivative) only")
    except (OSError, subprocess.CalledProcessError) as error:
        detail = (getattr(error, "stderr", "") or str(error)).strip()
        raise SystemExit(f"{' '.join(command[:2])} failed: {detail}; {hint}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder to make wallpapers/ and icons/ in")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        parser.error(f"--out {args.out}: a file, not a folder; choose a folder")
    for sub in ("wallpapers", "icons"):
        if (out / sub).exists() and (not (out / sub).is_dir() or any((out / sub).iterdir())):
            parser.error(f"--out {args.out}: {out / sub} is there already and not empty; choose another --out")
    with tempfile.TemporaryDirectory(prefix="tuning-debs-") as tmp:
        walls = wallpapers(unpack(WORKS, Path(tmp) / "works"), out / "wallpapers")
        marks = icons(unpack(FILLER, Path(tmp) / "filler"), out / "icons")
    if not walls or not marks:
        raise SystemExit(f"the packages held {len(walls)} wallpapers and {len(marks)} icons where both were "
                         "expected: their layout has changed; see wallpapers() and icons()")
    print(f"{out / 'wallpapers'}: {len(walls)} pictures; {out / 'icons'}: {len(marks)} icons")
    return 0


if __name__ == "__main__":
    sys.exit(main())
