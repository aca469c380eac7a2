# Sourced by scripts/bench/all.sh after common.sh: JVM flag experiments and the plugin's memory by phase.
#
#   jvm_variant BASE OUT EXTRA...   packages the plugin into OUT (scripts/package.sh --out) with the JVM
#                                   options of BASE followed by EXTRA (one option each; a later -XX or
#                                   -X flag overrides an earlier one), so that the AOT cache is trained
#                                   with exactly the flags it will run with (a JVM uses a cache only
#                                   with those; package.sh checks that it does). Sets plugin_pkg=OUT.
#                                   An EXTRA of the form !PREFIX drops BASE's lines that start with
#                                   PREFIX instead (e.g. '!-XX:CompileCommand=MemLimit'). The array
#                                   package_extra, if set, is passed to package.sh (e.g. --no-aot).
#   mem_point PHASE                 with --nmt: the plugin's RSS, `jcmd VM.native_memory summary`
#                                   (committed KB by category), `GC.heap_info` (committed and used KB
#                                   of each generation) and `System.map` (kept for mem_split), as one
#                                   JSON line appended to $work/mem.jsonl
#   mem_peak_smaps PID KB           called by the 1 s RSS sampler: keeps /proc/PID/smaps in
#                                   $work/peak.smaps when KB is the highest RSS so far
#   mem_split                       the peak's smaps split by mapping kind (MB): the AOT cache, libjvm,
#                                   other files, Java heap, code cache, class space and metaspace,
#                                   thread stacks, GC data, anonymous (malloc arenas and the rest),
#                                   as JSON; the JVM's regions are named by the last System.map
# Needs: root, work, herald_pid, jcmd_bin (a JDK 25 jcmd: the packaged runtime has none).

jvm_variant() {  # BASE OUT EXTRA...
  local base="$1" out="$2" opts a; shift 2
  mkdir -p "$out"
  opts="$out.jvm.options"
  {
    for a in "$@"; do if [[ "$a" == '!'* ]]; then printf '%s\n' "${a#!}"; fi; done >"$opts.drop"
    awk -v drops="$opts.drop" 'BEGIN { while ((getline d < drops) > 0) p[d] = 1 }
      { keep = 1; for (d in p) if (index($0, d) == 1) keep = 0; if (keep) print }' "$base"
    echo
    echo "# Added by scripts/bench/all.sh for this run:"
    for a in "$@"; do if [[ "$a" != '!'* ]]; then printf '%s\n' "$a"; fi; done
  } >"$opts"
  rm -f "$opts.drop"
  echo "bench: packaging a variant with these JVM options changed (the AOT cache is trained with them):" >&2
  diff <(grep -v '^#' "$base" | sed '/^$/d') <(grep -v '^#' "$opts" | sed '/^$/d') | sed -n 's/^[<>] /  &/p' >&2 || true
  "$root/scripts/package.sh" --jvm-options "$opts" --out "$out" ${package_extra:+"${package_extra[@]}"} >"$out.package.log" 2>&1 \
    || { tail -20 "$out.package.log" >&2; die "packaging the variant failed (log: $out.package.log)"; }
  plugin_pkg="$out"
}

mem_point() {  # PHASE
  $nmt || return 0
  local phase="$1" rss nmt_out heap
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$herald_pid/status")
  nmt_out=$("$jcmd_bin" "$herald_pid" VM.native_memory summary 2>&1) || { echo "bench: jcmd failed: $nmt_out" >&2; return 0; }
  heap=$("$jcmd_bin" "$herald_pid" GC.heap_info 2>&1) || heap=""
  "$jcmd_bin" "$herald_pid" System.map >"$work/system.map" 2>/dev/null || true
  python3 "$root/scripts/bench/lib/memory.py" point "$phase" "$rss" <(printf '%s\n' "$nmt_out") <(printf '%s\n' "$heap") \
    >>"$work/mem.jsonl"
}

mem_peak_smaps() {  # PID KB
  if (( $2 > ${mem_peak_kb:-0} )); then
    mem_peak_kb=$2
    cat "/proc/$1/smaps" >"$work/peak.smaps.tmp" 2>/dev/null && mv "$work/peak.smaps.tmp" "$work/peak.smaps"
  fi
}

mem_split() {
  [[ -s "$work/peak.smaps" ]] || { echo '{}'; return; }
  python3 "$root/scripts/bench/lib/memory.py" split "$work/peak.smaps" "$work/system.map"
}
