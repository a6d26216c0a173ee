"""Where the read-only shared folder (vocabularies, records, media) lives, and a skip helper.

CI always has ``../shared`` beside the repo; a user's fresh clone may not, and then the tests
that need it skip with a reason instead of failing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HERITAGE_SHARED_DIR", REPO.parent / "shared")).resolve()
RECORDS_CSV = SHARED / "data" / "heritage" / "records.csv"
MEDIA_DIR = SHARED / "data" / "media"
VOCAB_DIR = SHARED / "vocab"


def require_shared(path: Path | None = None) -> Path:
    """Skip the calling test when the shared folder (or one file in it) is absent."""
    target = path or SHARED
    if not target.exists():
        pytest.skip(f"{target} is absent (the shared data folder is not beside this clone)")
    return target
