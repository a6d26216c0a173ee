#!/usr/bin/env bash
# System packages the tests need: Debian's Chromium for the browser tests (Playwright drives
# /usr/bin/chromium; no browser is downloaded). Needs root; without it the browser tests skip.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "note: /usr/bin/chromium is missing and this is not root: browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
