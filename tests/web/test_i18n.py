"""The ko/en label dict: complete in both languages, with visible fallbacks."""

from __future__ import annotations

import re
from pathlib import Path

from web.i18n import LABELS, LANGS, normalise_lang, pick, t

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def test_every_label_has_korean_and_english():
    missing = [k for k, v in LABELS.items() if set(v) != set(LANGS) or not all(v.values())]
    assert missing == []


def test_every_label_a_template_asks_for_exists():
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z_0-9]+)'", path.read_text(encoding="utf-8")))
    assert used and used - set(LABELS) == set()


def test_fallbacks():
    assert t("no-such-key", "ko") == "no-such-key"
    assert t("search", "ko") == "검색" and t("search", "en") == "Search"
    assert normalise_lang("fr") == "en" and normalise_lang(None) == "en" and normalise_lang("ko") == "ko"
    assert pick({"ko": "가", "en": "A"}, "ko") == "가"
    assert pick({"en": "A"}, "ko") == "A"
    assert pick({"fr": "B"}, "ko") == "B"
    assert pick(None, "en") == "" and pick("plain", "ko") == "plain"
