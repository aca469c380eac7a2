#!/usr/bin/env bash
# Fuzzes every parser that sees caller input with Jazzer (coverage-guided, JUnit 5 @FuzzTest), one
# target after another, for a bounded time each, and prints the executions per target. A normal
# `mvn install` runs the same tests in regression mode only (their seeds and saved findings).
#
# usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [Class#method ...]
#   SECONDS_PER_TARGET  fuzzing time of each target (default 20; each target also takes 15-60 s to start, the
#                      agent instrumenting the classes: 13 targets took 9 minutes at 15 s
#                      on a busy 2-core machine)
#   Class#method        only these targets (default: all, listed below)
#
# A longer run by hand, e.g. an hour on the JSON parser:
#   scripts/fuzz.sh 3600 JsonFuzzTest#parse
# A finding fails the target; libFuzzer's crash-* file is written into the target's seed directory
# (src/test/resources/<package>/<Class>Inputs/<method>/) when it exists, else the module's directory.
# Keep it there (renamed) as a regression seed once the code is fixed. The corpus the fuzzer grows
# is kept in <module>/.cifuzz-corpus/ (ignored by git) so that later runs start from it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-20}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS_PER_TARGET must be a number" >&2; exit 2; }
shift || true

# module:Class#method
all_targets=(
  plugin/sdk:JsonFuzzTest#parse
  plugin/sdk:JsonFuzzTest#parseObject
  plugin/sdk:DurationsFuzzTest#parse
  plugin/sdk:FieldFuzzTest#parse
  plugin/engine:PublisherKeysFuzzTest#fromCsr
  plugin/engine:PublisherKeysFuzzTest#fromCertificate
  plugin/engine:PublisherKeysFuzzTest#fromPublicKey
  plugin/engine:PublisherKeysFuzzTest#verifyContinuity
  plugin/engine:GlobFuzzTest#matches
  plugin/engine:GlobFuzzTest#filled
  plugin/engine:CidrFuzzTest#parse
  plugin/engine:EndpointClaimsFuzzTest#checkedAgainst
  plugin/bridge:TranslationFuzzTest#request
)
targets=()
if (($# == 0)); then
  targets=("${all_targets[@]}")
else
  for want in "$@"; do
    found=false
    for t in "${all_targets[@]}"; do
      if [[ "${t#*:}" == "$want" ]]; then targets+=("$t"); found=true; fi
    done
    $found || { echo "fuzz: unknown target $want" >&2; exit 2; }
  done
fi

source scripts/lib/jdk.sh
source scripts/lib/maven.sh

modules=$(printf '%s\n' "${targets[@]}" | cut -d: -f1 | sort -u | paste -sd,)
echo "fuzz: building $modules" >&2
"$MVN" -B -ntp -q install -DskipTests -pl "$modules" -am

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
start=$SECONDS
failed=0 total=0
summary=()
for t in "${targets[@]}"; do
  module="${t%%:*}" test="${t#*:}"
  log="$logs/${test//#/_}.log"
  echo "fuzz: $test for ${seconds}s" >&2
  status=ok
  # jazzer.internal.arg.N are passed to libFuzzer (arg 0 is its argv[0]); -max_total_time bounds the run
  if ! JAZZER_FUZZ=1 "$MVN" -B -ntp surefire:test -pl "$module" -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1="-max_total_time=$seconds" >"$log" 2>&1; then
    status=FAILED
    failed=$((failed + 1))
    grep -E 'FuzzTestFinding|crash-|Exception|Error' "$log" | grep -v '^\[ERROR\] *$' | head -n 15 >&2 || true
  fi
  runs=$(sed -n 's/.*Done \([0-9][0-9]*\) runs in.*/\1/p' "$log" | tail -n 1)
  runs=${runs:-0}
  total=$((total + runs))
  summary+=("$(printf '%-45s %12s executions  %s' "$test" "$runs" "$status")")
done

echo
printf '%s\n' "${summary[@]}"
printf '%-45s %12s executions  in %ds\n' "total" "$total" "$((SECONDS - start))"
((failed == 0)) || { echo "fuzz: $failed target(s) found something" >&2; exit 1; }
