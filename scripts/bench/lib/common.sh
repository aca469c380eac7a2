# Sourced by the benchmarks (throughput.sh, all.sh), from the repository root: what they share.
#
#   die MESSAGE                 prints "bench: error: MESSAGE" and exits 1
#   seconds 10s|2m|1h           a wrk/vegeta duration in seconds
#   bodies PROOF PREFIX COUNT   the path of a file of COUNT publish bodies with fresh Ed25519 keys
#                               (PublishBodies.java; cached in $bench_cache: every run is a new
#                               in-memory dev server, which has never seen them)
#   bench_server_start KIND [raft]
#                               starts a dev server (bao or vault) in a scratch directory, or with
#                               raft a single node on integrated storage (raft_server_start), with
#                               Herald (the package in $plugin_pkg, default target/plugin) at herald/,
#                               when $kv_version is set the Go KV plugin at kvgo/ and builtin KV v1 at
#                               kv/, Herald's role `bench`, and sets server_pid, addr, cli, work,
#                               herald_pid, kvgo_pid; the token `bench` is root; everything it
#                               started is stopped on exit
#   bench_seed                  a 600-byte value at kv/bench and kvgo/bench; 3 instances of the
#                               Herald service bench (i1..i3) for discover
#   api METHOD PATH [BODY]      one request with the root token; dies on a non-2xx answer
#   json EXPR                   evaluates EXPR on the JSON document on stdin (as d)
#   plugin_pid SUBSTRING        the pid of the server's descendant whose command line has SUBSTRING
#   rss_mb PID, hwm_mb PID      its resident set now / its highest so far (VmHWM), in MB
#   cpu_ticks PID               its user + system CPU time in clock ticks
#   all_services                every page of Herald's services/ as one list answer
#   live_total                  the live publications of the whole Herald mount (services/)
# kv_version: the Go KV plugin's version, set by the callers that measure beside it.

source scripts/lib/jdk.sh                       # JDK 25: PublishBodies.java

die() { echo "bench: error: $*" >&2; exit 1; }
seconds() {  # wrk duration (10, 10s, 2m, 1h) -> seconds
  case "$1" in
    *s) echo "${1%s}" ;; *m) echo $(( ${1%m} * 60 )) ;; *h) echo $(( ${1%h} * 3600 )) ;; *) echo "$1" ;;
  esac
}

bench_cache="${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}/bench"
mkdir -p "$bench_cache"
bodies() {  # proof prefix count -> path of a file of `count` publish bodies (PublishBodies.java)
  local file="$bench_cache/$1-$2-$3.jsonl"
  if [[ ! -s "$file" ]]; then
    echo "bench: making $3 Ed25519 keys ($1) for $2<n> (once; cached in $bench_cache)" >&2
    java "$root/scripts/bench/lib/PublishBodies.java" --count "$3" --proof "$1" --prefix "$2" \
      --role bench --domain bench.internal --out "$file.tmp"
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# --- the server ------------------------------------------------------------------------------------------
server_pid="" work="" bench_pids=()
bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}" "$server_pid"; do
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [[ -z "$work" ]] || rm -rf "$work"
}

bench_server_start() {  # bao|vault [raft]
  local kv=""
  command -v curl >/dev/null || die "curl is not installed"
  local pkg="${plugin_pkg:-target/plugin}"
  [[ -x "$pkg/herald" && -f "$pkg/herald.sha256" ]] \
    || die "no packaged plugin in $pkg; run scripts/package.sh first"
  source scripts/bench/lib/peers.sh
  [[ -z "${kv_version:-}" ]] || kv=$(kv_plugin "$kv_version")
  server_bin=$(server_binary "$1")
  if [[ "$1" != bao ]]; then
    export PATH="$(dirname "$server_bin"):$PATH"   # register-plugin.sh looks the CLI up on PATH
  fi
  cli="$server_bin"
  work=$(mktemp -d "${TMPDIR:-/tmp}/herald-bench.XXXXXX")
  trap bench_cleanup EXIT
  mkdir -p "$work/plugins"
  source scripts/lib/dev-server.sh
  if [[ "${2:-}" == raft ]]; then
    raft_server_start "$server_bin" "$work" bench || die "the server did not start"
  else
    dev_server_start "$server_bin" "$work" bench || die "the server did not start"
  fi
  addr="$VAULT_ADDR"
  scripts/register-plugin.sh --plugin-dir "$work/plugins" --package "$pkg" --mount herald --cli "$1" \
    >"$work/register.log" 2>&1 || { cat "$work/register.log" >&2; die "registering Herald failed (above)"; }
  if [[ -n "$kv" ]]; then
    cp "$kv" "$work/plugins/kv-go"
    "$cli" plugin register -sha256="$(sha256sum "$work/plugins/kv-go" | cut -d' ' -f1)" -command=kv-go secret kv-go >/dev/null
    "$cli" secrets enable -path=kvgo kv-go >/dev/null
    "$cli" secrets enable -path=kv -version=1 kv >/dev/null
  fi
  api POST herald/roles/bench '{"services":["bench","bench-*"],"instance":"*","allow_unbound":true,
    "require_proof":false,"allowed_dns_names":["*.bench.internal"],"allowed_cidrs":["10.0.0.0/8"]}' >/dev/null
  herald_pid=$(plugin_pid herald-plugin.jar)
  kvgo_pid=$(plugin_pid kv-go)
  [[ -n "$herald_pid" ]] || die "no Herald plugin process (java ... herald-plugin.jar) under the server"
  [[ -z "$kv" || -n "$kvgo_pid" ]] || die "no Go KV plugin process under the server"
}

bench_seed() {
  local value i seed_file
  value=$(printf 'v%.0s' $(seq 1 600))
  api POST kv/bench "{\"value\":\"$value\"}" >/dev/null
  api POST kvgo/bench "{\"value\":\"$value\"}" >/dev/null
  [[ $(api GET kvgo/bench | json 'len(d["data"]["value"])') == 600 ]] || die "kvgo/bench does not read back"
  seed_file=$(bodies csr i 4)                   # i1..i3 for discover (line 0 unused)
  for i in 1 2 3; do
    api POST "herald/publish/bench/i$i" "$(sed -n "$((i + 1))p" "$seed_file")" >/dev/null
  done
  [[ $(api GET herald/discover/bench | json 'len(d["data"]["instances"])') == 3 ]] || die "discover/bench does not list 3 instances"
}

api() {  # METHOD PATH [JSON BODY] -> response body on stdout; dies on a non-2xx answer
  local out status
  out=$(curl -sS -X "$1" -H "X-Vault-Token: bench" -H "Content-Type: application/json" \
        ${3:+--data-binary "$3"} -w '\n%{http_code}' "$addr/v1/$2")
  status="${out##*$'\n'}"
  [[ "$status" == 2* ]] || die "$1 $2 answered $status: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }
# all_services: every page of herald/services/ (limit 10,000 each) as one answer: {"data": {"keys", "key_info"}}
all_services() {
  local after="" n=0 dir
  dir=$(mktemp -d)
  while :; do
    api LIST "herald/services/?limit=10000&after=$after" >"$dir/$((n += 1))"
    after=$(json "d['data'].get('next', '')" <"$dir/$n")
    [[ -n "$after" ]] || break
  done
  python3 -c 'import json, sys
keys, info = [], {}
for name in sys.argv[1:]:
    with open(name) as f:
        page = json.load(f)["data"]
    keys += page.get("keys") or []
    info.update(page.get("key_info") or {})
print(json.dumps({"data": {"keys": keys, "key_info": info}}))' $(seq -f "$dir/%g" 1 "$n")
  rm -rf "$dir"
}
live_total() {
  all_services | json "sum(v.get('live_instances', 0) for v in d['data'].get('key_info', {}).values())"
}

# --- processes -------------------------------------------------------------------------------------------
descendants() { local p; for p in $(pgrep -P "$1" || true); do echo "$p"; descendants "$p"; done; }
plugin_pid() {  # command-line substring -> pid of the server's descendant running it
  local pid
  for pid in $(descendants "$server_pid"); do
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1"; then echo "$pid"; return; fi
  done
}
rss_mb() { [[ -n "$1" ]] && awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
hwm_mb() { [[ -n "$1" ]] && awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
cpu_ticks() { [[ -n "$1" && -r "/proc/$1/stat" ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
