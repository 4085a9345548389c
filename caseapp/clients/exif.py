"""What an image file says about itself (EXIF): the camera, when it was taken, who made it
and whose it is. Evidence of ownership, read once when a work is added.

GPS (the GPS IFD, tag 0x8825) is never read: where a photographer stood is not ours to keep
or show. The file itself stays in the store as the client gave it, byte for byte (it is the
client's original: its metadata, GPS included, is part of it), and only the fields below
reach the database and the pages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from PIL import Image

# Tags of IFD0 and of the Exif IFD (Pillow's ExifTags.Base values).
MAKE, MODEL, DATETIME, ARTIST, COPYRIGHT = 0x010F, 0x0110, 0x0132, 0x013B, 0x8298
EXIF_IFD, DATETIME_ORIGINAL = 0x8769, 0x9003
# The columns' lengths (clients.models.Work).
CAMERA_MAX, ARTIST_MAX, COPYRIGHT_MAX = 200, 200, 300
YEARS = (1900, 2200)
_STAMP = re.compile(r"\s*(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


@dataclass(frozen=True)
class ExifFacts:
    camera: str | None = None
    captured_at: datetime | None = None     # the camera's clock, read as UTC (EXIF has no zone)
    artist: str | None = None
    copyright_notice: str | None = None


def read_exif(image: Image.Image) -> ExifFacts:
    """The facts of an opened image's EXIF (nothing is decoded: only the header is read).
    A value that is missing, empty or unreadable is None; a broken EXIF block is no EXIF."""
    try:
        exif = image.getexif()
        sub = exif.get_ifd(EXIF_IFD)
    except Exception:  # noqa: BLE001  (a broken EXIF block is a camera's bug, not the file's refusal)
        return ExifFacts()
    make, model = _text(exif.get(MAKE), CAMERA_MAX), _text(exif.get(MODEL), CAMERA_MAX)
    if make and model and model.lower().startswith(make.lower().split()[0]):
        camera = model                        # "Canon" + "Canon EOS R5": the model says it all
    else:
        camera = " ".join(part for part in (make, model) if part) or None
    return ExifFacts(
        camera=camera[:CAMERA_MAX] if camera else None,
        captured_at=capture_time(sub.get(DATETIME_ORIGINAL)) or capture_time(exif.get(DATETIME)),
        artist=_text(exif.get(ARTIST), ARTIST_MAX),
        copyright_notice=_text(exif.get(COPYRIGHT), COPYRIGHT_MAX),
    )


def capture_time(value) -> datetime | None:
    """'2024:05:17 14:03:09' (EXIF's form; '-' and 'T' are taken too) as an aware UTC datetime;
    None for anything else, an impossible date, or a year outside 1900-2200."""
    text = _text(value, 64)
    match = _STAMP.match(text) if text else None
    if not match:
        return None
    year, month, day, hour, minute, second = map(int, match.groups())
    if not YEARS[0] <= year <= YEARS[1]:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError:
        return None


def _text(value, limit: int) -> str | None:
    """An EXIF text value as we keep it: decoded (bytes as UTF-8, else Latin-1), NULs and
    control characters gone, spaces collapsed, at most `limit` characters; None when empty."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return cleaned[:limit] or None
