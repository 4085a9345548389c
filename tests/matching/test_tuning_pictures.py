"""benchmarks/tuning_pictures.py: which of the tuning set's pictures become the folders a bound
is chosen on (one a wallpaper, one icon a name family), without fetching anything."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import tuning_pictures as tuning  # noqa: E402


def _picture(path: Path, size=(40, 30), colour="red", mode="RGB", noise: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new(mode, size, colour)
    if noise:   # a bigger file of the same size in pixels
        im = Image.effect_noise(size, noise).convert(mode)
    im.save(path)
    return path


def test_each_wallpaper_gives_its_largest_picture_named_after_it_and_the_backgrounds_come_as_they_are(tmp_path):
    root = tmp_path / "root"
    walls = root / "usr/share/wallpapers"
    _picture(walls / "Flow/contents/images/640x480.png")        # last by name, not the largest file
    big = _picture(walls / "Flow/contents/images/1920x1080.png", size=(120, 90), noise=80)
    _picture(walls / "Flow/contents/images_dark/5120x2880.png", size=(200, 150), noise=80)  # the dark one: not taken
    _picture(walls / "Kite/contents/images/3840x2160.jpg")
    (walls / "Empty/contents/images").mkdir(parents=True)
    (walls / "Kite/contents/images/metadata.json").write_text("{}")
    _picture(root / "usr/share/backgrounds/warty.png")
    (root / "usr/share/backgrounds/default.png").symlink_to("warty.png")           # a link: the same picture
    (walls / "Linked/contents/images").mkdir(parents=True)
    (walls / "Linked/contents/images/big.png").symlink_to(big)
    out = tmp_path / "out"
    assert tuning.wallpapers(root, out) == ["Flow.png", "Kite.jpg", "warty.png"]
    assert sorted(p.name for p in out.iterdir()) == ["Flow.png", "Kite.jpg", "warty.png"]
    assert (out / "Flow.png").read_bytes() == big.read_bytes()


@pytest.mark.parametrize("stem, family", [("media-optical-dvd", "media"), ("org.kde.plasma.analogclock", "plasma"),
                                          ("clock", "clock"), ("k3b", "k3b")])
def test_an_icon_s_family_is_its_name_up_to_the_first_dash_or_dot(stem, family):
    assert tuning.family(stem) == family


def test_one_icon_a_family_from_the_256_pixel_kinds_on_white_at_512(tmp_path):
    theme = tmp_path / "oxygen/base/256x256"
    _picture(theme / "devices/media-optical-audio.png", size=(256, 256), colour=(0, 0, 255, 0), mode="RGBA")
    _picture(theme / "devices/media-optical-dvd.png", size=(256, 256))          # same family, later by path
    _picture(theme / "apps/clock.png", size=(256, 256))
    _picture(theme / "categories/applications-science.png", size=(256, 256))
    _picture(theme / "mimetypes/application-pdf.png", size=(256, 256))         # a document icon: not a kind taken
    _picture(tmp_path / "oxygen/base/64x64/apps/zanshin.png", size=(64, 64))    # another size: not taken
    out = tmp_path / "out"
    assert tuning.icons(tmp_path / "oxygen", out) == ["applications-science.png", "clock.png", "media-optical-audio.png"]
    with Image.open(out / "media-optical-audio.png") as im:
        assert im.size == (512, 512) and im.mode == "RGB"
        assert im.getpixel((10, 10)) == (255, 255, 255)                         # transparent became white


def test_main_makes_wallpapers_from_the_works_and_icons_from_the_filler(tmp_path, monkeypatch, capsys):
    def unpack(packages, into):
        root = into / "root"
        if packages == tuning.WORKS:
            _picture(root / "usr/share/backgrounds/warty.png")
        elif packages == tuning.FILLER:
            _picture(root / "oxygen/base/256x256/apps/clock.png", size=(256, 256))
        return root
    monkeypatch.setattr(tuning, "unpack", unpack)
    assert tuning.main(["--out", str(tmp_path / "t")]) == 0
    assert [p.name for p in (tmp_path / "t/wallpapers").iterdir()] == ["warty.png"]
    assert [p.name for p in (tmp_path / "t/icons").iterdir()] == ["clock.png"]
    assert "1 pictures" in capsys.readouterr().out
    monkeypatch.setattr(tuning, "unpack", lambda packages, into: into)               # nothing in them
    with pytest.raises(SystemExit, match="0 wallpapers and 0 icons"):
        tuning.main(["--out", str(tmp_path / "empty")])


def test_a_missing_tool_or_a_broken_package_is_said_in_one_line(tmp_path, monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError(2, "No such file", args[0][0])
    monkeypatch.setattr(tuning.subprocess, "run", missing)
    with pytest.raises(SystemExit, match="apt-get not found: this script runs on Debian"):
        tuning.unpack(["oxygen-icon-theme"], tmp_path / "x")
    monkeypatch.setattr(tuning.subprocess, "run", lambda *a, **k: None)             # a download that fetched nothing
    with pytest.raises(SystemExit, match="fetched nothing"):
        tuning.unpack(["oxygen-icon-theme"], tmp_path / "y")

    def broken(command, **kwargs):
        if command[0] == "dpkg-deb":
            raise subprocess.CalledProcessError(2, command, stderr="dpkg-deb: error: archive is not a Debian package")
        (kwargs["cwd"] / "oxygen.deb").write_bytes(b"cut short")
    monkeypatch.setattr(tuning.subprocess, "run", broken)
    with pytest.raises(SystemExit, match="dpkg-deb -x failed: .*not a Debian package; oxygen.deb may be cut short"):
        tuning.unpack(["oxygen-icon-theme"], tmp_path / "z")


def test_a_failed_download_says_what_it_needs_and_a_used_folder_is_refused(tmp_path, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise subprocess.CalledProcessError(100, args[0], stderr="E: Unable to locate package oxygen-icon-theme")
    monkeypatch.setattr(tuning.subprocess, "run", fail)
    with pytest.raises(SystemExit, match="Unable to locate package.*apt-get update"):
        tuning.unpack(["oxygen-icon-theme"], tmp_path / "x")
    for used in ("used/icons/clock.png", "used2/wallpapers/warty.png"):
        _picture(tmp_path / used)
        with pytest.raises(SystemExit):
            tuning.main(["--out", str(tmp_path / used.split("/")[0])])
        assert "not empty; choose another --out" in capsys.readouterr().err
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(SystemExit):
        tuning.main(["--out", str(tmp_path / "a-file")])
    assert "a file, not a folder" in capsys.readouterr().err
