"""OAI-PMH harvester: another provider's EDM or ``oai_dc`` records into our store, incrementally
and resumably (the library behind ``heritage harvest``).

Every page goes through the record layer (validation, change log) in one write, and only then is
the page's resumptionToken saved, so a killed harvest re-runs from the last committed page. The
next harvest of the same URL + set + prefix starts ``from`` the responseDate of the previous
harvest's first page (the provider's clock, not ours). Deleted records are deleted locally.
State lives in ``{data_dir}/harvest/state.json``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from lxml import etree

from kg.context import HeritageContext
from kg.errors import Conflict, HeritageError, NotFound, ParseError
from mappings.dc_in import dc_to_record
from mappings.edm_in import edm_to_records
from mappings.xml_safety import parse_xml

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI}
PREFIXES = ("edm", "oai_dc")
_ID_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


# One OAI-PMH page held in memory at most: a provider (or a gzip-encoded page) cannot make the
# harvester allocate without bound. 250 EDM records are a few MB.
MAX_PAGE_BYTES = 256 * 1024 * 1024


class HarvestError(HeritageError):
    """The provider answered with an OAI error, bad XML or an HTTP failure."""

    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail)
        self.code = code


@dataclass
class HarvestReport:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: list[str] = field(default_factory=list)
    resumed: bool = False
    complete: bool = False
    from_: str | None = None

    def summary(self) -> str:
        state = "complete" if self.complete else "interrupted (re-run to resume)"
        return (
            f"{self.pages} pages, {self.written} written, {self.unchanged} unchanged, "
            f"{self.deleted} deleted, {len(self.rejected)} rejected; harvest {state}"
            + (" (resumed)" if self.resumed else "")
            + (f"; from {self.from_}" if self.from_ else "")
        )


class HarvestState:
    """Per (URL, set, prefix): the last complete harvest's start date and the token to resume."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "harvest" / "state.json"
        self.data: dict = json.loads(self.path.read_text()) if self.path.is_file() else {}

    @staticmethod
    def key(url: str, set_spec: str | None, prefix: str) -> str:
        return f"{url} set={set_spec or ''} prefix={prefix}"

    def get(self, key: str) -> dict:
        return self.data.setdefault(key, {})

    def save(self) -> None:
        """Write atomically (a kill mid-write leaves the previous state)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, sort_keys=True))
        os.replace(tmp, self.path)


def local_id(identifier: str) -> str:
    """Our record id for an OAI identifier (``oai:host:nt-078`` → ``nt-078``)."""
    return _ID_SAFE.sub("-", identifier.rsplit(":", 1)[-1].rsplit("/", 1)[-1]).strip("-")


def _records_of(metadata: etree._Element, prefix: str, identifier: str) -> list[dict]:
    """The Work an OAI record describes and, for EDM, the Instances and Items its WebResources
    describe (the provider's digital surrogates, pointing at the provider's files)."""
    payload = next((el for el in metadata if isinstance(el.tag, str)), None)
    if payload is None:
        raise ParseError(f"{identifier}: empty metadata")
    if prefix == "oai_dc":
        return [dc_to_record(payload, name=identifier)]
    return edm_to_records(etree.tostring(payload), name=identifier, surrogates=True)


_DELETE_ORDER = {"item": 0, "instance": 1, "work": 2}  # parts before wholes: nothing left dangling


def _drop(ctx: HeritageContext, ids: list[tuple[str, str]], report: HarvestReport) -> None:
    """Delete harvested records (kind, id), Items before Instances before Works; ones already
    gone are skipped, ones a local record still points at are reported, not forced."""
    for kind, ident in sorted(ids, key=lambda pair: _DELETE_ORDER[pair[0]]):
        try:
            ctx.records.delete(ident, kind)
            report.deleted += kind == "work"
        except NotFound:
            pass  # never harvested, or already gone
        except Conflict as exc:
            report.rejected.append(f"{kind} {ident}: {exc.detail}")


def fetch(client: httpx.Client, url: str, params: dict[str, str]) -> etree._Element:
    """One OAI-PMH response, parsed safely; OAI errors other than noRecordsMatch raise."""
    body = bytearray()
    try:
        with client.stream("GET", url, params=params) as resp:
            resp.raise_for_status()
            for chunk in resp.iter_bytes():  # decoded: a gzip bomb counts at its inflated size
                body += chunk
                if len(body) > MAX_PAGE_BYTES:
                    raise HarvestError(
                        f"{url}: a response page is over {MAX_PAGE_BYTES} bytes (after decompression); "
                        "refused (ask the provider for smaller pages)"
                    )
    except httpx.HTTPError as exc:
        raise HarvestError(f"{url}: {exc}") from exc
    root = parse_xml(bytes(body), url)
    for err in root.findall("oai:error", NS):
        if err.get("code") != "noRecordsMatch":
            code = err.get("code")
            raise HarvestError(f"{url}: OAI-PMH error {code}: {(err.text or '').strip()}", code)
    return root


def harvest(
    ctx: HeritageContext,
    url: str,
    set_spec: str | None = None,
    from_: str | None = None,
    prefix: str = "edm",
    max_pages: int | None = None,
    client: httpx.Client | None = None,
    progress: Callable[[int], None] | None = None,
) -> HarvestReport:
    """Harvest ``url`` until the list ends (or ``max_pages`` pages, leaving a resumable state)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown metadata prefix {prefix!r}; choose one of {', '.join(PREFIXES)}")
    state = HarvestState(ctx.settings.data_dir)
    key = HarvestState.key(url, set_spec, prefix)
    entry = state.get(key)
    report = HarvestReport()
    own = client is None
    client = client or httpx.Client(timeout=120, follow_redirects=True)
    try:
        if entry.get("token"):
            params = {"verb": "ListRecords", "resumptionToken": entry["token"]}
            report.resumed = True
            report.from_ = entry.get("from")
        else:
            params = {"verb": "ListRecords", "metadataPrefix": prefix}
            if set_spec:
                params["set"] = set_spec
            report.from_ = from_ or entry.get("last")
            if report.from_:
                params["from"] = report.from_
            entry["from"] = report.from_
        while True:
            if max_pages is not None and report.pages >= max_pages:
                return report
            try:
                root = fetch(client, url, params)
            except HarvestError as exc:
                if exc.code != "badResumptionToken" or not report.resumed or report.pages:
                    raise
                # the provider no longer knows our token (e.g. a new signing key): start over
                entry.pop("token", None)
                entry.pop("started", None)
                state.save()
                return harvest(ctx, url, set_spec, entry.get("from"), prefix, max_pages, client, progress)
            entry.setdefault("started", root.findtext("oai:responseDate", namespaces=NS))
            _ingest_page(ctx, root, prefix, report, state.data.setdefault("surrogates", {}))
            report.pages += 1
            token_el = root.find("oai:ListRecords/oai:resumptionToken", NS)
            token = (token_el.text or "").strip() if token_el is not None else ""
            if token:
                entry["token"] = token
            else:
                entry["last"] = entry.pop("started")
                entry.pop("token", None)
            state.save()  # after the page's records are committed
            if progress:
                progress(1)
            if not token:
                report.complete = True
                return report
            params = {"verb": "ListRecords", "resumptionToken": token}
    finally:
        if own:
            client.close()


def _ingest_page(
    ctx: HeritageContext, root: etree._Element, prefix: str, report: HarvestReport, surrogates: dict
) -> None:
    """Write one page's records in one transaction, then apply its deletions. ``surrogates``
    (kept in the harvest state) maps each harvested Work to the Instances and Items its EDM
    brought, so a deleted or changed Work takes exactly those along and never a local record."""
    records: list[dict] = []
    gone: list[tuple[str, str]] = []
    for rec in root.iterfind("oai:ListRecords/oai:record", NS):
        header = rec.find("oai:header", NS)
        identifier = (header.findtext("oai:identifier", namespaces=NS) or "").strip()
        work_id = local_id(identifier)
        if header.get("status") == "deleted":
            gone += [tuple(pair) for pair in surrogates.pop(work_id, [])] + [("work", work_id)]
            continue
        metadata = rec.find("oai:metadata", NS)
        try:
            found = _records_of(metadata if metadata is not None else etree.Element("x"), prefix, identifier)
        except ParseError as exc:
            report.rejected.append(exc.detail)
            continue
        records.extend(found)
        if prefix == "edm":
            now = {(r["kind"], r["id"]) for r in found if r["kind"] != "work"}
            gone += [tuple(pair) for pair in surrogates.get(work_id, []) if tuple(pair) not in now]
            surrogates[work_id] = sorted(now)
    if records:
        result = ctx.records.put(records)
        works = {r["id"] for r in records if r["kind"] == "work"}  # the report counts OAI records
        report.written += len(works.intersection(result.written))
        report.unchanged += len(works.intersection(result.unchanged))
        report.rejected.extend(r.reason for r in result.rejected)
    _drop(ctx, gone, report)
