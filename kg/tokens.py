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


def create_token(data_dir: Path, role: str, name: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    token = "hg_" + secrets.token_urlsafe(32)
    path = _path(data_dir)
    entries = json.loads(path.read_text()) if path.exists() else []
    entries.append(
        {
            "name": name,
            "role": role,
            "sha256": _digest(token),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, indent=2))
    tmp.replace(path)
    return token


def role_of(data_dir: Path, token: str) -> tuple[str, str] | None:
    """(role, name) for a valid token, else None (constant-time comparison of digests)."""
    path = _path(data_dir)
    if not token or not path.exists():
        return None
    digest = _digest(token)
    for entry in json.loads(path.read_text()):
        if secrets.compare_digest(entry["sha256"], digest):
            return entry["role"], entry["name"]
    return None
