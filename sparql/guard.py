"""Refuse SPARQL operations that would make the server fetch from the network.

Why this exists: Oxigraph evaluates ``SERVICE <url>`` (a federated query) and ``LOAD <url>`` by
making real HTTP requests from the server, and so would a remote backend. On a public endpoint
that is a server-side request forgery: anyone could make the server call a host on its private
network or a cloud metadata address. The house rule is no network at run time, so both are
refused (403) before the text reaches any store.

The check is lexical: IRIs, string literals and comments are blanked out first, so a title
containing the word "service" or an IRI ``<http://x/load>`` is not mistaken for the keyword.
Codepoint escapes (``\\u0053ERVICE``) are decoded first, as SPARQL 1.1 (19.2) says a processor
may do before parsing. A prefixed name, variable or blank node label that is the word
(``ex:service``, ``?load``, ``_:load``) is not the keyword and is let through; a rarer name that
only contains it after a dot or dash (``ex:a.load``) is refused, erring on the safe side.
"""

from __future__ import annotations

import re

from kg.errors import Forbidden

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# long strings first, then short ones, IRIs, comments (a '#' inside an IRI or string is neither)
OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n\r]*",
    re.DOTALL,
)


def keyword(word: str) -> re.Pattern[str]:
    """The bare keyword: not part of a prefixed name, variable, blank node label or longer word."""
    return re.compile(rf"(?<![\w:?$]){word}(?![\w:.-])", re.IGNORECASE)


_SERVICE = keyword("SERVICE")
_LOAD = keyword("LOAD")
_FROM = keyword("FROM")


def _decode_escapes(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = int(match[1] or match[2], 16)
        return chr(code) if code <= 0x10FFFF else match[0]

    return _ESCAPE.sub(one, text)


def keywords_only(text: str) -> str:
    """The text with every IRI, literal and comment replaced by a space."""
    return OPAQUE.sub(" ", _decode_escapes(text))


def refuse_network(text: str) -> None:
    """Raise ``Forbidden`` when a query or update would fetch anything over the network."""
    bare = keywords_only(text)
    if _SERVICE.search(bare):
        raise Forbidden(
            "SERVICE (federated query) is not allowed here: this endpoint makes no network calls; "
            "query the other endpoint yourself"
        )
    if _LOAD.search(bare):
        raise Forbidden(
            "LOAD is not allowed here: this endpoint makes no network calls; ingest files with "
            "the REST API or `heritage ingest`"
        )


def has_dataset_clause(text: str) -> bool:
    """Whether a query names its own dataset (``FROM`` / ``FROM NAMED``). The embedded store must
    then not be asked for the union default graph, which pyoxigraph lets override the query's
    FROM (a query ``FROM <g>`` would otherwise still see every graph)."""
    return bool(_FROM.search(keywords_only(text)))
