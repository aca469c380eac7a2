#!/usr/bin/env bash
# Every figure of issue 11's goals on one server in one run, Herald beside the Go KV plugin
# (vault-plugin-secrets-kv, KV v1) and builtin KV v1, printed as one table with the ratios, floors
# and aims, and written as JSON:
#   1. publish (fresh key, new service each) / Go KV write              throughput, wrk
#   2. publish into a service of 10,000 live instances / new service    throughput, wrk
#   3. discover (3 instances) / Go KV read, median of 3 alternated runs  throughput, wrk
#   4. discover p99 at 100,000 live publications / at 100                latency at a fixed rate, vegeta
#   5. the Herald plugin's highest RSS over the whole run (VmHWM of its process, and 1 s samples)
#   6. start -> handshake, median of 10, Herald / Go KV plugin           (as scripts/bench/startup.sh)
# and the large service's answers: its whole record, a page of 1,000 and of 100, one instance's
# record (bytes, and time signed and kept), under the details.
# Builtin KV's read and write lines are measured too, for scale (the details under the table).
# The order: handshakes (before the server starts, on a quiet machine); the server with 100 live
# publications: discover latency, then the read lines; a service filled to 10,000 instances; the
# write and publish lines; the mount filled to 100,000 live publications; discover latency again.
# Fills are parallel publishes with vegeta. The run fails on a non-2xx answer to Herald, a count
# that does not add up, or a Herald process that changed; a goal that is missed does not fail it.
#
# usage: scripts/bench/all.sh [--server bao|vault] [--quick] [--json FILE]
#          [--duration 10s] [--warmup 3s] [--connections 16] [--threads 2]
#          [--rate 500] [--latency-duration 15s] [--big N] [--live N] [--runs N] [--kv-version vX]
#          [--big-limit 150] [--live-limit 300] [--nmt] [--jvm-option OPT]... [--jvm-options FILE] [--no-aot]
#   --quick     smaller sizes and shorter lines, to try the harness: a service of 1,000, 10,000 live
#               publications, 2 s lines, 5 s latency runs, 3 handshakes; the table says so
#   --json      where to write the JSON (default: target/bench/all-SERVER.json)
#   --rate      the fixed request rate of the latency runs (req/s)
#   --big, --live, --runs   the size of the large service, the live publications of the second
#               latency run, the handshakes per plugin (defaults 10,000, 100,000, 10)
#   --big-limit, --live-limit   seconds each of those two fills may take (quick: 60, 90); a fill
#               that is not done by then stops, and the table gives the size it reached
#   --nmt       the plugin runs with -XX:NativeMemoryTracking=summary (in a package of its own, see
#               --jvm-option: the AOT cache is trained with it), and after the seed, each fill and
#               each line its RSS, NMT's committed memory by category and the heap's committed and
#               used size (jcmd GC.heap_info) are recorded, and at the highest RSS its mappings
#               (/proc/PID/smaps) split by kind: the AOT cache, libjvm, heap, code, anonymous...
#               (named by jcmd System.map). NMT costs memory of its own (its category in the split,
#               and a header on every malloc): compare --nmt runs with --nmt runs.
#   --jvm-option OPT   (repeatable) run a variant of the plugin whose jvm.options has OPT appended
#               (a later -XX/-X flag overrides the shipped one); !PREFIX instead removes the shipped
#               lines starting with PREFIX. The variant is packaged (scripts/package.sh --out
#               target/bench/variant) with its own AOT cache trained with those flags; the
#               details under the table list the change, and the JSON has the memory figures.
#   --jvm-options FILE start from FILE instead of plugin/dist/src/main/jvm/jvm.options
#   --no-aot    the variant is packaged without an AOT cache
#   Environment variables of the JVM (MALLOC_ARENA_MAX=2 ...): set them on this script's command
#               line; the server passes its environment to the plugin, and the table names them
# Needs what throughput.sh needs (a packaged plugin in target/plugin, wrk, curl, a JDK 25, Go, the
# server binary) and the shared handshake_time.py; vegeta is installed on first use.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
server=bao quick=false json_out="" kv_version=v0.25.0
duration="" warmup="" connections=16 threads=2 rate=500 latency_duration="" big="" live_hi="" runs=""
big_limit="" live_limit="" nmt=false jvm_opts=() jvm_base="plugin/dist/src/main/jvm/jvm.options" package_extra=()
while (($#)); do
  case "$1" in
    --quick) quick=true ;;
    --nmt) nmt=true ;;
    --no-aot) package_extra+=(--no-aot) ;;
    --jvm-option|--jvm-options)
      [[ $# -ge 2 ]] || { echo "bench: $1 needs a value" >&2; exit 2; }
      if [[ "$1" == --jvm-option ]]; then jvm_opts+=("$2"); else jvm_base="$2"; fi
      shift ;;
    --server|--json|--duration|--warmup|--connections|--threads|--rate|--latency-duration|--big|--live|--runs|--kv-version|--big-limit|--live-limit)
      [[ $# -ge 2 ]] || { echo "bench: $1 needs a value" >&2; exit 2; }
      case "$1" in
        --server) server="$2" ;; --json) json_out="$2" ;; --duration) duration="$2" ;; --warmup) warmup="$2" ;;
        --connections) connections="$2" ;; --threads) threads="$2" ;; --rate) rate="$2" ;;
        --latency-duration) latency_duration="$2" ;; --big) big="$2" ;; --live) live_hi="$2" ;;
        --runs) runs="$2" ;; --kv-version) kv_version="$2" ;; --big-limit) big_limit="$2" ;; --live-limit) live_limit="$2" ;;
      esac
      shift ;;
    -h|--help) sed -n '2,48p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if $quick; then
  : "${duration:=2s}" "${warmup:=1s}" "${latency_duration:=5s}" "${big:=1000}" "${live_hi:=10000}" "${runs:=3}"
  : "${big_limit:=60}" "${live_limit:=90}"
else
  : "${duration:=10s}" "${warmup:=3s}" "${latency_duration:=15s}" "${big:=10000}" "${live_hi:=100000}" "${runs:=10}"
  : "${big_limit:=150}" "${live_limit:=300}"
fi
live_lo=100
json_out="${json_out:-target/bench/all-$server.json}"
source scripts/bench/lib/common.sh
[[ "$server" == bao || "$server" == vault ]] || die "--server must be bao or vault"
for d in "$duration" "$warmup" "$latency_duration"; do
  [[ "$(seconds "$d")" =~ ^[0-9]+$ ]] || die "durations look like 10s, 2m"
done
[[ "$rate$big$live_hi$runs$big_limit$live_limit" =~ ^[0-9]+$ ]] || die "--rate, --big, --live, --runs and the limits are whole numbers"
((connections >= threads)) || die "--connections must be at least --threads"
((live_hi > big + live_lo)) || die "--live must be larger than --big + $live_lo"
keys=$(( 1500 * $(seconds "$duration") ))
warm_keys=$(( 1500 * $(seconds "$warmup") + 100 ))
source scripts/bench/lib/wrk.sh
source scripts/bench/lib/vegeta.sh
source scripts/bench/lib/peers.sh
source scripts/bench/lib/memory.sh
jcmd_bin="$JAVA_HOME/bin/jcmd"
facts=()
fact() { facts+=("$1=$2"); }   # KEY VALUE: one measured or descriptive value for the report

# --- the plugin: as packaged, or a variant with other JVM flags --------------------------------------------
plugin_pkg=target/plugin
$nmt && jvm_opts+=(-XX:NativeMemoryTracking=summary)
if ((${#jvm_opts[@]})) || [[ "$jvm_base" != plugin/dist/src/main/jvm/jvm.options ]] || ((${#package_extra[@]})); then
  [[ -f "$jvm_base" ]] || die "no JVM options file $jvm_base"
  jvm_variant "$jvm_base" target/bench/variant ${jvm_opts[@]+"${jvm_opts[@]}"}
fi
fact jvm_options_changed "$( { [[ "$jvm_base" == plugin/dist/src/main/jvm/jvm.options ]] || echo "from $jvm_base"
  printf '%s\n' ${jvm_opts[@]+"${jvm_opts[@]}"} ${package_extra[@]+"${package_extra[@]}"}; } | paste -sd' ')"

# --- fresh keys (made once, then cached) ------------------------------------------------------------------
svc_warm=$(bodies csr ws "$warm_keys");  svc_file=$(bodies csr s "$keys")
bigw_file=$(bodies csr bw "$warm_keys"); bign_file=$(bodies csr bn "$keys")
lo_file=$(bodies csr g "$live_lo");      big_file=$(bodies csr b "$big")
hi_file=$(bodies csr f "$live_hi")

# --- 6. start to handshake, before anything else runs ---------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
kv=$(kv_plugin "$kv_version")
echo "bench: start to handshake, $runs runs of each plugin" >&2
hs_herald=$(handshake "$runs" "$plugin_pkg/herald")
hs_kv=$(handshake "$runs" "$kv")
for who in herald kv; do
  hs="hs_$who"
  for f in median min max; do fact "hs_${who}_$f" "$(sed -n "s/.* $f=\([0-9.]*\).*/\1/p" <<<"${!hs}")"; done
done
echo "bench:   herald: ${hs_herald%% line=*}" >&2
echo "bench:   go kv:  ${hs_kv%% line=*}" >&2

# --- the server, and the Herald plugin's memory through the whole run ------------------------------------
bench_server_start "$server"
server_version=$("$cli" version | head -1)
echo "bench: $server_version dev server on $addr; wrk -t$threads -c$connections, $warmup warm-up + $duration per line;" \
  "vegeta at $rate req/s for $latency_duration" >&2
echo setup >"$work/phase"
( while kill -0 "$herald_pid" 2>/dev/null; do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$herald_pid/status" 2>/dev/null)
    printf '%s %s\n' "$kb" "$(cat "$work/phase")"
    ! $nmt || [[ -z "$kb" ]] || mem_peak_smaps "$herald_pid" "$kb"
    sleep 1
  done >"$work/rss.log" ) &
bench_pids+=($!)
phase() { echo "$1" >"$work/phase"; }
# What the JVM runs with: glibc's tunables as the plugin's environment has them (the server passes
# its own on), and the AOT cache in use (the JVM maps the file only when it accepted it)
fact jvm_env "$(tr '\0' '\n' <"/proc/$herald_pid/environ" | grep -E '^(MALLOC_|GLIBC_TUNABLES)' | paste -sd' ' || true)"
fact herald_aot_mapped "$(grep -qE '\.aot$' "/proc/$herald_pid/maps" && echo yes || echo no)"
line_done_hook=mem_point   # wrk.sh: after each line, with its key

bench_seed
mem_point seed
# publish_fill KEY LABEL FILE COUNT URL_FORMAT PER_SERVICE LIMIT: parallel publishes (vegeta_publish),
# then their count, time and rate as facts
publish_fill() {
  local key="$1" label="$2"; shift 2
  printf 'bench: %-48s' "$label" >&2
  vegeta_publish "$@"
  printf '%7s publishes answered in %s s (%s/s)%s\n' "$fill_ok" "$fill_seconds" \
    "$(awk -v n="$fill_ok" -v s="$fill_seconds" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')" \
    "$( ((fill_ok < $2)) && echo ", $fill_cut given up: stopped at the limit of $5 s" )" >&2
  fact "fill_${key}_wanted" "$2"; fact "fill_${key}_ok" "$fill_ok"; fact "fill_${key}_cut" "$fill_cut"
  fact "fill_${key}_seconds" "$fill_seconds"
  mem_point "fill_$key"
}
# settle KEY: waits, up to 90 s, until the server and Herald together use under 10 % of a core over a
# second (a publish that a client gave up on still runs to its end in the plugin)
settle() {
  local t0=$SECONDS a b
  while ((SECONDS - t0 < 90)); do
    a=$(( $(cpu_ticks "$herald_pid") + $(cpu_ticks "$server_pid") )); sleep 1
    b=$(( $(cpu_ticks "$herald_pid") + $(cpu_ticks "$server_pid") ))
    (( (b - a) * 10 < clk_tck )) && break
  done
  fact "settle_$1_seconds" $((SECONDS - t0))
  ((SECONDS - t0 <= 2)) || echo "bench: (waited $((SECONDS - t0)) s for the server and Herald to go idle)" >&2
}

# Live publications are counted as they are answered, not listed: a listing of services/ loads every
# service from storage, which at 100,000 publications takes longer than the server lets a request
# run. counted: answered 2xx; in_doubt: requests given up (by vegeta at a fill's limit, by wrk when
# a run ends) that may have been published as well.
counted=3 in_doubt=0   # bench_seed's three
count_fill() { counted=$((counted + fill_ok)); in_doubt=$((in_doubt + fill_cut)); }
count_line() { counted=$((counted + ok_count[$1] + warm_ok[$1])); in_doubt=$((in_doubt + under_way[$1])); }

# --- 4a. discover latency at 100 live publications --------------------------------------------------------
phase "latency at $live_lo"
publish_fill lo "fill to $live_lo live publications" "$lo_file" $((live_lo - counted)) "herald/publish/bench-g{s}/g{k}" 10 60
count_fill
n=$(live_total); ((n == live_lo && counted == live_lo)) || die "$n live publications listed, $counted counted, $live_lo expected"
fact live_lo "$n"
# The first latency line comes minutes after the plugin started, while C2 still compiles the read
# path (the one at 100,000 comes after the whole run): warm both readers up for 20 s each
# first (quick: 4 s), or the growth figure compares a cold plugin with a warm one.
# The warm-ups are wrk runs (each request waits for the one before it on its connection): at a fixed
# rate, a machine slower than the rate piles requests up until they time out, and a warm-up is not
# a measurement.
first_warmup=$( $quick && echo 4s || echo 20s )
warm_up() {  # LABEL PATH DURATION: GETs, not counted
  printf 'bench: %-48s' "$1" >&2
  r=$(wrk_run "$3" "$2" get)
  printf '%7s requests in %s\n' "$(field requests "$r")" "$3" >&2
}
warm_up "(warm-up) herald discover (3 instances)" herald/discover/bench "$first_warmup"
warm_up "(warm-up) go kv plugin read" kvgo/bench "$first_warmup"
vegeta_rate lat_lo "herald discover at $n live publications" herald/discover/bench "$rate" "$latency_duration"
vegeta_rate lat_kv "go kv plugin read" kvgo/bench "$rate" "$latency_duration"

# --- 3. discover / Go KV read, three alternated runs ----------------------------------------------------
phase reads
line kv_read "builtin kv read" none kv/bench get
warmup_given="$warmup"
for i in 1 2 3; do
  line "kvgo_read_$i" "go kv plugin read (run $i)"          kv-go  kvgo/bench get
  line "discover_$i"  "herald discover (3 instances, run $i)" herald herald/discover/bench get
  warmup=0   # only the first pair has warm-ups: the same requests follow
done
warmup="$warmup_given"

# --- 2, 1. the large service, then the write lines ------------------------------------------------------
phase "fill the large service"
publish_fill big "fill bench-big to $big instances" "$big_file" "$big" "herald/publish/bench-big/b{k}" "$big" "$big_limit"
count_fill
big_reached=$fill_ok; fact big_reached "$big_reached"; fact big_in_doubt "$fill_cut"
settle big

phase writes
line kv_write    "builtin kv write"                         none   kv/bench-w kvwrite 600
line kvgo_write  "go kv plugin write"                       kv-go  kvgo/bench-w kvwrite 600
line publish_svc "herald publish (fresh, new service each)" herald herald/publish publish "$svc_file" "$threads" bench-s /i \
                 --warm herald/publish publish "$svc_warm" "$threads" bench-ws /i
count_line publish_svc
settle svc
# After the warm-up: the publishes it left under way (wrk gave up on them) fail, and a failed change
# makes Herald drop the service from its cache; the line's first publishes would then each load it
# again, one after another. A discover of one of its instances loads it once.
after_big_warmup() { settle big_warm; api GET herald/discover/bench-big/b0 >/dev/null; }
line_after_warmup=after_big_warmup
wrk_timeout=60s   # a publish may wait behind many others for the service's lock; none is given up within the line
line publish_big "herald publish (fresh, into bench-big)"   herald herald/publish/bench-big publish "$bign_file" "$threads" n- \
                 --warm herald/publish/bench-big publish "$bigw_file" "$threads" w-
line_after_warmup="" wrk_timeout=""
count_line publish_big
settle big_line
fact big_after_line $((big_reached + warm_ok[publish_big] + ok_count[publish_big]))

# --- 4b. discover latency at 100,000 live publications ---------------------------------------------------
phase "fill to $live_hi"
need=$((live_hi - counted))
((need >= 0)) || die "already $counted live publications, more than --live $live_hi"
publish_fill hi "fill to $live_hi live publications" "$hi_file" "$need" "herald/publish/bench-f{s}/f{k}" 100 "$live_limit"
count_fill
settle hi
fact live_hi "$counted"; fact live_hi_in_doubt "$in_doubt"; fact live_hi_wanted "$live_hi"
n=$counted
phase "latency at $live_hi"
warm_up "(warm-up) herald discover (3 instances)" herald/discover/bench "$warmup"
vegeta_rate lat_hi "herald discover at $n live publications" herald/discover/bench "$rate" "$latency_duration"
vegeta_rate lat_kv_hi "go kv plugin read" kvgo/bench "$rate" "$latency_duration"   # the server's share, for comparison

# --- 5. memory, and the checks of the whole run ----------------------------------------------------------
[[ "$(plugin_pid herald-plugin.jar)" == "$herald_pid" ]] || die "the Herald plugin process changed during the run (restarted?)"
# The kernel's high-water mark (VmHWM) misses a peak that went away without an unmap (the JVM trims
# its malloc arenas with madvise): the higher of it and the 1 s samples.
fact herald_hwm_mb "$(awk -v hwm="$(hwm_mb "$herald_pid")" '$1 / 1024 > hwm { hwm = $1 / 1024 } END { printf "%.1f", hwm }' "$work/rss.log")"
fact herald_rss_end_mb "$(rss_mb "$herald_pid")"
fact kvgo_hwm_mb "$(hwm_mb "$kvgo_pid")"
fact herald_peak_phase "$(sort -n "$work/rss.log" | tail -1 | cut -d' ' -f2-)"
fact herald_rss_by_phase "$(awk '{ kb = $1; $1 = ""; p = substr($0, 2); if (!(p in top)) order[n++] = p; if (kb > top[p]) top[p] = kb }
  END { for (i = 0; i < n; i++) printf "%s%s %.0f", (i ? ", " : ""), order[i], top[order[i]] / 1024 }' "$work/rss.log")"
fact herald_rss_samples "$(wc -l <"$work/rss.log")"
if $nmt; then
  mem_point end
  fact mem_points "$work/mem.jsonl"; fact mem_peak_split "$(mem_split)"
fi

# --- the large service's answers: the whole record, pages, one instance (size and time) -----------------
# After the memory figures: the whole record of bench-big (above max_record_instances, which this
# raises for it) is the design that pages replace, measured for comparison, and a plugin that
# answers one keeps the heap that it grew for it.
# answer KEY PATH: bytes of the answer and its time (the first, which signs, and the median of 5 more,
# served from the kept record), as facts
answer() {
  local key="$1" path="$2" out first sizes times
  out=$(curl -sS -o /dev/null -H "X-Vault-Token: bench" -w '%{http_code} %{size_download} %{time_total}' "$addr/v1/$path")
  [[ "$out" == 200\ * ]] || die "GET $path answered ${out%% *}"
  read -r _ sizes first <<<"$out"
  times=$(for _ in 1 2 3 4 5; do curl -sS -o /dev/null -H "X-Vault-Token: bench" -w '%{time_total}\n' "$addr/v1/$path"; done | sort -n | sed -n 3p)
  fact "answer_${key}_bytes" "$sizes"; fact "answer_${key}_first_ms" "$(awk -v t="$first" 'BEGIN {printf "%.1f", t * 1000}')"
  fact "answer_${key}_ms" "$(awk -v t="$times" 'BEGIN {printf "%.1f", t * 1000}')"
  printf 'bench: %-48s %9s bytes, %7.1f ms signed, %7.1f ms kept\n' "$path" "$sizes" \
    "$(awk -v t="$first" 'BEGIN {print t * 1000}')" "$(awk -v t="$times" 'BEGIN {print t * 1000}')" >&2
}
phase "large service answers"
api POST herald/config '{"max_record_instances": 20000}' >/dev/null   # the whole record too (the most allowed)
answer whole "herald/discover/bench-big"
answer page1000 "herald/discover/bench-big?limit=1000"
answer page100 "herald/discover/bench-big?limit=100&after=b5000"
answer instance "herald/discover/bench-big/b0"
api POST herald/config '{"max_record_instances": 1000}' >/dev/null

# --- the report ------------------------------------------------------------------------------------------
for key in "${!rps[@]}"; do
  fact "rps_$key" "${rps[$key]}"; fact "p50_$key" "${p50[$key]}"; fact "p99_$key" "${p99[$key]}"
  fact "server_us_$key" "${server_us[$key]}"; fact "plugin_us_$key" "${plugin_us[$key]}"
done
for key in "${!lat_p99[@]}"; do
  fact "lat_p50_$key" "${lat_p50[$key]}"; fact "lat_p99_$key" "${lat_p99[$key]}"
  fact "lat_max_$key" "${lat_max[$key]}"; fact "lat_n_$key" "${lat_n[$key]}"
done
fact server "$server"; fact server_version "$server_version"; fact quick "$quick"
fact date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"; fact commit "$(git rev-parse --short HEAD 2>/dev/null || echo ?)"
fact package_sha256 "$(cut -c1-16 "$plugin_pkg/herald.sha256")"
fact cores "$(nproc)"; fact cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
fact load_before "$load_before"; fact load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
fact wrk "-t$threads -c$connections -d$duration, $warmup warm-up"; fact rate "$rate"
fact latency_duration "$latency_duration"; fact big "$big"; fact handshake_runs "$runs"
fact big_limit "$big_limit"; fact live_limit "$live_limit"
mkdir -p "$(dirname "$json_out")"
printf '%s\n' "${facts[@]}" | python3 scripts/bench/lib/report.py "$json_out"
