"""The OAI-PMH 2.0 data provider: one method per verb over ``kg.oai_repo.OaiRepository``.

Items are Works (one named graph each); their datestamp is the latest change-log datestamp of the
Work's record and of its Instances' and Items' records (all of them shape its EDM). Lists are ordered by (datestamp, id) and paged by a signed, stateless token that carries a
cursor and a snapshot time: a record that changes during a harvest gets a datestamp after the
snapshot, so it is neither sent twice nor lost: it comes in the next incremental harvest (from =
this harvest's responseDate). Deleted Works are kept (``deletedRecord`` = persistent).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml import etree

from api import oai_tokens, oai_xml
from api.oai_protocol import OaiError, OaiRequest, date_range, parse_request, utc_seconds
from api.oai_tokens import TokenError, TokenState
from kg.oai_repo import Header, OaiRepository
from kg.records import parse_datestamp


@dataclass(frozen=True)
class OaiConfig:
    repository_name: str = "Heritage Graph"
    admin_email: str = "admin@example.org"
    page_size: int = 250
    sets: bool = True


class OaiProvider:
    def __init__(self, repo: OaiRepository, secret: bytes, config: OaiConfig) -> None:
        self.repo = repo
        self.secret = secret
        self.config = config
        self.id_prefix = f"oai:{urlsplit(repo.iris.base).hostname or 'localhost'}:"

    # ---- identifiers --------------------------------------------------------------------
    def oai_id(self, ident: str) -> str:
        return self.id_prefix + ident

    def local_id(self, identifier: str) -> str:
        if not identifier.startswith(self.id_prefix):
            raise OaiError("idDoesNotExist", f"{identifier!r} is not an identifier of this repository")
        return identifier[len(self.id_prefix) :]

    # ---- entry point --------------------------------------------------------------------
    def handle(self, pairs: list[tuple[str, str]], base_url: str) -> bytes:
        """The XML response to one request (errors included: OAI-PMH answers them in XML)."""
        now = datetime.now(UTC)
        request: OaiRequest | None = None
        try:
            request = parse_request(pairs)
            root = oai_xml.envelope(base_url, request.echo, now)
            payloads = oai_xml.Payloads()
            getattr(self, "_" + request.verb)(root, request, base_url, now, payloads)
        except OaiError as exc:
            payloads = None
            bare = exc.code in ("badVerb", "badArgument") or request is None
            root = oai_xml.envelope(base_url, None if bare else request.echo, now)
            oai_xml.error(root, exc.code, exc.message)
        return oai_xml.serialize(root, payloads)

    # ---- verbs --------------------------------------------------------------------------
    def _Identify(self, root, request, base_url, now, payloads) -> None:
        index = self.repo.index()
        earliest = index.headers[0].datestamp if index.headers else datetime.fromtimestamp(0, UTC)
        el = oai_xml.sub(root, "Identify")
        oai_xml.sub(el, "repositoryName", self.config.repository_name)
        oai_xml.sub(el, "baseURL", base_url)
        oai_xml.sub(el, "protocolVersion", "2.0")
        oai_xml.sub(el, "adminEmail", self.config.admin_email)
        oai_xml.sub(el, "earliestDatestamp", utc_seconds(earliest))
        oai_xml.sub(el, "deletedRecord", "persistent")
        oai_xml.sub(el, "granularity", "YYYY-MM-DDThh:mm:ssZ")

    def _ListMetadataFormats(self, root, request, base_url, now, payloads) -> None:
        if "identifier" in request.args:
            header = self._header(request.args["identifier"])
            if header.deleted:
                raise OaiError("noMetadataFormats", "the item is deleted: no metadata is disseminated for it")
        el = oai_xml.sub(root, "ListMetadataFormats")
        for prefix, (schema, namespace) in oai_xml.FORMATS.items():
            fmt = oai_xml.sub(el, "metadataFormat")
            oai_xml.sub(fmt, "metadataPrefix", prefix)
            oai_xml.sub(fmt, "schema", schema)
            oai_xml.sub(fmt, "metadataNamespace", namespace)

    def _ListSets(self, root, request, base_url, now, payloads) -> None:
        if not self.config.sets:
            raise OaiError("noSetHierarchy", "this repository does not offer sets")
        if "resumptionToken" in request.args:
            raise OaiError("badResumptionToken", "ListSets is answered in one page; no token was issued")
        el = oai_xml.sub(root, "ListSets")
        for oai_set in self.repo.sets():
            s = oai_xml.sub(el, "set")
            oai_xml.sub(s, "setSpec", oai_set.spec)
            oai_xml.sub(s, "setName", oai_set.name)

    def _GetRecord(self, root, request, base_url, now, payloads) -> None:
        prefix = self._prefix(request.args["metadataPrefix"])
        header = self._header(request.args["identifier"])
        el = oai_xml.sub(root, "GetRecord")
        self._records(el, [header], prefix, payloads)

    def _ListIdentifiers(self, root, request, base_url, now, payloads) -> None:
        self._list(root, request, now, None)

    def _ListRecords(self, root, request, base_url, now, payloads) -> None:
        self._list(root, request, now, payloads)

    # ---- helpers ------------------------------------------------------------------------
    def _prefix(self, prefix: str) -> str:
        if prefix not in oai_xml.FORMATS:
            raise OaiError(
                "cannotDisseminateFormat",
                f"{prefix!r} is not disseminated here; try {', '.join(oai_xml.FORMATS)}",
            )
        return prefix

    def _header(self, identifier: str) -> Header:
        header = self.repo.index().by_id.get(self.local_id(identifier))
        if header is None:
            raise OaiError("idDoesNotExist", f"no item {identifier!r} in this repository")
        return header

    def _state(self, request: OaiRequest, now: datetime) -> TokenState:
        """The harvest's state: from the token, or a fresh one for a first page."""
        if "resumptionToken" in request.args:
            try:
                state = oai_tokens.decode(self.secret, request.args["resumptionToken"])
            except TokenError as exc:
                raise OaiError("badResumptionToken", str(exc)) from exc
            if state.verb != request.verb:
                raise OaiError("badResumptionToken", f"the token belongs to {state.verb}, not {request.verb}")
            return state
        args = request.args
        self._prefix(args["metadataPrefix"])
        if "set" in args and not self.config.sets:
            raise OaiError("noSetHierarchy", "this repository does not offer sets")
        return TokenState(
            request.verb, args["metadataPrefix"], args.get("set"), args.get("from"), args.get("until"),
            now.isoformat(), None, None, 0, 0,
        )  # fmt: skip

    def _list(
        self, root: etree._Element, request: OaiRequest, now: datetime, payloads: oai_xml.Payloads | None
    ) -> None:
        """ListRecords (``payloads`` given) or ListIdentifiers (None)."""
        state = self._state(request, now)
        lower, upper = date_range(state.from_, state.until)
        snapshot = parse_datestamp(state.snapshot)
        upper = min(upper, snapshot) if upper else snapshot
        members = self.repo.members(state.set) if state.set else None
        if state.set and members is None:
            raise OaiError("noRecordsMatch", f"no set {state.set!r} in this repository")

        def matches(h: Header) -> bool:
            return (
                (lower is None or h.datestamp >= lower)
                and h.datestamp < upper
                # a deleted Work's sets are gone with its graph: its deletion is reported in every
                # set, so selective harvesters learn of it (unknown ids are no-ops for them)
                and (members is None or h.deleted or h.id in members)
            )

        index = self.repo.index()
        cursor = (parse_datestamp(state.after_stamp), state.after_id) if state.after_stamp else None
        start = index.after(cursor)
        if lower is not None and cursor is None:
            start = index.after((lower, ""))
        page: list[Header] = []
        more = False
        for h in index.headers[start:]:
            if h.datestamp >= upper:
                break
            if matches(h):
                if len(page) == self.config.page_size:
                    more = True
                    break
                page.append(h)
        if not page:
            raise OaiError("noRecordsMatch", "no item matches the request")
        total = state.total or (
            len(page) if not more else sum(1 for h in index.headers[start:] if matches(h))
        )
        el = oai_xml.sub(root, "ListRecords" if payloads is not None else "ListIdentifiers")
        self._records(el, page, state.prefix, payloads)
        if more:
            last = page[-1]
            token = oai_tokens.encode(
                self.secret,
                replace(state, after_stamp=last.datestamp.isoformat(), after_id=last.id,
                        sent=state.sent + len(page), total=total),
            )  # fmt: skip
            oai_xml.resumption(el, token, total, state.sent)
        elif "resumptionToken" in request.args:
            oai_xml.resumption(el, "", total, state.sent)

    def _records(
        self, parent: etree._Element, headers: list[Header], prefix: str, payloads: oai_xml.Payloads | None
    ) -> None:
        found = self.repo.items([h.id for h in headers if not h.deleted], prefix if payloads else None)
        for h in headers:
            item = found.get(h.id)
            deleted = h.deleted or item is None  # deleted between the header read and now
            specs = item.specs if item and self.config.sets else []
            if payloads is None:
                oai_xml.header(parent, self.oai_id(h.id), h.datestamp, specs, deleted)
                continue
            record = oai_xml.sub(parent, "record")
            oai_xml.header(record, self.oai_id(h.id), h.datestamp, specs, deleted)
            if not deleted:
                payloads.add(record, item.payload)
