"""The table and the JSON of scripts/bench/all.sh.

usage: printf 'KEY=VALUE\\n' ... | python3 scripts/bench/lib/report.py OUT.json

Reads the run's measured values (KEY=VALUE lines on stdin), works out issue 11's figures with
their floors and aims, prints one table and writes the same, with every value, as JSON to OUT.json.
"""
import json
import statistics
import sys

GOALS = [  # id, figure, how it is better, floor, aim, unit of the Herald and peer columns
    ("publish_vs_kv_write", "publish (fresh key, new service) / Go KV write", "higher", 0.7, 1.0, "req/s"),
    ("publish_big_vs_fresh", "publish into a service of {big} live instances / into a fresh service",
     "higher", 0.9, 1.0, "req/s"),
    ("discover_vs_kv_read", "discover (3 instances) / Go KV read, median of 3 runs", "higher", 1.1, 1.25, "req/s"),
    ("discover_p99_growth", "discover p99 at {live_hi} live publications / at {live_lo}", "lower", 1.2, 1.05, "ms"),
    ("plugin_rss_peak", "plugin RSS, highest during the whole benchmark", "lower", 96, 64, "MB"),
    ("handshake_vs_kv", "start -> handshake, median of {runs} / Go KV plugin's", "lower", 8, 5, "ms"),
]


def number(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def read_facts(lines):
    """The KEY=VALUE lines as a dict, numbers as numbers (the last of a key repeated wins)."""
    f = {}
    for raw in lines:
        if "=" in raw:
            key, value = raw.rstrip("\n").split("=", 1)
            f[key] = number(value)
    return f


def main():
    out = sys.argv[1]
    f = read_facts(sys.stdin)

    runs = [(f[f"rps_discover_{i}"] / f[f"rps_kvgo_read_{i}"], i) for i in (1, 2, 3)]
    median_ratio, median_run = sorted(runs)[1]
    values = {  # id -> (herald, peer, what the peer column is)
        "publish_vs_kv_write": (f["rps_publish_svc"], f["rps_kvgo_write"], "Go KV write"),
        "publish_big_vs_fresh": (f["rps_publish_big"], f["rps_publish_svc"], "Herald, a new service each"),
        "discover_vs_kv_read": (f[f"rps_discover_{median_run}"], f[f"rps_kvgo_read_{median_run}"],
                                f"Go KV read (run {median_run}, the median ratio)"),
        "discover_p99_growth": (f["lat_p99_lat_hi"], f["lat_p99_lat_lo"], f"Herald at {f['live_lo']} live"),
        "plugin_rss_peak": (f["herald_hwm_mb"], f["kvgo_hwm_mb"], "Go KV plugin's highest RSS"),
        "handshake_vs_kv": (f["hs_herald_median"], f["hs_kv_median"], "Go KV plugin"),
    }
    names = {"big": f"{f['big_reached']:,}", "live_hi": f"{f['live_hi']:,}", "live_lo": f"{f['live_lo']:,}",
             "runs": f["handshake_runs"]}
    # A fill that stopped at its time limit leaves a smaller size than the goal names: the figure
    # says so and does not count as met.
    short = {"publish_big_vs_fresh": f["big_reached"] < f["big"], "discover_p99_growth": f["live_hi"] < f["live_hi_wanted"]}
    wanted = {"publish_big_vs_fresh": f"{f['big']:,}", "discover_p99_growth": f"{f['live_hi_wanted']:,}"}
    goals = []
    for gid, figure, better, floor, aim, unit in GOALS:
        herald, peer, peer_is = values[gid]
        ratio = herald / peer if peer else float("nan")
        measured = herald if gid == "plugin_rss_peak" else ratio  # RSS: an absolute limit
        ok = (lambda limit: measured >= limit) if better == "higher" else (lambda limit: measured <= limit)
        met = "aim" if ok(aim) else "floor" if ok(floor) else "no"
        text = figure.format(**names)
        if short.get(gid):
            met, text = "no (size)", f"{text} [{wanted[gid]} wanted: the fill stopped at its time limit]"
        goals.append({"id": gid, "figure": text, "herald": herald, "peer": peer, "peer_is": peer_is, "unit": unit,
                      "ratio": round(ratio, 3), "better": better, "floor": floor, "aim": aim, "met": met,
                      "size_reached": not short.get(gid, False)})

    quick = f.get("quick") == "true"
    print()
    print(f"== {f['server_version']} dev server, {f['date']}, commit {f['commit']}, package {f['package_sha256']}")
    print(f"== {f['cores']} cores, {f['cpu']}; load average before: {f['load_before']}, after: {f['load_after']}")
    print(f"== wrk {f['wrk']} per throughput line; vegeta at {f['rate']} req/s for {f['latency_duration']} per latency line")
    if quick:
        print("== QUICK RUN (--quick): smaller sizes and shorter lines than the goals name; not for the record")
    head = ("figure", "Herald", "peer", "ratio", "floor", "aim", "met?")
    rows = []
    for g in goals:
        lim = "<= " if g["better"] == "lower" else ">= "
        if g["id"] == "plugin_rss_peak":
            floor, aim, ratio = f"{lim}{g['floor']} MB", f"{lim}{g['aim']} MB", f"{g['ratio']:.2f}x"
        else:
            floor, aim, ratio = f"{lim}{g['floor']}x", f"{lim}{g['aim']}x", f"{g['ratio']:.2f}x"
        rows.append((g["figure"], f"{g['herald']:,} {g['unit']}", f"{g['peer']:,} {g['unit']}", ratio, floor, aim,
                     g["met"]))
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print("(met?: aim, floor, or no; no (size): the fill did not reach the size the goal names. Peers: " + "; ".join(f"{g['id']}: {g['peer_is']}" for g in goals) + ")")

    print()
    print("details:")
    print("  discover / Go KV read, each run: " + ", ".join(
        f"run {i} {f[f'rps_discover_{i}']:,}/{f[f'rps_kvgo_read_{i}']:,} = {r:.2f}x" for r, i in sorted(runs, key=lambda x: x[1])))
    print(f"  latency at {f['rate']} req/s (p50 / p99 / max ms): discover at {f['live_lo']:,} live "
          f"{f['lat_p50_lat_lo']} / {f['lat_p99_lat_lo']} / {f['lat_max_lat_lo']}; at {f['live_hi']:,} live "
          f"{f['lat_p50_lat_hi']} / {f['lat_p99_lat_hi']} / {f['lat_max_lat_hi']}; Go KV read at {f['live_lo']:,} live "
          f"{f['lat_p50_lat_kv']} / {f['lat_p99_lat_kv']} / {f['lat_max_lat_kv']}, at {f['live_hi']:,} live "
          f"{f['lat_p50_lat_kv_hi']} / {f['lat_p99_lat_kv_hi']} / {f['lat_max_lat_kv_hi']}")
    for key, what in (("big", "fill of bench-big"), ("hi", f"fill to {f['live_hi_wanted']:,} live")):
        print(f"  {what}: {f[f'fill_{key}_ok']:,} of {f[f'fill_{key}_wanted']:,} publishes answered in "
              f"{f[f'fill_{key}_seconds']} s ({f[f'fill_{key}_ok'] / max(f[f'fill_{key}_seconds'], 0.1):.0f}/s), "
              f"{f[f'fill_{key}_cut']} given up at the limit")
    print(f"  bench-big: {f['big_reached']:,} live instances after its fill, {f['big_after_line']:,} after the publish "
          f"line; {f['live_hi']:,} live publications before the second latency run, and up to {f['live_hi_in_doubt']:,} "
          "more (requests given up whose outcome is unknown)")
    settles = {k[7:-8]: v for k, v in f.items() if k.startswith("settle_") and v > 2}
    if settles:
        print("  waited for the server and Herald to go idle (s): " + ", ".join(f"{k} {v}" for k, v in settles.items()))
    print(f"  bench-big's answers at {f['big_after_line']:,} instances (bytes; ms signed / kept): " + "; ".join(
        f"{what} {f[f'answer_{k}_bytes']:,}; {f[f'answer_{k}_first_ms']} / {f[f'answer_{k}_ms']}"
        for k, what in (("whole", "whole record"), ("page1000", "page of 1,000"), ("page100", "page of 100"),
                        ("instance", "one instance"))))
    print(f"  builtin kv (for scale): read {f['rps_kv_read']:,} req/s, write {f['rps_kv_write']:,} req/s")
    keys = ["kvgo_write", "publish_svc", "publish_big"] + [f"{w}_{i}" for i in (1, 2, 3) for w in ("kvgo_read", "discover")]
    print("  p50 / p99 ms, server / plugin CPU us per request: " + "; ".join(
        f"{k} {f[f'p50_{k}']} / {f[f'p99_{k}']}, {f[f'server_us_{k}']} / {f[f'plugin_us_{k}']}" for k in keys))
    print(f"  Herald RSS: highest {f['herald_hwm_mb']} MB (highest 1 s sample during: {f['herald_peak_phase']}), "
          f"{f['herald_rss_end_mb']} MB at the end; Go KV plugin highest {f['kvgo_hwm_mb']} MB")
    print(f"  Herald RSS, highest 1 s sample of each phase (MB): {f['herald_rss_by_phase']}")
    print(f"  start -> handshake ms (median / min / max of {f['handshake_runs']}): Herald {f['hs_herald_median']} / "
          f"{f['hs_herald_min']} / {f['hs_herald_max']}, Go KV {f['hs_kv_median']} / {f['hs_kv_min']} / {f['hs_kv_max']}")

    memory = None
    if "mem_points" in f:  # --nmt: the plugin's memory after each phase, and the split at the highest RSS
        with open(f["mem_points"]) as handle:
            points = [json.loads(raw) for raw in handle if raw.strip()]
        memory = {"points": points, "peak_split_mb": json.loads(f["mem_peak_split"])}
        mb = lambda kb: f"{(kb or 0) / 1024:.1f}"
        cats = ["Java Heap", "Code", "Compiler", "Arena Chunk", "Class", "Metaspace", "Shared class space", "Thread",
                "Symbol", "Internal", "Other", "GC", "Native Memory Tracking"]
        print("  memory by phase (MB; NMT committed; heap committed/used from GC.heap_info):")
        print("    " + "  ".join(["phase".ljust(14), "RSS", "NMT", "malloc", "heap c/u"] + [c.replace(" ", "_") for c in cats]))
        for p in points:
            print("    " + "  ".join([p["phase"][:14].ljust(14), mb(p["rss_kb"]), mb(p["nmt_committed_kb"]), mb(p["nmt_malloc_kb"]),
                                    f"{mb(p['heap_committed_kb'])}/{mb(p['heap_used_kb'])}"]
                                   + [mb(p["nmt_kb"].get(c)) for c in cats]))
        print("  at the highest RSS, resident MB by mapping: " + ", ".join(f"{k} {v}" for k, v in memory["peak_split_mb"].items()))
    if f.get("jvm_options_changed") or f.get("jvm_env"):
        print(f"  JVM options changed for this run: {f.get('jvm_options_changed') or 'none'}; environment: {f.get('jvm_env') or 'none'}; "
              f"AOT cache mapped: {f.get('herald_aot_mapped')}")

    meta_keys = ["server", "server_version", "date", "commit", "package_sha256", "quick", "cores", "cpu",
                 "load_before", "load_after", "wrk", "rate", "latency_duration", "big", "handshake_runs", "big_limit",
                 "live_limit"]
    doc = {"meta": {k: f[k] for k in meta_keys} | {"quick": quick, "live_lo": f["live_lo"], "live_hi_wanted": f["live_hi_wanted"]},
           "goals": goals,
           "discover_runs": [{"run": i, "discover_rps": f[f"rps_discover_{i}"], "kv_read_rps": f[f"rps_kvgo_read_{i}"],
                              "ratio": round(r, 3)} for r, i in sorted(runs, key=lambda x: x[1])],
           "measured": {k: v for k, v in sorted(f.items()) if k not in meta_keys and k not in ("mem_points", "mem_peak_split")}}
    if memory:
        doc["memory"] = memory
    with open(out, "w") as handle:
        json.dump(doc, handle, indent=2)
        handle.write("\n")
    print(f"\n(JSON: {out})")


if __name__ == "__main__":
    main()
