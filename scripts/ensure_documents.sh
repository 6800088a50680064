#!/bin/sh
# Make sure the Debian packages the document tests use are installed:
# LibreOffice Writer (headless .doc reading, .docx -> .pdf fixtures) and CJK
# fonts (so the PDFs it prints carry Chinese glyphs). Idempotent and quiet.
# Without apt (not Debian, or no root and no sudo) it says what is missing and
# exits 0: those tests then skip with the same note.
set -u

need=""
command -v soffice >/dev/null 2>&1 || need="libreoffice-writer-nogui"
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; then
    need="$need fonts-noto-cjk"
fi
[ -n "$need" ] || exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "note: apt-get not available; install$need by hand or the PDF/.doc tests skip" >&2
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo"
    else
        echo "note: not root and no sudo; install$need by hand or the PDF/.doc tests skip" >&2
        exit 0
    fi
else
    SUDO=""
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing Debian packages for the document tests:$need" >&2
$SUDO apt-get update -qq >/dev/null 2>&1 || true
# shellcheck disable=SC2086  # $need is a word list on purpose
if ! $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null 2>&1; then
    echo "note: apt-get install$need failed; the PDF/.doc tests skip" >&2
fi
exit 0
