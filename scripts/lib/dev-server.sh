# Sourced: starts a bao/vault dev server for the demo and the benchmarks.
#
#   dev_server_start SERVER_BIN WORK TOKEN
#
# Starts SERVER_BIN as a dev server on a free loopback port, with WORK/plugins as its plugin
# directory and WORK/server.log as its log, and the root token TOKEN. Sets server_pid and
# exports VAULT_ADDR/VAULT_TOKEN and BAO_ADDR/BAO_TOKEN for the CLIs. Waits up to 10 s for the
# server to answer; returns 1 (after printing its log) if it does not. The caller stops it.
dev_server_start() {
  local bin="$1" work="$2" token="$3" port
  mkdir -p "$work/plugins"
  printf 'plugin_directory = "%s"\n' "$work/plugins" > "$work/server.hcl"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  HOME="$work" "$bin" server -dev -dev-root-token-id="$token" -dev-listen-address="127.0.0.1:$port" \
    -config="$work/server.hcl" >"$work/server.log" 2>&1 &
  server_pid=$!
  export VAULT_ADDR="http://127.0.0.1:$port" VAULT_TOKEN="$token" BAO_ADDR="http://127.0.0.1:$port" BAO_TOKEN="$token"
  for _ in $(seq 1 100); do
    curl -fsS "$VAULT_ADDR/v1/sys/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$work/server.log" >&2
  return 1
}
