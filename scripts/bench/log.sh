#!/usr/bin/env bash
# The verifiable log's figures (issue 14, docs/design-log.md §10.4) on one server in one run, printed
# as one table with the ratios and goals, and written as JSON:
#   1. publish with the log / without (goal >= 0.8x): this plugin at herald/ and the last Herald
#      before the log (the plugin as of --base, default 07d6244^, packaged once by that commit's own
#      scripts/package.sh and cached under ~/.cache/herald/bench/<sha>/, registered as herald-base
#      with its own SHA-256) at herald-base/, the same load on each (wrk, 16 connections, fresh keys):
#      a new service each publish, and into a service of --big live instances (one per round); --runs
#      rounds, the order of the two plugins alternating, the ratio of the summed rates. Before the
#      first round each plugin gets --jit-warmup of the same load, not counted: the JIT compiles
#      for a minute or more after start (C2 compiled ~1,500 methods in ~37 s of CPU, measured with
#      -XX:+LogCompilation), and a plugin with more code pays longer; its rate is reported apart
#   2. publish to verified inclusion proof (goal p99 <= 1 s): LogLatency.java publishes one key at a
#      time and times each from sending the publish to having checked its leaf's inclusion proof
#      (log/proof/inclusion) against the answer's checkpoint and the log key; idle, and beside the
#      new-service publish load on the same mount
#   3. at 10^6 entries, in memory (LogMillion.java, before the server starts): bytes of a tlog-proof,
#      of log_proofs for 3 and 1,000 instances, of a consistency proof, and a client's time to
#      verify one record's proofs (3 and 1,000 instances) and one consistency proof
# The run fails on a non-2xx answer to either plugin, a proof that does not verify, or a plugin
# process that changed; a goal that is missed does not fail it.
#
# usage: scripts/bench/log.sh [--server bao|vault] [--quick] [--json FILE] [--base COMMIT]
#          [--duration 10s] [--warmup 3s] [--connections 16] [--threads 2] [--runs 2]
#          [--big N] [--big-limit S] [--latency-seconds S] [--entries N] [--kv-version vX] [--jit-warmup S]
#   --quick     shorter lines and sizes, to try the harness: 2 s lines, 1 s warm-ups, one round, a
#               service of 1,000, 5 s latency runs; the table says so
#   --json      where to write the JSON (default: target/bench/log-SERVER.json)
#   --base      the commit whose plugin is "without the log" (default 07d6244^, the one before
#               "engine: every change of a service goes through the mount's log")
#   --runs      rounds of the publish lines (default 2; quick 1)
#   --big, --big-limit   the size of the large service (default 10,000; quick 1,000) and the seconds
#               each mount's fill may take (default 150; quick 60)
#   --latency-seconds    each latency run (default 15; quick 5)
#   --entries   the in-memory tree's size (default 1,000,000)
#   --jit-warmup         seconds of new-service publishes each plugin gets before the first round
#               (default 30; quick 5; 0: none), reported as the cold rate
# Needs what all.sh needs (packaged plugin and client: scripts/package.sh; wrk, curl, a JDK 25, Go,
# the server binary); vegeta is installed on first use.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
server=bao quick=false json_out="" kv_version=v0.25.0 base=07d6244^ plugin_pkg=target/plugin
duration="" warmup="" connections=16 threads=2 runs="" big="" big_limit="" latency_seconds="" entries=1000000 jit_warmup=
while (($#)); do
  case "$1" in
    --quick) quick=true ;;
    --server|--json|--base|--duration|--warmup|--connections|--threads|--runs|--big|--big-limit|--latency-seconds|--entries|--kv-version|--jit-warmup)
      [[ $# -ge 2 ]] || { echo "bench: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --server) server="$2" ;; --json) json_out="$2" ;; --base) base="$2" ;; --duration) duration="$2" ;;
        --warmup) warmup="$2" ;; --connections) connections="$2" ;; --threads) threads="$2" ;; --runs) runs="$2" ;;
        --big) big="$2" ;; --big-limit) big_limit="$2" ;; --latency-seconds) latency_seconds="$2" ;;
        --entries) entries="$2" ;; --kv-version) kv_version="$2" ;; --jit-warmup) jit_warmup="$2" ;;
      esac
      shift ;;
    -h|--help) sed -n '2,40p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if $quick; then
  : "${duration:=2s}" "${warmup:=1s}" "${runs:=1}" "${big:=1000}" "${big_limit:=60}" "${latency_seconds:=5}" "${jit_warmup:=5}"
else
  : "${duration:=10s}" "${warmup:=3s}" "${runs:=2}" "${big:=10000}" "${big_limit:=150}" "${latency_seconds:=15}" "${jit_warmup:=30}"
fi
json_out="${json_out:-target/bench/log-$server.json}"
source scripts/bench/lib/common.sh
[[ "$server" == bao || "$server" == vault ]] || die "--server must be bao or vault"
for d in "$duration" "$warmup"; do
  [[ "$(seconds "$d")" =~ ^[0-9]+$ ]] || die "durations look like 10s, 2m"
done
[[ "$runs$big$big_limit$latency_seconds$entries$jit_warmup" =~ ^[0-9]+$ ]] || die "--runs, --big, the limits and --entries are whole numbers"
((runs >= 1 && connections >= threads)) || die "--runs must be at least 1, --connections at least --threads"
client_jar=target/client/herald-client.jar
[[ -f "$client_jar" ]] || die "no $client_jar; run scripts/package.sh first"
keys=$(( 1500 * $(seconds "$duration") ))
warm_keys=$(( 1500 * $(seconds "$warmup") + 100 ))
lat_keys=$(( 200 * latency_seconds + 100 ))   # a sequential publisher does far fewer than 200/s
source scripts/bench/lib/wrk.sh
source scripts/bench/lib/vegeta.sh
source scripts/bench/lib/base.sh
facts=()
fact() { facts+=("$1=$2"); }   # KEY VALUE: one measured or descriptive value for the report
result_facts() {  # PREFIX RESULT_LINE: each key=value of a RESULT line as a fact PREFIX_key
  local kv
  for kv in ${2#RESULT }; do fact "$1_${kv%%=*}" "${kv#*=}"; done
}

# --- the plugin without the log, and fresh keys (made once, then cached) ---------------------------------
base_pkg=$(base_package "$base")
fact base_commit "$(git rev-parse --short "$base^{commit}")"
jit_keys=$(( 1500 * jit_warmup ))
((jit_keys == 0)) || bodies csr jw "$jit_keys" >/dev/null
lat_idle_file=$(bodies csr li "$lat_keys"); lat_load_file=$(bodies csr ll "$lat_keys")
load_keys=$(( 1000 * (latency_seconds + 10) )); load_file=$(bodies csr ls "$load_keys")
for r in $(seq 1 "$runs"); do
  bodies csr "b$r" "$big" >/dev/null
  bodies csr "s$r" "$keys" >/dev/null; bodies csr "ws$r" "$warm_keys" >/dev/null
  bodies csr "bn$r" "$keys" >/dev/null; bodies csr "bw$r" "$warm_keys" >/dev/null
done

# --- 3. at 10^6 entries, in memory, before the server starts (a quiet machine) ----------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: the log at $entries entries, in memory (LogMillion.java)" >&2
million=$(java -cp "$client_jar" scripts/bench/lib/LogMillion.java --entries "$entries") || die "LogMillion failed"
result_facts million "$million"

# --- the server, with both plugins -----------------------------------------------------------------------
bench_server_start "$server"
server_version=$("$cli" version | head -1)
scripts/register-plugin.sh --plugin-dir "$work/plugins" --package "$base_pkg" --name herald-base --mount herald-base --cli "$server" \
  >"$work/register-base.log" 2>&1 || { cat "$work/register-base.log" >&2; die "registering the plugin as of $base failed (above)"; }
api POST herald-base/roles/bench '{"services":["bench","bench-*"],"instance":"*","allow_unbound":true,
  "require_proof":false,"allowed_dns_names":["*.bench.internal"],"allowed_cidrs":["10.0.0.0/8"]}' >/dev/null
base_pid=$(plugin_pid "herald-base-.*herald-plugin.jar")
[[ -n "$base_pid" && "$base_pid" != "$herald_pid" ]] || die "no process of the plugin as of $base under the server"
echo "bench: $server_version dev server on $addr; herald/ (with the log) and herald-base/ (as of $base, without);" \
  "wrk -t$threads -c$connections, $warmup warm-up + $duration per line, $runs round(s)" >&2
# Both mounts answer a publish the same way, except the log member (which the base must not have).
for m in herald herald-base; do
  api POST "$m/publish/bench/i1" "$(sed -n 2p "$(bodies csr i 4)")" >"$work/first-$m.json"
done
[[ $(json '"log" in d["data"]' <"$work/first-herald.json") == True ]] || die "herald/ answers a publish without log: {index, checkpoint}"
[[ $(json '"log" in d["data"]' <"$work/first-herald-base.json") == False ]] || die "herald-base/ (as of $base) already has the log"

# latency_run BODIES SERVICE [LogLatency options]: LogLatency.java on herald/ for $latency_seconds;
# prints its RESULT line
latency_run() {
  local bodies_file="$1" service="$2"; shift 2
  java -cp "$client_jar" scripts/bench/lib/LogLatency.java --addr "$addr" --token bench --mount herald \
    --bodies "$bodies_file" --service "$service" --seconds "$latency_seconds" "$@"
}
# latency_facts KEY LABEL RESULT: a run's figures as facts KEY_*, and one line on stderr
latency_facts() {
  local key="$1" label="$2" r="$3"
  [[ "$r" == RESULT\ * ]] || die "$label: no RESULT from LogLatency"
  result_facts "$key" "$r"
  printf 'bench: %-48s%7s publishes  p50 %7s ms  p99 %7s ms  max %7s ms  (publish p50 %s ms, proof p50 %s ms)\n' "$label" \
    "$(field n "$r")" "$(sed -n 's/.* p50_ms=\([0-9.]*\).*/\1/p' <<<"$r")" "$(sed -n 's/.* p99_ms=\([0-9.]*\).*/\1/p' <<<"$r")" \
    "$(sed -n 's/.* max_ms=\([0-9.]*\).*/\1/p' <<<"$r")" "$(sed -n 's/.* publish_p50_ms=\([0-9.]*\).*/\1/p' <<<"$r")" \
    "$(sed -n 's/.* proof_p50_ms=\([0-9.]*\).*/\1/p' <<<"$r")" >&2
  [[ $(field exhausted "$r") == 0 ]] || die "$label: the $lat_keys fresh keys ran out"
}
# line_as WHO KEY LABEL ARGS...: a wrk line (wrk.sh) with WHO's process (herald or base) as the one
# whose CPU time and RSS it reports
line_as() {
  local who="$1" saved="$herald_pid"; shift
  [[ "$who" == base ]] && herald_pid="$base_pid"
  line "$1" "$2" herald "${@:3}"
  herald_pid="$saved"
}
# settle: waits, up to 60 s, until the server and both plugins together use under 10 % of a core
settle() {
  local t0=$SECONDS a b
  while ((SECONDS - t0 < 60)); do
    a=$(( $(cpu_ticks "$herald_pid") + $(cpu_ticks "$base_pid") + $(cpu_ticks "$server_pid") )); sleep 1
    b=$(( $(cpu_ticks "$herald_pid") + $(cpu_ticks "$base_pid") + $(cpu_ticks "$server_pid") ))
    (( (b - a) * 10 < clk_tck )) && break
  done
}

# --- 1. publish with the log / without: a new service each -----------------------------------------------
# The JIT warm-up: the same load on each plugin, base first, its rate kept apart (cold_*).
if ((jit_keys > 0)); then
  saved_duration="$duration" saved_warmup="$warmup" duration="${jit_warmup}s" warmup=0s
  for who in base log; do
    mount=$([[ $who == log ]] && echo herald || echo herald-base)
    line_as "$who" "cold_$who" "$mount publish (new service each, JIT warm-up)" "$mount/publish" publish \
      "$bench_cache/csr-jw-$jit_keys.jsonl" "$threads" "bench-jw-" /i
    settle
  done
  duration="$saved_duration" warmup="$saved_warmup"
fi
# Rounds alternate which plugin goes first; each round has keys of its own (the same for both mounts,
# which share nothing), so that no publish repeats a key or a name within a mount.
for r in $(seq 1 "$runs"); do
  order=(base log); ((r % 2)) || order=(log base)
  for who in "${order[@]}"; do
    mount=$([[ $who == log ]] && echo herald || echo herald-base)
    line_as "$who" "svc_${who}_$r" "$mount publish (fresh, new service each, $r)" "$mount/publish" publish \
      "$bench_cache/csr-s$r-$keys.jsonl" "$threads" "bench-s$r-" /i \
      --warm "$mount/publish" publish "$bench_cache/csr-ws$r-$warm_keys.jsonl" "$threads" "bench-ws$r-" /i
    settle
  done
done

# --- 1. into a service of --big live instances ------------------------------------------------------------
# A service of its own each round (bench-big-R), filled before the round: a round's publishes (up to
# 15,000 with the warm-up) would otherwise take the next round's service past the registry's cache
# budget of 16,384 publications, where every publish loads the whole service (issue 11's G6).
# After a warm-up, publishes it left under way fail, and a failed change makes Herald drop the
# service from its cache; a discover of one instance loads it once (as all.sh does).
after_big_warmup() { settle; api GET "$big_mount/discover/bench-big-$big_round/b0" >/dev/null; }  # (wrk.sh's line has an r of its own)
line_after_warmup=after_big_warmup wrk_timeout=60s
for r in $(seq 1 "$runs"); do
  big_round=$r
  for mount in herald-base herald; do
    printf 'bench: %-48s' "fill $mount bench-big-$r to $big instances" >&2
    vegeta_publish "$bench_cache/csr-b$r-$big.jsonl" "$big" "$mount/publish/bench-big-$r/b{k}" "$big" "$big_limit"
    printf '%7s publishes answered in %s s%s\n' "$fill_ok" "$fill_seconds" "$( ((fill_ok < big)) && echo ", stopped at the limit of $big_limit s" )" >&2
    fact "fill_big_${mount//-/_}_${r}_ok" "$fill_ok"; fact "fill_big_${mount//-/_}_${r}_seconds" "$fill_seconds"
    settle
  done
  order=(base log); ((r % 2)) || order=(log base)
  for who in "${order[@]}"; do
    big_mount=$([[ $who == log ]] && echo herald || echo herald-base)
    line_as "$who" "big_${who}_$r" "$big_mount publish (fresh, into bench-big-$r, $r)" "$big_mount/publish/bench-big-$r" publish \
      "$bench_cache/csr-bn$r-$keys.jsonl" "$threads" "n$r-" \
      --warm "$big_mount/publish/bench-big-$r" publish "$bench_cache/csr-bw$r-$warm_keys.jsonl" "$threads" "w$r-"
    settle
  done
done
line_after_warmup="" wrk_timeout=""

# --- 2a. publish to verified inclusion proof, idle ---------------------------------------------------------
# After the throughput lines, so that the plugin's JIT has compiled the publish path as it has for the
# run beside the load (right after the start, the first publishes measure the compiler).
settle
r=$(latency_run "$lat_idle_file" bench-lat) || die "LogLatency failed (idle)"
latency_facts lat_idle "publish -> verified proof, idle" "$r"

# --- 2b. publish to verified inclusion proof, beside the publish load --------------------------------------
# The load: wrk's new-service publishes on herald/. LogLatency starts first (its JVM takes seconds
# on a busy machine) and says when it is warm; then the load starts, and a second later LogLatency
# counts, for $latency_seconds. The load lasts 3 s longer; the run checks that the last counted
# answer came before the load's end.
rm -f "$work/lat.ready" "$work/lat.go"
load_seconds=$((latency_seconds + 4))
latency_run "$lat_load_file" bench-lat-load --ready "$work/lat.ready" --go "$work/lat.go" \
  >"$work/lat-load.out" 2>"$work/lat-load.err" &
lat_pid=$!
bench_pids+=("$lat_pid")
for _ in $(seq 1 1200); do [[ -e "$work/lat.ready" ]] || ! kill -0 "$lat_pid" 2>/dev/null && break; sleep 0.1; done
[[ -e "$work/lat.ready" ]] || { cat "$work/lat-load.err" >&2; die "LogLatency did not get ready for the run beside the load"; }
load_start_ms=$(date +%s%3N)
wrk -t"$threads" -c"$connections" -d"${load_seconds}s" --timeout 10s -H "X-Vault-Token: bench" -s "$lua" \
  "$addr/v1/herald/publish" -- publish "$load_file" "$threads" bench-l /i >"$work/load.out" 2>&1 &
load_pid=$!
bench_pids+=("$load_pid")
sleep 1
touch "$work/lat.go"
wait "$lat_pid" || { cat "$work/lat-load.err" >&2; die "the latency run beside the load failed"; }
lat_load_result=$(cat "$work/lat-load.out")
latency_facts lat_load "publish -> verified proof, beside the load" "$lat_load_result"

wait "$load_pid" || { cat "$work/load.out" >&2; die "wrk (the load) failed"; }
r=$(grep '^RESULT ' "$work/load.out") || { cat "$work/load.out" >&2; die "no RESULT from the load's wrk"; }
(( $(field non2xx "$r") == 0 )) || die "the load had $(field non2xx "$r") non-2xx answers"
[[ $(field exhausted "$r") == 0 ]] || die "the load's $load_keys fresh keys ran out"
# wrk's duration_us is from its first request, which comes after load_start_ms: a safe end
load_end_ms=$(( load_start_ms + $(field duration_us "$r") / 1000 ))
(( $(field last_ms "$lat_load_result") <= load_end_ms )) \
  || die "the latency run beside the load ended $(( $(field last_ms "$lat_load_result") - load_end_ms )) ms after the load (a slow JVM start?)"
fact load_rps "$(awk -v n="$(field requests "$r")" -v d="$(field duration_us "$r")" 'BEGIN {printf "%.0f", n / (d / 1e6)}')"
echo "bench: (the load beside it: herald publish, fresh, new service each: $(field requests "$r") publishes in ${load_seconds} s)" >&2

# --- the checks of the whole run, and the report ------------------------------------------------------------
# A plugin that restarted has another process: each must still be the one the run started with.
alive() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -- "$2"; }
alive "$herald_pid" herald-plugin.jar || die "the Herald plugin process changed during the run (restarted?)"
alive "$base_pid" "herald-base-.*herald-plugin.jar" || die "the plugin as of $base changed during the run (restarted?)"
for key in "${!rps[@]}"; do
  fact "rps_$key" "${rps[$key]}"; fact "p50_$key" "${p50[$key]}"; fact "p99_$key" "${p99[$key]}"
  fact "server_us_$key" "${server_us[$key]}"; fact "plugin_us_$key" "${plugin_us[$key]}"; fact "rss_after_$key" "${rss_after[$key]}"
done
fact herald_rss_end_mb "$(rss_mb "$herald_pid")"; fact base_rss_end_mb "$(rss_mb "$base_pid")"
fact server "$server"; fact server_version "$server_version"; fact quick "$quick"; fact runs "$runs"
fact date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"; fact commit "$(git rev-parse --short HEAD 2>/dev/null || echo ?)"
fact package_sha256 "$(cut -c1-16 "$plugin_pkg/herald.sha256")"; fact base_package_sha256 "$(cut -c1-16 "$base_pkg/herald.sha256")"
fact cores "$(nproc)"; fact cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
fact load_before "$load_before"; fact load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
fact wrk "-t$threads -c$connections -d$duration, $warmup warm-up"; fact big "$big"; fact latency_seconds "$latency_seconds"
fact jit_warmup "$jit_warmup"
mkdir -p "$(dirname "$json_out")"
printf '%s\n' "${facts[@]}" | python3 scripts/bench/lib/log_report.py "$json_out"
