#!/bin/sh
# Make sure Debian's chromium (and CJK fonts, so Chinese pages render in
# screenshots) is installed for the browser tests. Idempotent and quiet;
# Playwright is never allowed to download its own browser.
set -eu

need=""
[ -x /usr/bin/chromium ] || need="chromium"
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
    need="$need fonts-noto-cjk"
fi
# The chat's 👍/👎 buttons: without an emoji font they show as empty boxes in screenshots.
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list 2>/dev/null | grep -i emoji | head -n 1)" ]; then
    need="$need fonts-noto-color-emoji"
fi
[ -n "$need" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
else
    SUDO=""
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086  # $need is a word list on purpose
$SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
[ -x /usr/bin/chromium ] || { echo "chromium still missing after apt-get install" >&2; exit 1; }
