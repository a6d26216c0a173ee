"""OAI-PMH 2.0 request rules: which arguments each verb takes, how dates parse, which error code
a bad request gets. Pure functions over the raw (name, value) pairs, so repeated arguments are
seen (a dict would hide them) and the rules are testable without HTTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# verb → (required, optional, exclusive)
VERBS: dict[str, tuple[frozenset[str], frozenset[str], str | None]] = {
    "Identify": (frozenset(), frozenset(), None),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), None),
    "ListSets": (frozenset(), frozenset(), "resumptionToken"),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), None),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set"}),
        "resumptionToken",
    ),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), "resumptionToken"),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_PREFIX = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")
_SET = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")


class OaiError(Exception):
    """An OAI-PMH error condition: ``code`` is one of the eight codes of the protocol."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class OaiRequest:
    verb: str
    args: dict[str, str] = field(default_factory=dict)

    @property
    def echo(self) -> dict[str, str]:
        """The arguments to repeat in the response's ``request`` element."""
        return {"verb": self.verb, **self.args}


def parse_request(pairs: list[tuple[str, str]]) -> OaiRequest:
    """Check verb and arguments; raise ``OaiError`` with badVerb or badArgument."""
    verbs = [v for k, v in pairs if k == "verb"]
    if not verbs:
        raise OaiError("badVerb", "the verb argument is missing")
    if len(verbs) > 1:
        raise OaiError("badVerb", "the verb argument is repeated")
    verb = verbs[0]
    if verb not in VERBS:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    required, optional, exclusive = VERBS[verb]
    args: dict[str, str] = {}
    for key, value in pairs:
        if key == "verb":
            continue
        if key in args:
            raise OaiError("badArgument", f"the argument {key!r} is repeated")
        if key not in required | optional and key != exclusive:
            raise OaiError("badArgument", f"{verb} does not take the argument {key!r}")
        args[key] = value
    if exclusive and exclusive in args:
        if len(args) > 1:
            raise OaiError("badArgument", f"{exclusive} is exclusive: no other argument may go with it")
        return OaiRequest(verb, args)
    missing = sorted(required - args.keys())
    if missing:
        raise OaiError("badArgument", f"{verb} needs the argument(s) {', '.join(missing)}")
    if "set" in args and not _SET.match(args["set"]):
        raise OaiError("badArgument", f"{args['set']!r} is not a valid setSpec")
    if "metadataPrefix" in args and not _PREFIX.match(args["metadataPrefix"]):
        raise OaiError("badArgument", f"{args['metadataPrefix']!r} is not a valid metadataPrefix")
    date_range(args.get("from"), args.get("until"))
    return OaiRequest(verb, args)


def _parse_date(text: str, name: str) -> tuple[datetime, timedelta]:
    """(start, width): a day or a second, both UTC."""
    try:
        if _DAY.match(text):
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC), timedelta(days=1)
        if _SECOND.match(text):
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), timedelta(seconds=1)
    except ValueError:
        pass
    raise OaiError("badArgument", f"{name}={text!r} is not a UTC date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)")


def date_range(from_: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """[lower, upper): ``from`` and ``until`` are both inclusive at their own granularity."""
    lower = upper = None
    if from_ is not None:
        lower, _width = _parse_date(from_, "from")
    if until is not None:
        start, width = _parse_date(until, "until")
        # the last day (or second) of year 9999 has no exclusive end: leave it open
        upper = start + width if datetime.max.replace(tzinfo=UTC) - start >= width else None
    if from_ is not None and until is not None:
        if len(from_) != len(until):
            raise OaiError("badArgument", "from and until must have the same granularity")
        if lower and upper and lower >= upper:
            raise OaiError("badArgument", "from is later than until")
    return lower, upper


def utc_seconds(value: datetime) -> str:
    """A datestamp at the repository's granularity."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
