"""One exception type per failure a user can fix; the API turns them into RFC 9457 problem
details and the CLI into one clear line."""

from __future__ import annotations


class HeritageError(Exception):
    """Base class: ``status`` is the HTTP status the API answers with."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ValidationError(HeritageError):
    """A record breaks the SHACL shapes; ``violations`` name record, field and message."""

    status = 422
    title = "Validation failed"

    def __init__(self, detail: str, violations: list[dict] | None = None) -> None:
        super().__init__(detail, violations=violations or [])
        self.violations = violations or []


class UnsupportedFormat(HeritageError):
    status = 415
    title = "Unsupported format"


class ParseError(HeritageError):
    """Malformed input (RDF, XML, CSV, SPARQL); the message says where."""

    title = "Malformed input"


class NotFound(HeritageError):
    status = 404
    title = "Not found"


class Conflict(HeritageError):
    """A duplicate identifier or a write that would clash with an existing record."""

    status = 409
    title = "Conflict"


class Unauthorized(HeritageError):
    status = 401
    title = "Unauthorized"


class Forbidden(HeritageError):
    status = 403
    title = "Forbidden"


class PayloadTooLarge(HeritageError):
    status = 413
    title = "Payload too large"


class StoreUnavailable(HeritageError):
    status = 503
    title = "Store unavailable"


class QueryTimeout(HeritageError):
    status = 503
    title = "Query timeout"
