#!/usr/bin/env bash
# Builds every module with JDK 25 (found by scripts/lib/jdk.sh) and Maven 3.9 (scripts/lib/maven.sh)
# and runs the unit tests.
# Extra arguments go to Maven, e.g. scripts/build.sh -DskipTests
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib/jdk.sh"
source "$root/scripts/lib/maven.sh"
cd "$root"
exec "$MVN" -B -q -ntp install "$@"
