"""Stateless OAI-PMH resumption tokens, HMAC-signed with a secret kept in the data directory.

Why stateless: a token carries the whole request (verb, prefix, set, from, until), the snapshot
time fixed at the first page, and the cursor (datestamp, id) of the last record sent, so a
harvest continues after a server restart, and a second server over the same data accepts it.
The signature makes a forged or edited token a ``badResumptionToken`` instead of a query.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

SECRET_FILE = "oai-token-secret"


@dataclass(frozen=True)
class TokenState:
    verb: str
    prefix: str
    set: str | None
    from_: str | None  # the request's own from / until text
    until: str | None
    snapshot: str  # ISO datetime (µs): records stamped later are left to the next harvest
    after_stamp: str | None  # cursor: the last record sent
    after_id: str | None
    sent: int  # records sent before the next page (the ``cursor`` attribute)
    total: int  # completeListSize, counted at the first page


class TokenError(ValueError):
    """The token is malformed, forged or tampered with."""


def load_secret(data_dir: Path) -> bytes:
    """The signing key, created (0600) on first use so it survives restarts."""
    path = Path(data_dir) / SECRET_FILE
    if path.is_file():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()
    try:
        os.write(fd, key)
    finally:
        os.close(fd)
    return key


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()[:32]


def encode(key: bytes, state: TokenState) -> str:
    body = base64.urlsafe_b64encode(json.dumps(asdict(state), separators=(",", ":")).encode())
    return f"{body.decode().rstrip('=')}.{_sign(key, body.rstrip(b'='))}"


def decode(key: bytes, token: str) -> TokenState:
    body, dot, signature = token.partition(".")
    if not dot or not body or not hmac.compare_digest(_sign(key, body.encode()), signature):
        raise TokenError("the resumptionToken is not one this repository issued")
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return TokenState(**data)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise TokenError("the resumptionToken cannot be read") from exc
