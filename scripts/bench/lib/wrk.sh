# Sourced by the benchmarks after common.sh: the throughput lines, measured with wrk and bench.lua.
#
#   line KEY LABEL PLUGIN PATH ARGS... [--warm WARM_PATH WARM_ARGS...]
#       a warm-up run of $warmup (not counted; none if $warmup is 0 or 0s) to WARM_PATH with
#       WARM_ARGS (default: the line's own), then $duration with wrk -t$threads -c$connections to
#       PATH with the bench.lua arguments ARGS. PLUGIN (herald, kv-go or none) is the process whose
#       CPU time is counted. Sets rps, p50, p99 (ms), non2xx, ok_count, server_us, plugin_us (CPU µs
#       per request), rss_after (Herald's RSS), warm_ok (the warm-up's 2xx answers) and under_way (at
#       most $connections a run: requests wrk stopped waiting for, whose outcome is unknown) for KEY,
#       and appends "KEY|LABEL" to lines. A Herald
#       line dies on a non-2xx answer, a socket error, or fresh keys that ran out. If line_after_warmup
#       is set, it is run as a command between the warm-up and the counted run; if line_done_hook is,
#       it is run with KEY after the line. wrk gives up on a
#       request after $wrk_timeout (default 10s), which counts as a socket error. If
#       server_profile_dir is set, the server's CPU profile of the counted run (Go's pprof, through
#       sys/pprof/profile with the dev root token) is kept as $server_profile_dir/KEY.pprof, for
#       `go tool pprof -top` (where the server's CPU per request goes).
# Needs: threads, connections, duration, warmup, keys (for the message), work, addr, server_pid,
# herald_pid, kvgo_pid.
command -v wrk >/dev/null || die "wrk is not installed (Debian: apt-get install wrk)"
lua="$root/scripts/bench/lib/bench.lua"
clk_tck=$(getconf CLK_TCK)
declare -A rps p50 p99 non2xx ok_count server_us plugin_us rss_after warm_ok under_way
lines=() line_after_warmup=""

wrk_run() {  # DURATION PATH wrk-script-args... -> the RESULT line (wrk's own output goes to $work/wrk.out)
  local d="$1" path="$2"; shift 2
  wrk -t"$threads" -c"$connections" -d"$d" --timeout "${wrk_timeout:-10s}" -H "X-Vault-Token: bench" -s "$lua" \
    "$addr/v1/$path" -- "$@" >"$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; die "wrk failed on $path"; }
  grep '^RESULT ' "$work/wrk.out" || { cat "$work/wrk.out" >&2; die "no RESULT from wrk on $path"; }
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }
per_req() { awk -v t="$1" -v n="$2" -v hz="$clk_tck" 'BEGIN {printf "%.0f", n ? t * 1e6 / hz / n : 0}'; }

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
  printf 'bench: %-48s' "$label" >&2
  warm_ok[$key]=0 under_way[$key]=$connections
  if [[ "$(seconds "$warmup")" != 0 ]]; then
    r=$(wrk_run "$warmup" "${warm[@]}")
    warm_ok[$key]=$(( $(field requests "$r") - $(field non2xx "$r") ))
    under_way[$key]=$((2 * connections))
    if [[ $plugin == herald && ( $(field non2xx "$r") != 0 || $(field exhausted "$r") != 0 ) ]]; then
      echo >&2; die "$label: the warm-up had non-2xx answers or ran out of keys: $r"
    fi
    ${line_after_warmup:-}
  fi
  local s0 p0 s1 p1 requests dur errors profiler=""
  if [[ -n "${server_profile_dir:-}" ]]; then
    # Its first DURATION-1 seconds (at least 1: the servers read 0 as their default of 30): the
    # profile must end before wrk stops sending. Sampling adds a little to the server's CPU per
    # request: compare profiled runs with profiled runs.
    local profile_seconds=$(( $(seconds "$duration") - 1 ))
    curl -sf -H "X-Vault-Token: bench" -o "$server_profile_dir/$key.pprof" \
      "$addr/v1/sys/pprof/profile?seconds=$(( profile_seconds > 0 ? profile_seconds : 1 ))" &
    profiler=$!
  fi
  s0=$(cpu_ticks "$server_pid"); p0=$(cpu_ticks "$pid")
  r=$(wrk_run "$duration" "${args[@]}")
  [[ -z "$profiler" ]] || wait "$profiler" || die "$label: no server profile (sys/pprof/profile)"
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
  ${line_done_hook:+"$line_done_hook" "$key"}
}
