#!/usr/bin/env bash
# Packages the Herald plugin for Vault / OpenBao:
#
#   target/plugin/herald                      the shim (static Go binary): the file Vault executes and pins
#   target/plugin/herald.sha256               its SHA-256, for `plugin register -sha256=...`
#   target/plugin/herald.d/herald-plugin.jar  the plugin
#   target/plugin/herald.d/runtime/           a Java runtime, jlink-ed from the build JDK with only the modules needed
#   target/plugin/herald.d/native/            Netty's epoll library (from plugin/dist/target/native)
#   target/plugin/herald.d/jvm.options        the JVM flags (from plugin/dist/src/main/jvm/jvm.options)
#   target/plugin/herald.d/herald.aot         an AOT cache trained with exactly that runtime, jar and flags
#   target/plugin/herald.d/VERSION            the plugin's semantic version (v0.1.0), as the jar and the shim report it
#   target/plugin/herald.d/MANIFEST.sha256    SHA-256 of every other file in herald.d; its own SHA-256 is compiled
#                                             into the shim, which checks all of it before it starts the JVM
#   target/client/                            the herald CLI (a launcher and its jar)
#
# All but the client is scripts/package-plugin.sh, the packaging of any plugin, given Herald's jar,
# names, JVM flags and AOT training class.
#
# Then: scripts/register-plugin.sh --plugin-dir DIR   (copies, registers and enables the plugin)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
default_jar="$root/plugin/dist/target/herald-plugin-shaded.jar"
options_src="$root/plugin/dist/src/main/jvm/jvm.options"
main_class=dev.herald.plugin.HeraldPlugin
training_class=dev.herald.plugin.AotTraining

usage() {
  cat <<EOF
usage: scripts/package.sh [--rebuild] [--jar FILE] [--out DIR] [--no-aot] [--version vX.Y.Z] [--jvm-options FILE]

Builds the self-contained plugin package (shim + verified payload) that register-plugin.sh installs.

  --rebuild    build the plugin jar (Maven, tests skipped) even if plugin/dist/target/herald-plugin-shaded.jar
               is newer than every source; by default it is built only when missing or stale
  --jar FILE   package FILE instead of building the plugin jar (e.g. a jar built by CI)
  --out DIR    write the package to DIR instead of target/plugin
  --no-aot     skip the AOT cache (faster packaging, slower plugin start)
  --jvm-options FILE
               the JVM flags to package instead of plugin/dist/src/main/jvm/jvm.options (for
               experiments: scripts/bench/all.sh --jvm-option); the AOT cache is trained with them
  --version V  the semantic version to package as (v0.1.1, v1.0.0-rc.1); also HERALD_VERSION=V.
               Default: the Maven project version of the jar (Implementation-Version), without
               -SNAPSHOT. The jar (its manifest), the shim (herald --version) and herald.d/VERSION
               all carry it, and the plugin reports it to the server, which registers it with it
  -h, --help   show this help

Needs a JDK 25 (found by scripts/lib/jdk.sh; set HERALD_JDK to choose one), Go 1.24+ as \`go\`,
sha256sum, and openssl (for the AOT training).
EOF
}

say() { echo "package: $*" >&2; }
die() { echo "package: error: $*" >&2; exit 1; }

rebuild=false aot=true jar="" out="$root/target/plugin" version="${HERALD_VERSION:-}"
while (($#)); do
  case "$1" in
    --rebuild) rebuild=true ;;
    --no-aot) aot=false ;;
    --jar) [[ $# -ge 2 ]] || die "--jar needs a file"; jar="$(realpath "$2")"; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out="$(realpath -m "$2")"; shift ;;
    --jvm-options) [[ $# -ge 2 ]] || die "--jvm-options needs a file"; options_src="$(realpath "$2")"; shift ;;
    --version) [[ $# -ge 2 ]] || die "--version needs a version (v0.1.1)"; version="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift
done

source "$root/scripts/lib/jdk.sh"

# --- 1. the plugin jar ------------------------------------------------------------------------------
jar_is_stale() {  # true if any build input is newer than the jar
  [[ -n "$(find "$root/pom.xml" "$root/proto" "$root/tlog" "$root/plugin" -path '*/target' -prune -o \
             -type f -newer "$default_jar" -print -quit)" ]]
}
if [[ -z "$jar" ]]; then
  jar="$default_jar"
  if $rebuild || [[ ! -f "$jar" ]] || jar_is_stale; then
    say "building the plugin jar (Maven, tests skipped: run scripts/build.sh for them)"
    "$root/scripts/build.sh" -DskipTests -pl plugin/dist -am \
      || die "the Maven build failed (see above); fix it, or run scripts/build.sh to see the test results"
  fi
fi
[[ -f "$jar" ]] || die "no plugin jar at $jar"

# The shim, payload and AOT cache: what any plugin gets, with Herald's names, flags and training.
# Besides jdk.jfr (see package-plugin.sh), java.sql is left out of the runtime although jdeps lists
# it: only unused code refers to it (Gson's java.sql.Date adapters, for which Gson checks that the
# module is there, and BouncyCastle's LDAP helpers), and it would bring java.xml and
# java.transaction.xa along. The native libraries come from plugin/dist's build, which leaves them
# out of the jar.
args=(--jar "$jar" --out "$out" --name herald --main-class "$main_class" --training-class "$training_class"
      --jvm-options "$options_src" --native-dir "$root/plugin/dist/target/native" --exclude-modules jdk.jfr,java.sql)
[[ -z "$version" ]] || args+=(--version "$version")
$aot || args+=(--no-aot)
"$root/scripts/package-plugin.sh" "${args[@]}" | sed 's/^Plugin herald /Herald plugin /' \
  || die "packaging failed (see above)"
echo "Install, register and enable it: scripts/register-plugin.sh --plugin-dir <the server's plugin_directory>"

# --- 2. the client: target/client/herald (a launcher for any Java 21+) beside its jar ---------------
client_jar="$root/client/target/herald-client-all.jar"
client_out="$root/target/client"
client_is_stale() {
  [[ -n "$(find "$root/pom.xml" "$root/client" "$root/tlog" "$root/plugin/sdk" -path '*/target' -prune -o \
             -type f -newer "$client_jar" -print -quit)" ]]
}
if $rebuild || [[ ! -f "$client_jar" ]] || client_is_stale; then
  say "building the client jar (Maven, tests skipped)"
  "$root/scripts/build.sh" -DskipTests -pl client -am \
    || die "the Maven build of the client failed (see above)"
fi
rm -rf "$client_out.new"
mkdir -p "$client_out.new"
cp "$client_jar" "$client_out.new/herald-client.jar"
cp "$root/client/src/main/sh/herald" "$client_out.new/herald"
chmod 0755 "$client_out.new/herald"
rm -rf "$client_out"
mv "$client_out.new" "$client_out"

echo "Herald client: ${client_out#"$PWD"/}/herald (with ${client_out#"$PWD"/}/herald-client.jar, $(du -sh "$client_out/herald-client.jar" | cut -f1)); runs with any Java 21+"
