# Sourced: starts a bao/vault server for the demo and the benchmarks.
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
  port=$(free_port)
  HOME="$work" "$bin" server -dev -dev-root-token-id="$token" -dev-listen-address="127.0.0.1:$port" \
    -config="$work/server.hcl" >"$work/server.log" 2>&1 &
  server_pid=$!
  export VAULT_ADDR="http://127.0.0.1:$port" VAULT_TOKEN="$token" BAO_ADDR="http://127.0.0.1:$port" BAO_TOKEN="$token"
  server_answers 100 '^2' && return 0
  cat "$work/server.log" >&2
  return 1
}

#   raft_server_start SERVER_BIN WORK TOKEN
#
# The same, but a server as an operator runs one: started from a configuration file on integrated
# storage (a single raft node, its data in WORK/raft: every write a real raft commit), a plain-HTTP
# listener and a cluster listener on free loopback ports, and telemetry kept for
# sys/metrics?format=prometheus. It is initialised with one key share, unsealed, and TOKEN is made a
# root token (the one init hands out is kept in no file and printed nowhere). Waits up to 60 s for
# the node to become active; returns 1 (after printing its log) if it does not.
raft_server_start() {
  local bin="$1" work="$2" token="$3" port cport init key root
  mkdir -p "$work/plugins" "$work/raft"
  port=$(free_port); cport=$(free_port)
  [[ "$port" != "$cport" ]] || cport=$(free_port)
  cat >"$work/server.hcl" <<HCL
storage "raft" {
  path    = "$work/raft"
  node_id = "node1"
}
listener "tcp" {
  address         = "127.0.0.1:$port"
  cluster_address = "127.0.0.1:$cport"
  tls_disable     = true
}
telemetry {
  prometheus_retention_time = "1h"
  disable_hostname          = true
}
api_addr         = "http://127.0.0.1:$port"
cluster_addr     = "https://127.0.0.1:$cport"
disable_mlock    = true
plugin_directory = "$work/plugins"
raw_storage_endpoint = true
HCL
  HOME="$work" "$bin" server -config="$work/server.hcl" >"$work/server.log" 2>&1 &
  server_pid=$!
  export VAULT_ADDR="http://127.0.0.1:$port" BAO_ADDR="http://127.0.0.1:$port"
  unset VAULT_TOKEN BAO_TOKEN
  server_answers 100 '^[1-5]' || { cat "$work/server.log" >&2; return 1; }
  init=$("$bin" operator init -key-shares=1 -key-threshold=1 -format=json) || { cat "$work/server.log" >&2; return 1; }
  key=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["unseal_keys_b64"][0])' <<<"$init")
  root=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["root_token"])' <<<"$init")
  "$bin" operator unseal "$key" >/dev/null || { cat "$work/server.log" >&2; return 1; }
  server_answers 600 '^200$' || { cat "$work/server.log" >&2; return 1; }   # active: raft elected it
  VAULT_TOKEN="$root" BAO_TOKEN="$root" "$bin" token create -id="$token" -policy=root -orphan >/dev/null 2>"$work/token.err" \
    || { cat "$work/server.log" >&2; return 1; }
  export VAULT_TOKEN="$token" BAO_TOKEN="$token"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# server_answers TRIES REGEX: waits up to TRIES x 0.1 s for sys/health to answer a status matching REGEX
server_answers() {
  local _
  for _ in $(seq 1 "$1"); do
    [[ $(curl -sS -o /dev/null -w '%{http_code}' "$VAULT_ADDR/v1/sys/health" 2>/dev/null) =~ $2 ]] && return 0
    sleep 0.1
  done
  return 1
}
