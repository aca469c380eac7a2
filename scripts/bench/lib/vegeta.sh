# Sourced by all.sh after common.sh: vegeta (github.com/tsenart/vegeta), for latencies at a fixed
# request rate (an open model: a request is sent on its tick whether or not earlier ones have been
# answered, so a slow answer is not hidden by the requests it held back: no coordinated omission),
# and for filling Herald with publications fast (a bounded list of requests, N at a time).
# vegeta is installed once with `go install`, at a pinned version, into the cache (not the checkout).
#
#   vegeta_rate KEY LABEL PATH RATE DURATION
#       GET PATH at RATE requests per second for DURATION; sets lat_p50, lat_p99, lat_max (ms),
#       lat_n for KEY; dies on a non-2xx answer or an error
#   vegeta_publish FILE COUNT URL_FORMAT PER_SERVICE LIMIT
#       POSTs the first COUNT bodies of FILE, $connections at a time, as fast as they are answered,
#       body k to the path URL_FORMAT with {k} = k and {s} = the service number (Python format
#       syntax): PER_SERVICE bodies each, $connections services filled side by side (so that
#       concurrent publishes go to different services, and the services being filled stay few);
#       stops sending after LIMIT seconds. Sets fill_ok (answered 2xx), fill_cut (given up: the
#       limit passed, or a request's 30 s timeout) and fill_seconds; dies on any other answer.
# Needs: addr, work, connections.
vegeta_version=v12.13.0
vegeta="$bench_cache/vegeta-$vegeta_version/vegeta"
if [[ ! -x "$vegeta" ]]; then
  echo "bench: installing vegeta $vegeta_version (go install, into $(dirname "$vegeta"))" >&2
  GOFLAGS=-mod=mod GOBIN="$(dirname "$vegeta")" go install "github.com/tsenart/vegeta/v12@$vegeta_version" >&2 \
    || die "go install of vegeta $vegeta_version failed"
fi
declare -A lat_p50 lat_p99 lat_max lat_n

vegeta_check() {  # REPORT_JSON LABEL -> dies unless every request was answered 2xx
  python3 - "$1" "$2" <<'EOF' || exit 1
import json, sys
r = json.load(open(sys.argv[1]))
codes, errors = r.get("status_codes") or {}, r.get("errors") or []
if errors or r["requests"] == 0 or any(not c.startswith("2") for c in codes):
    sys.exit(f"bench: error: {sys.argv[2]}: {r['requests']} requests, status codes {codes}, errors {errors[:3]}")
EOF
}

vegeta_rate() {
  local key="$1" label="$2" path="$3" rate="$4" d="$5" report="$work/vegeta-$1.json"
  printf 'bench: %-48s' "$label" >&2
  printf 'GET %s/v1/%s\nX-Vault-Token: bench\n' "$addr" "$path" >"$work/targets.txt"
  "$vegeta" attack -targets="$work/targets.txt" -rate="$rate/1s" -duration="$d" -timeout=10s \
    >"$work/vegeta.bin" || die "vegeta attack failed on $path"
  "$vegeta" report -type=json -output="$report" "$work/vegeta.bin" || die "vegeta report failed"
  vegeta_check "$report" "$label"
  read -r lat_p50[$key] lat_p99[$key] lat_max[$key] lat_n[$key] < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1])); l = r["latencies"]
print("%.2f %.2f %.2f %d" % (l["50th"] / 1e6, l["99th"] / 1e6, l["max"] / 1e6, r["requests"]))' "$report")
  printf '%7s req/s  p50 %7s ms  p99 %7s ms  max %7s ms  (%s requests at a fixed rate)\n' \
    "$rate" "${lat_p50[$key]}" "${lat_p99[$key]}" "${lat_max[$key]}" "${lat_n[$key]}" >&2
}

vegeta_publish() {
  local file="$1" count="$2" format="$3" per_service="$4" limit="$5" t0 t1
  fill_ok=0 fill_cut=0 fill_seconds=0
  ((count > 0)) || return 0
  python3 - "$file" "$count" "$addr/v1/$format" "$per_service" "$connections" >"$work/fill.targets" <<'EOF' \
    || die "could not make the publish targets"
import base64, json, sys
path, count, url, per_service, side = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
header = {"X-Vault-Token": ["bench"], "Content-Type": ["application/json"]}
sent = 0
with open(path) as bodies:
    for body in bodies:
        if sent == count:
            break
        service = sent // (side * per_service) * side + sent % side
        print(json.dumps({"method": "POST", "url": url.format(k=sent, s=service), "header": header,
                          "body": base64.b64encode(body.rstrip("\n").encode()).decode()}))
        sent += 1
if sent < count:
    sys.exit(f"bench: error: {path} has only {sent} bodies, {count} needed")
EOF
  t0=$(date +%s.%N)
  # -lazy reads the targets as they are sent and stops at the end of the file (without it, vegeta
  # would go round the list again); -rate=0: as fast as $connections workers are answered;
  # -duration: no new request after the limit (those under way are waited for, up to -timeout).
  "$vegeta" attack -lazy -format=json -targets="$work/fill.targets" -rate=0 -workers="$connections" \
    -max-workers="$connections" -duration="${limit}s" -timeout=30s >"$work/vegeta.bin" \
    || die "vegeta attack failed (publishing)"
  t1=$(date +%s.%N)
  fill_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')
  "$vegeta" encode -to=json "$work/vegeta.bin" >"$work/fill.results" || die "vegeta encode failed"
  python3 - "$work/fill.results" "publishing $count bodies of $file" >"$work/fill.count" <<'EOF' || exit 1
import collections, json, sys
ok = cut = 0
other = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if 200 <= r["code"] < 300:
        ok += 1
    elif r["error"] == "no targets to attack":
        pass  # a worker found the list at its end: no request
    elif r["code"] == 0 and ("Timeout" in r["error"] or "deadline exceeded" in r["error"]):
        cut += 1  # given up by vegeta; it may have been published or not
    else:
        other[f"{r['code']} {r['error'][:120]}"] += 1
if other:
    sys.exit(f"bench: error: {sys.argv[2]}: {ok} answered 2xx, and {dict(other.most_common(3))}")
print(ok, cut)
EOF
  read -r fill_ok fill_cut <"$work/fill.count"
}
