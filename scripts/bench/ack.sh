#!/usr/bin/env bash
# Acknowledged rotation with N consumers of one service (docs/design-ack.md §11.4), on one server
# node of integrated storage (a single raft node from a configuration file, its data on disk: every
# write a raft commit), with the packaged Herald at herald/:
#   1. AckConsumers.java (16 threads) logs N consumers in through a jwt auth method, each with its own
#      sub and so its own entity; each reads discover/bench-ack once and acks the seq it was served
#      (registration: N new sessions);
#   2. the service rotates (a fresh key for instance i1, continuity signed by the old one; the root
#      token publishes through the role `bench`): the old key is kept while the N counted consumers
#      lag;
#   3. the ack wave: the new seq's ack token is read from one discover answer, and the N acks are sent
#      16 at a time, each thread sending its next when the previous is answered (closed loop, full
#      concurrency); meanwhile rotation/bench-ack/i1 is polled until it says acknowledged.
# Measured: ack latency p50/p99, acks/s, the time from the rotation's publish answer to the ack that
# completed it and to rotation/ showing it, the server's storage writes during the wave
# (sys/metrics: barrier puts, raft applies and, when the server has them, raft-storage puts and entry
# bytes; the raft log's bytes) per ack, CPU time of the server and the plugin per ack, the plugin's
# RSS; and the heartbeat steady state 4N/consumer_ttl. Config: min_overlap 2s, max_overlap 30m,
# consumer_ttl 2h, record_ttl 5s, default_ttl 1h, rotation_window 0.001 (the rotation may come 4 s
# after the first publish).
#
# usage: scripts/bench/ack.sh [--server bao|vault] [--consumers N] [--threads 16] [--quick] [--json FILE]
#   --consumers  how many (default 10,000; with --quick 500)
#   --json       where to write the figures (default: target/bench/ack-SERVER.json)
# Needs: the packaged plugin and client (scripts/package.sh), curl, a JDK 25, the server binary.
# The run fails on a non-2xx answer before the wave; refusals in the wave are counted and reported.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
server=bao consumers="" threads=16 quick=false json_out=""
while (($#)); do
  case "$1" in
    --quick) quick=true ;;
    --server|--consumers|--threads|--json)
      [[ $# -ge 2 ]] || { echo "bench: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --server) server="$2" ;; --consumers) consumers="$2" ;; --threads) threads="$2" ;; --json) json_out="$2" ;;
      esac
      shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
$quick && : "${consumers:=500}"
: "${consumers:=10000}"
json_out="${json_out:-target/bench/ack-$server.json}"
source scripts/bench/lib/common.sh
[[ "$server" == bao || "$server" == vault ]] || die "--server must be bao or vault"
[[ "$consumers$threads" =~ ^[0-9]+$ ]] && ((consumers >= 1 && consumers <= 100000 && threads >= 1)) \
  || die "--consumers is 1..100000, --threads at least 1"
client_jar=target/client/herald-client.jar
[[ -f "$client_jar" ]] || die "no $client_jar; run scripts/package.sh first"
consumer_ttl_s=7200

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bench_server_start "$server" raft
server_version=$("$cli" version | head -1)
api POST herald/config "{\"default_ttl\":\"1h\",\"rotation_window\":0.001,\"min_overlap\":\"2s\",\"max_overlap\":\"30m\",
  \"consumer_ttl\":\"${consumer_ttl_s}s\",\"record_ttl\":\"5s\",\"max_consumers\":$((consumers > 20000 ? consumers : 20000))}" >/dev/null
echo "bench: $server_version, one raft node on $addr; $consumers consumers, $threads threads" >&2

# storage_counters: the server's cumulative storage counters (sys/metrics, Prometheus text) as
# "barrier_put barrier_put_ms raft_apply raft_storage_put raft_entry_bytes raft_log_bytes"; "-" for one it lacks
storage_counters() {
  api GET "sys/metrics?format=prometheus" | python3 -c '
import sys
m = {}
for line in sys.stdin:
    if line.startswith("#") or not line.strip():
        continue
    name, _, value = line.rpartition(" ")
    m[name.split("{")[0] if "quantile" not in name else ""] = float(value)
names = ["vault_barrier_put_count", "vault_barrier_put_sum", "vault_raft_apply", "vault_raft_storage_put_count",
         "vault_raft_storage_entry_size_sum", "vault_raft_boltdb_logBatchSize_sum"]
print(" ".join("%d" % m[n] if n in m else "-" for n in names))'
}
delta() { [[ "$1" == - || "$2" == - ]] && echo - || echo $(( $2 - $1 )); }
per() { [[ "$1" == - ]] && echo - || awk -v a="$1" -v n="$2" 'BEGIN {printf "%.2f", a / n}'; }

rm -f "$work/ready" "$work/go"
java -cp "$client_jar" scripts/bench/lib/AckConsumers.java --addr "$addr" --token bench --mount herald \
  --service bench-ack --instance i1 --consumers "$consumers" --threads "$threads" --ready "$work/ready" --go "$work/go" \
  >"$work/ack.out" 2>"$work/ack.err" &
ack_pid=$!
bench_pids+=("$ack_pid")
while [[ ! -e "$work/ready" ]]; do
  kill -0 "$ack_pid" 2>/dev/null || { cat "$work/ack.err" >&2; die "AckConsumers ended before the wave (above)"; }
  sleep 0.2
done
sleep 2   # let the registration's writes settle
rss_before=$(rss_mb "$herald_pid")
read -r -a before < <(storage_counters)
cpu_server_before=$(cpu_ticks "$server_pid"); cpu_plugin_before=$(cpu_ticks "$herald_pid")
touch "$work/go"
wait "$ack_pid" || { cat "$work/ack.err" >&2; die "AckConsumers failed (above)"; }
read -r -a after < <(storage_counters)
cpu_server=$(( $(cpu_ticks "$server_pid") - cpu_server_before )); cpu_plugin=$(( $(cpu_ticks "$herald_pid") - cpu_plugin_before ))
rss_after=$(rss_mb "$herald_pid"); rss_peak=$(hwm_mb "$herald_pid")
[[ "$(plugin_pid herald-plugin.jar)" == "$herald_pid" ]] || die "the Herald plugin process changed during the run (restarted?)"
[[ ! -s "$work/ack.err" ]] || { echo "bench: AckConsumers said:" >&2; cat "$work/ack.err" >&2; }
r=$(grep '^RESULT ' "$work/ack.out") || die "no RESULT from AckConsumers"
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$r"; }
acks_ok=$(field acks_ok)
((acks_ok > 0)) || die "no ack of the wave was answered 2xx: $r"
clk_tck=$(getconf CLK_TCK)
summary=$(api GET "herald/consumers/bench-ack?limit=1" | json 'd["data"]["summary"]')

names=(barrier_put barrier_put_ms raft_apply raft_storage_put raft_entry_bytes raft_log_bytes)
declare -A d
for i in "${!names[@]}"; do d[${names[$i]}]=$(delta "${before[$i]}" "${after[$i]}"); done
heartbeat=$(awk -v n="$consumers" -v t="$consumer_ttl_s" 'BEGIN {printf "%.2f", 4 * n / t}')

echo
echo "== $server_version, one raft node (integrated storage on disk); $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "== load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %s\n' \
  "consumers (sessions, entities)" "$consumers" \
  "login, $threads threads (not measured)" "$(field login_ms) ms" \
  "registration: discover + first ack each" "$(field register_ms) ms ($(field register_ok) answered 2xx)" \
  "counted before the rotation" "$(field counted_before) of $(field sessions_before) sessions" \
  "rotation awaits seq / served seq / requested" "$(field awaiting_sequence) / $(field served_seq) / $(field requested)" \
  "ack wave ($threads at a time, closed loop)" "$(field wave_ms) ms, $acks_ok of $(field acks) answered 2xx" \
  "acks/s" "$(field acks_per_s)" \
  "ack latency p50 / p99 / max" "$(field p50_ms) / $(field p99_ms) / $(field max_ms) ms" \
  "rotation answer -> wave start" "$(field rotation_to_wave_start_ms) ms (one discover read)" \
  "rotation answer -> the completing ack" "$(field rotation_to_completing_ack_ms) ms" \
  "rotation answer -> rotation/ acknowledged" "$(field rotation_to_acknowledged_ms) ms (state $(field state), polled every 100 ms)" \
  "engine: acknowledged_at - started_at" "$(field engine_acknowledged_after_s) s" \
  "barrier puts in the wave (per ack)" "${d[barrier_put]} ($(per "${d[barrier_put]}" "$acks_ok"))" \
  "mean barrier put (ms)" "$(per "${d[barrier_put_ms]}" "${d[barrier_put]}")" \
  "raft applies (per ack)" "${d[raft_apply]} ($(per "${d[raft_apply]}" "$acks_ok"))" \
  "raft-storage puts (per ack)" "${d[raft_storage_put]} ($(per "${d[raft_storage_put]}" "$acks_ok"))" \
  "raft entry bytes (per ack)" "${d[raft_entry_bytes]} ($(per "${d[raft_entry_bytes]}" "$acks_ok"))" \
  "raft log bytes written (per ack)" "${d[raft_log_bytes]} ($(per "${d[raft_log_bytes]}" "$acks_ok"))" \
  "CPU per ack: server / plugin" "$(awk -v s="$cpu_server" -v p="$cpu_plugin" -v n="$acks_ok" -v t="$clk_tck" \
      'BEGIN {printf "%.0f / %.0f us", s / t / n * 1e6, p / t / n * 1e6}')" \
  "plugin RSS before / after / peak" "$rss_before / $rss_after / $rss_peak MB" \
  "heartbeat steady state, 4N/consumer_ttl" "$heartbeat puts/s (consumer_ttl ${consumer_ttl_s}s)" \
  "refused (phase:status)" "$(field refused)"
echo "consumers/ summary after: $summary"

facts=(server="$server" server_version="$server_version" consumers="$consumers" threads="$threads" quick="$quick"
  cores="$(nproc)" load_before="$load_before" load_after="$(cut -d' ' -f1-3 /proc/loadavg)" date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  commit="$(git rev-parse --short HEAD 2>/dev/null || echo ?)" rss_before_mb="$rss_before" rss_after_mb="$rss_after"
  rss_peak_mb="$rss_peak" cpu_server_ticks="$cpu_server" cpu_plugin_ticks="$cpu_plugin" clk_tck="$clk_tck"
  heartbeat_puts_per_s="$heartbeat" ${r#RESULT })
for k in "${names[@]}"; do facts+=("wave_$k=${d[$k]}"); done
mkdir -p "$(dirname "$json_out")"
printf '%s\n' "${facts[@]}" | python3 -c 'import json, sys
json.dump(dict(line.rstrip("\n").split("=", 1) for line in sys.stdin), open(sys.argv[1], "w"), indent=1)' "$json_out"
echo "bench: figures in $json_out" >&2
