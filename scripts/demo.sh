#!/usr/bin/env bash
# Sets Herald up and shows it working: builds and packages the plugin, starts an OpenBao dev
# server on a free loopback port with a plugin directory, registers and mounts Herald, then talks
# to it. The server is stopped at the end (pass --keep to leave it running and print how to use it).
#
# usage: scripts/demo.sh [--keep] [--cli bao|vault]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
keep=false cli=bao
while (($#)); do
  case "$1" in
    --keep) keep=true ;;
    --cli) cli="$2"; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "$*"; "$@"; }

if [[ "$cli" == bao ]]; then
  scripts/lib/install-openbao.sh
  server_bin=bao
else
  server_bin=$(scripts/build-vault.sh)
  cli="$server_bin"
fi
scripts/package.sh >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/herald-demo.XXXXXX")
mkdir -p "$work/plugins"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf 'plugin_directory = "%s"\n' "$work/plugins" > "$work/server.hcl"
"$server_bin" server -dev -dev-root-token-id="$token" -dev-listen-address="127.0.0.1:$port" \
  -config="$work/server.hcl" >"$work/server.log" 2>&1 &
server_pid=$!
cleanup() {
  if ! $keep; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT
export VAULT_ADDR="http://127.0.0.1:$port" VAULT_TOKEN="$token" BAO_ADDR="http://127.0.0.1:$port" BAO_TOKEN="$token"
for _ in $(seq 1 100); do
  curl -fsS "$VAULT_ADDR/v1/sys/health" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "dev server: $VAULT_ADDR (log: $work/server.log)"

run scripts/register-plugin.sh --plugin-dir "$work/plugins" --mount herald --cli "$(basename "$cli")"
run "$cli" secrets list
run "$cli" read herald/config
run "$cli" write herald/config default_ttl=12h record_ttl=2m signing_algorithm=ES256
step "$cli write herald/config rotation_window=1.5    # refused with a 400 that names the field"
"$cli" write herald/config rotation_window=1.5 || true
run "$cli" path-help herald/config

if $keep; then
  trap - EXIT
  cat <<EOT

The server keeps running (pid $server_pid). Use it with:
  export VAULT_ADDR=$VAULT_ADDR VAULT_TOKEN=$token BAO_ADDR=$VAULT_ADDR BAO_TOKEN=$token
Stop it with: kill $server_pid
EOT
fi
