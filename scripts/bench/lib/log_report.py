"""The table and the JSON of scripts/bench/log.sh.

usage: printf 'KEY=VALUE\\n' ... | python3 scripts/bench/lib/log_report.py OUT.json

Reads the run's measured values (KEY=VALUE lines on stdin), works out issue 14's figures with their
goals, prints one table and writes the same, with every value, as JSON to OUT.json.
"""
import json
import sys

from report import read_facts  # all.sh's report, beside this file


def main():
    out = sys.argv[1]
    f = read_facts(sys.stdin)
    runs = f["runs"]

    # The ratio of the summed rates over the rounds: each round's pair ran back to back, and the
    # rounds alternate which went first.
    def rate(kind, who):
        return sum(f[f"rps_{kind}_{who}_{r}"] for r in range(1, runs + 1)) / runs

    goals = []
    for gid, kind, figure in (("publish_log_vs_base", "svc", "publish with log / without (fresh key, new service each)"),
                              ("publish_big_log_vs_base", "big", f"publish with log / without (into a service of {f['big']:,})")):
        log, base = rate(kind, "log"), rate(kind, "base")
        ratio = log / base if base else float("nan")
        goals.append({"id": gid, "figure": figure, "herald": round(log), "peer": round(base), "unit": "req/s",
                      "peer_is": f"the plugin as of {f['base_commit']}, without the log", "ratio": round(ratio, 3),
                      "goal": ">= 0.8x", "met": "yes" if ratio >= 0.8 else "no",
                      "rounds": [{"log": f[f"rps_{kind}_log_{r}"], "base": f[f"rps_{kind}_base_{r}"]} for r in range(1, runs + 1)]})
    for key, when in (("lat_idle", "idle"), ("lat_load", f"beside the publish load ({f['load_rps']:,} req/s)")):
        p99 = f[f"{key}_p99_ms"]
        goals.append({"id": f"inclusion_p99_{key[4:]}", "figure": f"publish -> verified inclusion proof, p99, {when}",
                      "herald": p99, "peer": None, "unit": "ms", "ratio": None, "goal": "<= 1000 ms",
                      "met": "yes" if p99 <= 1000 else "no", "p50": f[f"{key}_p50_ms"], "max": f[f"{key}_max_ms"],
                      "n": f[f"{key}_n"]})

    print()
    print(f"== {f['server_version']} dev server, {f['date']}, commit {f['commit']}, package {f['package_sha256']}; "
          f"without the log: {f['base_commit']}, package {f['base_package_sha256']}")
    print(f"== {f['cores']} cores, {f['cpu']}; load average before: {f['load_before']}, after: {f['load_after']}")
    print(f"== wrk {f['wrk']} per line, {runs} round(s); latency runs of {f['latency_seconds']} s, one publish at a time")
    if f.get("quick") == "true":
        print("== QUICK RUN (--quick): shorter lines and a smaller service than the goals name; not for the record")
    head = ("figure", "with log", "without", "ratio", "goal", "met?")
    rows = []
    for g in goals:
        if g["unit"] == "req/s":
            rows.append((g["figure"], f"{g['herald']:,} req/s", f"{g['peer']:,} req/s", f"{g['ratio']:.2f}x", g["goal"], g["met"]))
        else:
            rows.append((g["figure"], f"{g['herald']} ms", "", "", g["goal"], g["met"]))
    table(head, rows)

    print()
    print("details:")
    for g in goals[:2]:
        print(f"  {g['figure']}, each round (log / without): "
              + ", ".join(f"{r['log']:,} / {r['base']:,}" for r in g["rounds"]))
    if f.get("jit_warmup", 0) and "rps_cold_log" in f:
        print(f"  JIT warm-up, the first {f['jit_warmup']} s of new-service publishes after start (not counted): with the log "
              f"{f['rps_cold_log']:,} req/s, without {f['rps_cold_base']:,} req/s ({f['rps_cold_log'] / f['rps_cold_base']:.2f}x); "
              f"plugin CPU us per request {f['plugin_us_cold_log']} / {f['plugin_us_cold_base']}")
    keys = [f"{k}_{w}_{r}" for k in ("svc", "big") for r in range(1, runs + 1) for w in ("log", "base")]
    print("  p50 / p99 ms, server / plugin CPU us per request: " + "; ".join(
        f"{k} {f[f'p50_{k}']} / {f[f'p99_{k}']}, {f[f'server_us_{k}']} / {f[f'plugin_us_{k}']}" for k in keys))
    for key, when in (("lat_idle", "idle"), ("lat_load", "beside the load")):
        print(f"  publish -> verified proof, {when}: {f[f'{key}_n']} publishes in "
              f"{(f[f'{key}_last_ms'] - f[f'{key}_first_ms']) / 1000:.1f} s; p50 / p99 / max {f[f'{key}_p50_ms']} / "
              f"{f[f'{key}_p99_ms']} / {f[f'{key}_max_ms']} ms, of which the publish answer p50 / p99 "
              f"{f[f'{key}_publish_p50_ms']} / {f[f'{key}_publish_p99_ms']} ms and the proof's fetch and check "
              f"{f[f'{key}_proof_p50_ms']} / {f[f'{key}_proof_p99_ms']} ms; leaves of {f[f'{key}_leaf_bytes']} bytes")
    print(f"  RSS at the end: with the log {f['herald_rss_end_mb']} MB, without {f['base_rss_end_mb']} MB")

    m = {k[len("million_"):]: v for k, v in f.items() if k.startswith("million_")}
    print()
    print(f"the log at {m['entries']:,} entries, in memory (synthetic leaves of {m['leaf_bytes_mean']} bytes on average, "
          f"tree built in {m['build_s']} s; the client's checks, median after warm-up):")
    table(("what", "bytes", "client verification"), [
        (f"one tlog-proof (leaf, {m['proof_hashes']} hashes, checkpoint of {m['checkpoint_bytes']} bytes)",
         f"{m['tlog_proof_bytes']:,}", ""),
        ("log_proofs of a record of 3 instances (signature + 3 inclusions)", f"{m['log_proofs_3_bytes']:,}", f"{m['verify_3_us']} us"),
        ("log_proofs of a record of 1,000 instances", f"{m['log_proofs_1000_bytes']:,}", f"{m['verify_1000_us'] / 1000:.1f} ms"),
        (f"consistency proof from 1,000 entries earlier ({m['consistency_hashes']} hashes)", f"{m['consistency_bytes']:,}",
         f"{m['verify_consistency_us']} us"),
        ("checkpoint signature alone (Ed25519, JDK)", "", f"{m['verify_signature_us']} us"),
    ])

    meta_keys = ["server", "server_version", "date", "commit", "package_sha256", "base_commit", "base_package_sha256",
                 "quick", "runs", "cores", "cpu", "load_before", "load_after", "wrk", "big", "latency_seconds"]
    doc = {"meta": {k: f[k] for k in meta_keys} | {"quick": f.get("quick") == "true"},
           "goals": goals, "million": m,
           "measured": {k: v for k, v in sorted(f.items()) if k not in meta_keys and not k.startswith("million_")}}
    with open(out, "w") as handle:
        json.dump(doc, handle, indent=2)
        handle.write("\n")
    print(f"\n(JSON: {out})")


def table(head, rows):
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))


if __name__ == "__main__":
    main()
