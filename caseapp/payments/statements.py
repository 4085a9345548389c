"""Reading bank statement files into plain records: ISO 20022 camt.053 (validated against the
official schema shipped in `schemas/`, versions 001.02 and 001.08) and our CSV layout.

Nothing here touches the database. A file that does not validate, or an entry that cannot be
read, is refused as a whole with one line naming the entry (InvalidInput)."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from flask_babel import gettext, ngettext

from caseapp.core.errors import InvalidInput
from caseapp.core.money import Money, currency_code, shown

SCHEMAS = Path(__file__).parent / "schemas"
# The camt.053 versions we validate and read: the namespace names the version.
CAMT_VERSIONS = ("camt.053.001.08", "camt.053.001.02")
_NS = "urn:iso:std:iso:20022:tech:xsd:"
MAX_FILE_BYTES = 50 * 1024 * 1024

# The CSV layout (docs/accountant-guide.md): a header row with these columns, in any order; one line a
# booking. amount: signed decimal with a dot (credit > 0, debit < 0); dates YYYY-MM-DD.
CSV_COLUMNS = ("booked_on", "value_on", "amount", "currency", "payer_name", "payer_iban", "remittance",
               "bank_reference")
CSV_OPTIONAL = ("return_reason",)   # a debit with a return reason returns an earlier credit


@dataclass
class Entry:
    """One booking: a credit or a debit, with what identifies it and who paid."""
    where: str                      # how error messages name it: "statement S1, entry 3"
    booked_on: date
    value_on: date | None
    amount: Money                   # > 0
    direction: str                  # credit / debit
    payer_name: str | None
    payer_iban: str | None
    remittance: str | None
    reference: str                  # the bank's unique reference (or a hash of the fields)
    end_to_end_id: str | None = None
    reversal: bool = False          # RvslInd: this entry reverses an earlier one
    return_reason: str | None = None
    statement: "Statement | None" = None


@dataclass
class Statement:
    ref: str
    account: str
    currency: str
    opening: Money | None
    closing: Money | None
    closing_on: date | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class ParsedFile:
    format: str
    statements: list[Statement]
    entries: list[Entry]


def read_file(data: bytes, filename: str = "") -> ParsedFile:
    """A statement file's statements and entries: camt.053 XML or the CSV layout, by content."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(gettext("%(file)s is larger than %(mb)s MB; split it.", file=filename or gettext("The file"),
                                   mb=MAX_FILE_BYTES // 2**20))
    head = data.lstrip()[:200]
    if head.startswith(b"<") or head.startswith(b"\xef\xbb\xbf<"):
        return read_camt053(data)
    return read_csv(data)


# --- camt.053 -------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def schema(version: str):
    """The schema as xmlschema reads it: slow (9 s for 10,000 entries) but its errors name the
    element's path; used to explain a file libxml2 refused."""
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / f"{version}.xsd"))


@lru_cache(maxsize=None)
def fast_schema(version: str):
    """The same schema compiled by libxml2 (lxml): validates 10,000 entries in 0.3 s."""
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{version}.xsd")))


def _parser():
    from lxml import etree

    # No entity expansion, no DTD loading, no network: a statement file is data, not a program.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _version_of(root) -> str:
    tag = root.tag
    namespace = tag[1:].split("}")[0] if tag.startswith("{") else ""
    version = namespace[len(_NS):] if namespace.startswith(_NS) else ""
    if version not in CAMT_VERSIONS:
        raise InvalidInput(gettext("The file is not a camt.053 statement we read (namespace %(namespace)s); we read "
                                   "%(versions)s.", namespace=shown(namespace or 'none', 60),
                                   versions=', '.join(CAMT_VERSIONS)))
    return version


def read_camt053(data: bytes) -> ParsedFile:
    """Validated by libxml2 against the version's schema, then read. A file it refuses is
    validated again by xmlschema for a message naming the entry and the element."""
    from lxml import etree

    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise InvalidInput(gettext("The file is not well-formed XML: %(error)s.", error=error)) from None
    if root.getroottree().docinfo.doctype:
        raise InvalidInput(gettext("The file declares a document type (<!DOCTYPE ...>); a camt.053 statement has "
                                   "none. Export the statement from the bank again."))
    version = _version_of(root)
    validator = fast_schema(version)
    if not validator.validate(root):
        try:
            tree = ElementTree.fromstring(data)
        except ElementTree.ParseError as error:
            raise InvalidInput(gettext("The file is not well-formed XML: %(error)s.", error=error)) from None
        error = next(iter(schema(version).iter_errors(tree)), None)
        if error is not None:
            path = re.sub(r"\{[^}]*\}", "", str(error.path or ""))
            raise InvalidInput(gettext("The file does not validate against %(schema)s%(entry)s at %(path)s: %(reason)s",
                                       schema=f"{version}.xsd", entry=_entry_of(tree, error.elem, version), path=path,
                                       reason=(error.reason or str(error)).splitlines()[0]))
        first = validator.error_log.last_error
        raise InvalidInput(gettext("The file does not validate against %(schema)s at line %(line)s: %(reason)s",
                                   schema=f"{version}.xsd", line=first.line, reason=first.message))
    ns = {"c": _NS + version}
    statements: list[Statement] = []
    entries: list[Entry] = []
    for s_index, stmt in enumerate(root.iterfind("c:BkToCstmrStmt/c:Stmt", ns), 1):
        ref = _text(stmt, "c:Id", ns) or str(s_index)
        account = _text(stmt, "c:Acct/c:Id/c:IBAN", ns) or _text(stmt, "c:Acct/c:Id/c:Othr/c:Id", ns) or "?"
        currency = _text(stmt, "c:Acct/c:Ccy", ns)
        opening = closing = None
        closing_on = None
        for bal in stmt.iterfind("c:Bal", ns):
            code = _text(bal, "c:Tp/c:CdOrPrtry/c:Cd", ns) or _text(bal, "c:Tp/c:Cd", ns)
            amount = _amount(bal.find("c:Amt", ns), f"statement {ref}, balance {code}")
            if _text(bal, "c:CdtDbtInd", ns) == "DBIT":
                amount = -amount
            currency = currency or amount.currency
            if code in ("OPBD", "PRCD") and opening is None:
                opening = amount
            elif code == "CLBD":
                closing = amount
                closing_on = _date(bal.find("c:Dt", ns), ns, f"statement {ref}, closing balance")
        statement = Statement(ref, account, currency or "EUR", opening, closing, closing_on)
        for n_index, ntry in enumerate(stmt.iterfind("c:Ntry", ns), 1):
            where = f"statement {ref}, entry {n_index}"
            status = _text(ntry, "c:Sts/c:Cd", ns) or _text(ntry, "c:Sts", ns)
            if status and status != "BOOK":
                continue   # pending or information only: not money yet
            total = _amount(ntry.find("c:Amt", ns), where)
            direction = "credit" if _text(ntry, "c:CdtDbtInd", ns) == "CRDT" else "debit"
            reversal = (_text(ntry, "c:RvslInd", ns) or "").lower() == "true"
            booked_on = _date(ntry.find("c:BookgDt", ns), ns, where + " (booking date)")
            value_on = _date(ntry.find("c:ValDt", ns), ns, where + " (value date)", required=False)
            entry_ref = _text(ntry, "c:AcctSvcrRef", ns)
            details = ntry.findall("c:NtryDtls/c:TxDtls", ns)
            if not details:
                details = [None]
            parts: list[Entry] = []
            for d_index, tx in enumerate(details, 1):
                at = where + (f", transaction {d_index}" if len(details) > 1 else "")
                amount = total
                if len(details) > 1:
                    amount_node = tx.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
                    if amount_node is None:
                        amount_node = tx.find("c:Amt", ns)
                    if amount_node is None:
                        raise InvalidInput(f"{at}: a batched entry's transaction has no amount (Amt or AmtDtls).")
                    amount = _amount(amount_node, at)
                if tx is None:
                    tx = etree.Element("none")
                party = "c:RltdPties/c:Dbtr" if direction == "credit" else "c:RltdPties/c:Cdtr"
                account_path = "c:RltdPties/c:DbtrAcct" if direction == "credit" else "c:RltdPties/c:CdtrAcct"
                name = (_text(tx, party + "/c:Pty/c:Nm", ns) or _text(tx, party + "/c:Nm", ns))
                iban = _text(tx, account_path + "/c:Id/c:IBAN", ns)
                remittance = " ".join(e.text.strip() for e in tx.iterfind("c:RmtInf/c:Ustrd", ns) if e.text) or None
                if remittance is None:
                    remittance = _text(tx, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
                if remittance is None and len(details) == 1:
                    remittance = _text(ntry, "c:AddtlNtryInf", ns)
                e2e = _text(tx, "c:Refs/c:EndToEndId", ns)
                if e2e == "NOTPROVIDED":
                    e2e = None
                reason = _text(tx, "c:RtrInf/c:Rsn/c:Cd", ns) or _text(tx, "c:RtrInf/c:Rsn/c:Prtry", ns)
                tx_ref = _text(tx, "c:Refs/c:AcctSvcrRef", ns)
                if tx_ref:
                    reference = tx_ref
                elif entry_ref:
                    reference = entry_ref + (f"/{d_index}" if len(details) > 1 else "")
                elif e2e:
                    reference = f"{direction[0].upper()}:{e2e}"   # a return carries its original's id
                else:
                    reference = None
                entry = Entry(at, booked_on, value_on, amount, direction, _clip(name, 140), _clip(iban, 34),
                              remittance, reference or "", e2e, reversal, reason, statement)
                if not entry.reference:
                    entry.reference = field_hash(entry, account)
                parts.append(entry)
            if len(details) > 1 and sum(p.amount.minor for p in parts) != total.minor:
                raise InvalidInput(f"{where}: its transactions add up to "
                                   f"{Money(sum(p.amount.minor for p in parts), total.currency)}, not the entry's "
                                   f"{total}.")
            statement.entries.extend(parts)
            entries.extend(parts)
        statements.append(statement)
    return ParsedFile(version, statements, entries)


def _entry_of(root, elem, version: str) -> str:
    """', statement S1, entry 3' for the entry that holds `elem` (error messages)."""
    if elem is None:
        return ""
    ns = {"c": _NS + version}
    for s_index, stmt in enumerate(root.iterfind("c:BkToCstmrStmt/c:Stmt", ns), 1):
        ref = _text(stmt, "c:Id", ns) or str(s_index)
        for n_index, ntry in enumerate(stmt.iterfind("c:Ntry", ns), 1):
            if any(node is elem for node in ntry.iter()):
                return f" (statement {ref}, entry {n_index})"
    return ""


def _text(node, path: str, ns) -> str | None:
    found = node.find(path, ns)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _clip(text: str | None, length: int) -> str | None:
    return text[:length] if text else text


def _amount(node, where: str) -> Money:
    if node is None:
        raise InvalidInput(f"{where}: no amount.")
    try:
        return Money.parse(Decimal(node.text.strip()), currency_code(node.get("Ccy")))
    except (InvalidInput, InvalidOperation, AttributeError) as error:
        raise InvalidInput(f"{where}: the amount {shown(node.text)} cannot be read ({error}).") from None


def _date(node, ns, where: str, *, required: bool = True) -> date | None:
    text = None
    if node is not None:
        text = _text(node, "c:Dt", ns) or (_text(node, "c:DtTm", ns) or "")[:10] or (node.text or "").strip()[:10]
    if not text:
        if required:
            raise InvalidInput(f"{where}: missing.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{where}: {shown(text)} is not a date.") from None


def field_hash(entry: Entry, account: str = "") -> str:
    """A reference for an entry the bank gave none: a hash of what the entry says."""
    text = "|".join(str(x or "") for x in (account, entry.booked_on, entry.value_on, entry.direction,
                                           entry.amount.minor, entry.amount.currency, entry.payer_name,
                                           entry.payer_iban, entry.remittance))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:40]


# --- CSV ------------------------------------------------------------------------------------------

def read_csv(data: bytes) -> ParsedFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(gettext("The CSV file is not UTF-8 text; save it as UTF-8.")) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(ngettext("The CSV file lacks the column %(missing)s; its header must name %(columns)s.",
                                    "The CSV file lacks the columns %(missing)s; its header must name %(columns)s.",
                                    len(missing), missing=', '.join(missing), columns=', '.join(CSV_COLUMNS)))
    reader.fieldnames = header
    entries = []
    for number, row in enumerate(reader, 2):
        where = f"CSV line {number}"      # (kept with the entry: English)
        if None in row:
            raise InvalidInput(gettext("CSV line %(num)d: more fields than the header names.", num=number))
        value = {k: (row.get(k) or "").strip() for k in (*CSV_COLUMNS, *CSV_OPTIONAL)}
        try:
            booked_on = date.fromisoformat(value["booked_on"])
        except ValueError:
            raise InvalidInput(gettext("CSV line %(num)d: booked_on %(value)s is not a date (YYYY-MM-DD).", num=number,
                                       value=shown(value['booked_on']))) from None
        try:
            value_on = date.fromisoformat(value["value_on"]) if value["value_on"] else None
        except ValueError:
            raise InvalidInput(gettext("CSV line %(num)d: value_on %(value)s is not a date (YYYY-MM-DD).", num=number,
                                       value=shown(value['value_on']))) from None
        if not re.fullmatch(r"-?[0-9]{1,12}(\.[0-9]+)?", value["amount"]):
            raise InvalidInput(gettext("CSV line %(num)d: amount %(value)s is not an amount: digits with a dot, "
                                       "negative for a debit, e.g. 450.00 or -12.50.", num=number,
                                       value=shown(value['amount'])))
        try:
            currency = currency_code(value["currency"])
            signed = Money.parse(value["amount"], currency)
        except InvalidInput as error:
            raise InvalidInput(f"{where}: {error}") from None
        if not signed.minor:
            raise InvalidInput(gettext("CSV line %(num)d: amount is 0.", num=number))
        direction = "credit" if signed.minor > 0 else "debit"
        entry = Entry(where, booked_on, value_on, Money(abs(signed.minor), currency), direction,
                      _clip(value["payer_name"] or None, 140), _clip(value["payer_iban"].replace(" ", "") or None, 34),
                      value["remittance"] or None, _clip(value["bank_reference"], 100) or "",
                      None, bool(value["return_reason"]) and direction == "debit", value["return_reason"] or None)
        if not entry.reference:
            entry.reference = field_hash(entry)
        entries.append(entry)
    return ParsedFile("csv", [], entries)


# --- writing camt.053.001.08 (demo data, tests, the benchmark) ------------------------------------

@dataclass
class Line:
    """A transaction to write: a credit from (or a debit to) `name`; `parts` makes a batched entry."""
    amount: Money
    booked_on: date
    name: str | None = None
    iban: str | None = None
    remittance: str | None = None
    reference: str | None = None      # AcctSvcrRef
    end_to_end_id: str | None = None
    direction: str = "credit"
    reversal: bool = False
    return_reason: str | None = None
    parts: list["Line"] | None = None


def _esc(text) -> str:
    from xml.sax.saxutils import escape

    return escape(str(text))


def _tx_xml(line: Line, direction: str, with_amount: bool) -> str:
    role, account = ("Dbtr", "DbtrAcct") if direction == "credit" else ("Cdtr", "CdtrAcct")
    out = ["<TxDtls>"]
    if line.reference or line.end_to_end_id:
        out.append("<Refs>" + (f"<AcctSvcrRef>{_esc(line.reference)}</AcctSvcrRef>" if line.reference and with_amount else "")
                   + f"<EndToEndId>{_esc(line.end_to_end_id or 'NOTPROVIDED')}</EndToEndId></Refs>")
    if with_amount:
        out.append(f'<Amt Ccy="{line.amount.currency}">{line.amount.amount_text()}</Amt>'
                   f"<CdtDbtInd>{'CRDT' if direction == 'credit' else 'DBIT'}</CdtDbtInd>")
    if line.name or line.iban:
        out.append("<RltdPties>" + (f"<{role}><Pty><Nm>{_esc(line.name[:140])}</Nm></Pty></{role}>" if line.name else "")
                   + (f"<{account}><Id><IBAN>{line.iban}</IBAN></Id></{account}>" if line.iban else "") + "</RltdPties>")
    if line.remittance:
        out.append(f"<RmtInf><Ustrd>{_esc(line.remittance[:140])}</Ustrd></RmtInf>")
    if line.return_reason:
        out.append(f"<RtrInf><Rsn><Cd>{_esc(line.return_reason)}</Cd></Rsn></RtrInf>")
    out.append("</TxDtls>")
    return "".join(out)


def write_camt053(statements: list[dict], *, message_id: str = "CASEAPP-DEMO", created: str = "2026-12-01T08:00:00") -> bytes:
    """A camt.053.001.08 document: `statements` = [{"id", "iban", "currency", "opening": Money,
    "closing_on": date, "lines": [Line]}]; the closing balance is computed from the lines."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
           f"<BkToCstmrStmt><GrpHdr><MsgId>{_esc(message_id)}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>"]
    for s in statements:
        currency, opening = s["currency"], s["opening"]
        closing = opening.minor + sum((l.amount.minor if l.direction == "credit" else -l.amount.minor) for l in s["lines"])

        def bal(code: str, minor: int, day: date) -> str:
            return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
                    f'<Amt Ccy="{currency}">{Money(abs(minor), currency).amount_text()}</Amt>'
                    f"<CdtDbtInd>{'CRDT' if minor >= 0 else 'DBIT'}</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>")

        first = min((l.booked_on for l in s["lines"]), default=s["closing_on"])
        out.append(f"<Stmt><Id>{_esc(s['id'])}</Id><CreDtTm>{created}</CreDtTm>"
                   f"<Acct><Id><IBAN>{s['iban']}</IBAN></Id><Ccy>{currency}</Ccy></Acct>"
                   + bal("OPBD", opening.minor, first) + bal("CLBD", closing, s["closing_on"]))
        for line in s["lines"]:
            direction = line.direction
            out.append(f'<Ntry>' + (f"<NtryRef>{_esc(line.reference)}</NtryRef>" if line.reference else "")
                       + f'<Amt Ccy="{currency}">{line.amount.amount_text()}</Amt>'
                       f"<CdtDbtInd>{'CRDT' if direction == 'credit' else 'DBIT'}</CdtDbtInd>"
                       + ("<RvslInd>true</RvslInd>" if line.reversal else "")
                       + f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{line.booked_on.isoformat()}</Dt></BookgDt>"
                       f"<ValDt><Dt>{line.booked_on.isoformat()}</Dt></ValDt>"
                       + (f"<AcctSvcrRef>{_esc(line.reference)}</AcctSvcrRef>" if line.reference and not line.parts else "")
                       + "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>" + ("RCDT" if direction == "credit" else "ICDT")
                       + "</Cd><SubFmlyCd>" + ("RRTN" if line.return_reason else "ESCT")
                       + "</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls>")
            if line.parts:
                out.append(f"<Btch><NbOfTxs>{len(line.parts)}</NbOfTxs></Btch>")
                out.extend(_tx_xml(p, direction, True) for p in line.parts)
            else:
                out.append(_tx_xml(line, direction, False))
            out.append("</NtryDtls></Ntry>")
        out.append("</Stmt>")
    out.append("</BkToCstmrStmt></Document>")
    return "".join(out).encode("utf-8")
