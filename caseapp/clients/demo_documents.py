"""A demo client's signed mandate: a one-page PDF made by hand (no renderer needed), so that
the demo shows a mandate on file that opens in any PDF reader."""
from __future__ import annotations


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def mandate_pdf(client_name: str, signed_on: str) -> bytes:
    """A minimal, valid PDF 1.4 with the mandate's words (Latin-1 text, Helvetica)."""
    lines = ["Mandate", "", f"{client_name} instructs the firm to enforce its image rights",
             "(licence claims, collection, court) and to receive payments on its behalf.",
             "", f"Signed on {signed_on}.", "", "(Demo document.)"]
    body = ["BT", "/F1 12 Tf", "72 760 Td", "16 TL"]
    body += [f"({_escape(line)}) Tj T*" for line in lines]
    body.append("ET")
    stream = "\n".join(body).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
