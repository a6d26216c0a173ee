"""Bearer tokens for writes (roles: admin, curator). Only sha256 digests are kept on disk, in
``{data_dir}/tokens.json``; the token itself is shown once when created."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

ROLES = ("admin", "curator")


def _path(data_dir: Path) -> Path:
    return data_dir / "tokens.json"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _entries(data_dir: Path) -> list[dict]:
    path = _path(data_dir)
    return json.loads(path.read_text()) if path.exists() else []


def _save(data_dir: Path, entries: list[dict]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = _path(data_dir)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, indent=2))
    tmp.replace(path)


def create_token(data_dir: Path, role: str, name: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    token = "hg_" + secrets.token_urlsafe(32)
    entries = _entries(data_dir)
    entries.append(
        {
            "name": name,
            "role": role,
            "sha256": _digest(token),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    _save(data_dir, entries)
    return token


def list_tokens(data_dir: Path) -> list[dict]:
    """Name, role and creation time of every token (never the digests)."""
    return [{k: e[k] for k in ("name", "role", "created") if k in e} for e in _entries(data_dir)]


def revoke_tokens(data_dir: Path, name: str) -> int:
    """Remove every token issued to ``name``; how many were removed. Admin-console sessions made
    with them stop working at once (``web.session`` checks the token behind a session each time)."""
    entries = _entries(data_dir)
    kept = [e for e in entries if e["name"] != name]
    if len(kept) != len(entries):
        _save(data_dir, kept)
    return len(entries) - len(kept)


def fingerprint_of(data_dir: Path, token: str) -> str | None:
    """A public handle on a valid token (a hash of its digest) that a session cookie can carry."""
    digest = _digest(token)
    for entry in _entries(data_dir):
        if secrets.compare_digest(entry["sha256"], digest):
            return _digest(entry["sha256"])[:32]
    return None


def fingerprint_valid(data_dir: Path, fingerprint: str) -> bool:
    """Whether the token behind a session fingerprint still exists (not revoked)."""
    return any(secrets.compare_digest(_digest(e["sha256"])[:32], fingerprint) for e in _entries(data_dir))


def role_of(data_dir: Path, token: str) -> tuple[str, str] | None:
    """(role, name) for a valid token, else None (constant-time comparison of digests)."""
    if not token:
        return None
    digest = _digest(token)
    for entry in _entries(data_dir):
        if secrets.compare_digest(entry["sha256"], digest):
            return entry["role"], entry["name"]
    return None
