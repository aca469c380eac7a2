#!/usr/bin/env bash
# Builds a HashiCorp Vault server binary from the Go module proxy, once per version, into a
# cache outside the checkout, and prints the binary's path on stdout.
#
# No package registry ships a `vault` binary, but its source module is on the Go module proxy.
# v1.21.0 compiles as published once the `replace` lines that point at sibling directories
# (api, sdk, ...) are dropped, so the published versions of those modules are used instead.
#
# usage: scripts/build-vault.sh [VERSION]        (default 1.21.0)
# env:   HERALD_CACHE   cache root (default: $XDG_CACHE_HOME/herald or ~/.cache/herald)
#        VAULT_BUILD_TAGS  extra go build tags (default: none; "minimal" drops most builtin plugins)
set -euo pipefail

version="${1:-1.21.0}"
version="${version#v}"
cache="${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}"
out="$cache/vault/$version/vault"

if [[ -x "$out" ]] && "$out" version >/dev/null 2>&1; then
  echo "$out"
  exit 0
fi

command -v go >/dev/null || { echo "build-vault: Go is needed to build Vault (install Go 1.24 or newer)" >&2; exit 1; }

mkdir -p "$cache/vault/$version"
log="$cache/vault/$version/build.log"
echo "build-vault: building HashiCorp Vault $version (first time: 15-30 min on 2 cores; log: $log)" >&2

src_json=$(go mod download -json "github.com/hashicorp/vault@v$version")
src_dir=$(printf '%s' "$src_json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' | head -n 1)
[[ -d "$src_dir" ]] || { echo "build-vault: go mod download gave no source directory for vault v$version" >&2; exit 1; }

work=$(mktemp -d "$cache/vault/$version/src.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$src_dir/." "$work/"
chmod -R u+w "$work"
# Drop replace directives that point at local directories (=> ./api, => ./sdk, ...).
sed -i -E '/^replace[[:space:]].*=>[[:space:]]*\.\.?\//d' "$work/go.mod"
# A multi-line replace block is not used by the releases this script is tested with; refuse it loudly.
if grep -qE '^[[:space:]]+[^ ]+.*=>[[:space:]]*\.\.?/' "$work/go.mod"; then
  echo "build-vault: go.mod of vault v$version has a replace block with local paths; this script does not handle it" >&2
  exit 1
fi

(
  cd "$work"
  GOFLAGS="-mod=mod -buildvcs=false" go build ${VAULT_BUILD_TAGS:+-tags "$VAULT_BUILD_TAGS"} -o "$out.tmp" .
) >"$log" 2>&1 || { echo "build-vault: go build failed; last lines of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }
mv "$out.tmp" "$out"
"$out" version >&2
echo "$out"
