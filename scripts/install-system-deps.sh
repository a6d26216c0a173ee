#!/usr/bin/env bash
# System packages the tests need: Debian's Chromium for the browser tests (Playwright drives
# /usr/bin/chromium; no browser is downloaded), CJK fonts for Korean screenshots, and libmagic
# for the official IIIF Image API validator. Needs root; without it the affected tests skip.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep 'libmagic\.so\.1' >/dev/null || missing+=(libmagic1)  # not grep -q: with pipefail, ldconfig's SIGPIPE would count as missing
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "note: missing ${missing[*]} and this is not root: the tests that need them will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
