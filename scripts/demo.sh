#!/usr/bin/env bash
# Sets Herald up and shows it working: builds and packages the plugin, starts an OpenBao dev
# server on a free loopback port with a plugin directory, registers and mounts Herald, then talks
# to it: a workload logs in through the jwt auth method, publishes its key and a consumer reads
# the signed record. The server is stopped at the end (pass --keep to leave it running and print how to use it).
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
token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
server_pid=""
cleanup() {
  if ! $keep; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT
source scripts/lib/dev-server.sh
dev_server_start "$server_bin" "$work" "$token" || { echo "demo: the dev server did not start" >&2; exit 1; }
echo "dev server: $VAULT_ADDR (log: $work/server.log)"

run scripts/register-plugin.sh --plugin-dir "$work/plugins" --mount herald --cli "$(basename "$cli")"
run "$cli" secrets list
run "$cli" read herald/config
run "$cli" write herald/config default_ttl=12h record_ttl=2m signing_algorithm=ES256
step "$cli write herald/config rotation_window=1.5    # refused with a 400 that names the field"
"$cli" write herald/config rotation_window=1.5 || true
run "$cli" write herald/config default_ttl=24h rotation_window=0.5

# A workload identity, as Kubernetes would give one: the demo is its own JWT issuer (an RSA key made
# here), and the jwt auth method copies the token's pod_uid claim into the identity's alias metadata.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/issuer.key" 2>/dev/null
openssl pkey -in "$work/issuer.key" -pubout -out "$work/issuer.pub"
run "$cli" auth enable jwt
run "$cli" write auth/jwt/config jwt_validation_pubkeys=@"$work/issuer.pub" bound_issuer=https://issuer.demo
printf 'path "herald/publish/*" { capabilities = ["create", "update"] }\npath "herald/discover/*" { capabilities = ["read"] }\n' \
  >"$work/publisher.hcl"
run "$cli" policy write herald-publisher "$work/publisher.hcl"
run "$cli" write auth/jwt/role/pods role_type=jwt user_claim=sub bound_audiences=herald-demo \
  claim_mappings=pod_uid=pod_uid token_policies=herald-publisher
accessor=$("$cli" auth list -format=json | python3 -c 'import json, sys; print(json.load(sys.stdin)["jwt/"]["accessor"])')
run "$cli" write herald/roles/web services=web 'instance={{alias.metadata.pod_uid}}' \
  bound_mount_accessor="$accessor" 'allowed_dns_names=*.web.internal' allowed_cidrs=10.0.0.0/8 allowed_ports=8443

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
claims=$(printf '{"iss":"https://issuer.demo","aud":"herald-demo","sub":"system:serviceaccount:prod:web","pod_uid":"pod-7f3a","iat":%d,"exp":%d}' \
  "$now" $((now + 600)) | b64url)
signature=$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -sign "$work/issuer.key" -binary | b64url)
step "$cli write auth/jwt/login role=pods jwt=<a JWT for pod_uid=pod-7f3a signed by the demo issuer>"
pod_token=$("$cli" write -field=token auth/jwt/login role=pods jwt="$header.$claims.$signature")
echo "logged in; the workload's token is kept in \$pod_token"

# The workload makes its own key; only a CSR (the public key and proof of possession) leaves it.
openssl genpkey -algorithm ed25519 -out "$work/pod.key"
openssl req -new -key "$work/pod.key" -subj /CN=pod-7f3a -out "$work/pod.csr"
step "VAULT_TOKEN=\$pod_token $cli write herald/publish/web/pod-7f3a role=web csr=@pod.csr endpoints=pod-7f3a.web.internal:8443 ip_addresses=10.0.3.7"
VAULT_TOKEN="$pod_token" BAO_TOKEN="$pod_token" "$cli" write herald/publish/web/pod-7f3a role=web csr=@"$work/pod.csr" \
  endpoints=pod-7f3a.web.internal:8443 ip_addresses=10.0.3.7
step "VAULT_TOKEN=\$pod_token $cli write herald/publish/web/pod-other ...    # another pod's name: refused by the role"
VAULT_TOKEN="$pod_token" BAO_TOKEN="$pod_token" "$cli" write herald/publish/web/pod-other role=web csr=@"$work/pod.csr" || true
run "$cli" read herald/discover/web
step "curl $VAULT_ADDR/v1/herald/jwks    # no token: what clients pin to verify records"
curl -fsS "$VAULT_ADDR/v1/herald/jwks" | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["data"], indent=2))'
run "$cli" read herald/history/web

if $keep; then
  trap - EXIT
  cat <<EOT

The server keeps running (pid $server_pid). Use it with:
  export VAULT_ADDR=$VAULT_ADDR VAULT_TOKEN=$token BAO_ADDR=$VAULT_ADDR BAO_TOKEN=$token
Stop it with: kill $server_pid
EOT
fi
