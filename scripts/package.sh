#!/usr/bin/env bash
# Packages the Herald plugin for Vault / OpenBao:
#
#   target/plugin/herald                      the shim (static Go binary): the file Vault executes and pins
#   target/plugin/herald.sha256               its SHA-256, for `plugin register -sha256=...`
#   target/plugin/herald.d/herald-plugin.jar  the plugin
#   target/plugin/herald.d/runtime/           a Java runtime, jlink-ed from the build JDK with only the modules needed
#   target/plugin/herald.d/jvm.options        the JVM flags (from plugin/dist/src/main/jvm/jvm.options)
#   target/plugin/herald.d/herald.aot         an AOT cache trained with exactly that runtime, jar and flags
#   target/plugin/herald.d/VERSION            the plugin's semantic version (v0.1.0), as the jar and the shim report it
#   target/plugin/herald.d/MANIFEST.sha256    SHA-256 of every other file in herald.d; its own SHA-256 is compiled
#                                             into the shim, which checks all of it before it starts the JVM
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
usage: scripts/package.sh [--rebuild] [--jar FILE] [--out DIR] [--no-aot] [--version vX.Y.Z]

Builds the self-contained plugin package (shim + verified payload) that register-plugin.sh installs.

  --rebuild    build the plugin jar (Maven, tests skipped) even if plugin/dist/target/herald-plugin-shaded.jar
               is newer than every source; by default it is built only when missing or stale
  --jar FILE   package FILE instead of building the plugin jar (e.g. a jar built by CI)
  --out DIR    write the package to DIR instead of target/plugin
  --no-aot     skip the AOT cache (faster packaging, slower plugin start)
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
    --version) [[ $# -ge 2 ]] || die "--version needs a version (v0.1.1)"; version="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift
done

source "$root/scripts/lib/jdk.sh"
command -v go >/dev/null || die "Go is needed to build the shim: install Go 1.24 or newer and put \`go\` on PATH"
command -v sha256sum >/dev/null || die "sha256sum (GNU coreutils) is needed"

# --- 1. the plugin jar ------------------------------------------------------------------------------
jar_is_stale() {  # true if any build input is newer than the jar
  [[ -n "$(find "$root/pom.xml" "$root/proto" "$root/plugin" -path '*/target' -prune -o \
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
classes="$("$JAVA_HOME/bin/jar" --list --file "$jar")" || die "$jar is not a readable jar"
grep -qx "${main_class//.//}.class" <<<"$classes" || die "$jar has no $main_class class"

# Build in a staging directory beside the output and swap at the end, so a failed run leaves the
# previous package intact.
stage="$out.new"
payload="$stage/herald.d"
rm -rf "$stage"
mkdir -p "$payload"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The version: one source, the jar's Implementation-Version (Maven's project version), unless given.
# Servers take a semantic version with a leading v; a snapshot build is packaged as its release.
(cd "$tmp" && "$JAVA_HOME/bin/jar" --extract --file "$jar" META-INF/MANIFEST.MF) || die "cannot read the manifest of $jar"
built_version="$(tr -d '\r' <"$tmp/META-INF/MANIFEST.MF" | sed -n 's/^Implementation-Version: *//p' | head -n1)"
if [[ -z "$version" ]]; then
  [[ -n "$built_version" ]] || die "$jar has no Implementation-Version in its manifest; give --version"
  version="${built_version%-SNAPSHOT}"
  [[ "$version" == v* ]] || version="v$version"
fi
semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
[[ "$version" =~ $semver ]] || die "version $version is not a semantic version like v0.1.0 or v1.2.0-rc.1"
say "packaging Herald $version"

cp "$jar" "$payload/herald-plugin.jar"
if [[ "$built_version" != "$version" ]]; then
  # Stamp the packaged copy, so that the plugin reports the version it is registered with (the
  # server refuses a registration whose plugin reports another). jar --update replaces the attribute.
  # With SOURCE_DATE_EPOCH (a release) the rewritten entries get that time, not the clock's.
  printf 'Implementation-Version: %s\n' "$version" >"$tmp/version.mf"
  jar_date=()
  [[ -z "${SOURCE_DATE_EPOCH:-}" ]] || jar_date=(--date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)")
  "$JAVA_HOME/bin/jar" --update "${jar_date[@]}" --file "$payload/herald-plugin.jar" --manifest "$tmp/version.mf" 2>"$tmp/jar.err" \
    || { cat "$tmp/jar.err" >&2; die "cannot stamp the version into the jar"; }
fi
echo "$version" >"$payload/VERSION"
# The JVM uses an AOT cache only with the very jar it was trained with, which it recognises by size
# and modification time. Stamp the jar with a time the shim knows (compiled into it below), so that
# the shim can put it back when a copy of the package did not keep it. A release (scripts/release.sh)
# sets SOURCE_DATE_EPOCH to the commit time, so that the shim's bytes depend on the commit only.
jar_mtime="${SOURCE_DATE_EPOCH:-$(date +%s)}"
touch -d "@$jar_mtime" "$payload/herald-plugin.jar"
cp "$options_src" "$payload/jvm.options"
# Native libraries travel beside the jar (the Maven build leaves them out of it), so that the
# manifest pins them; the shim points java.library.path at this directory.
native_src="$root/plugin/dist/target/native"
compgen -G "$native_src/*.so" >/dev/null || die "no native libraries in $native_src (run scripts/build.sh)"
if grep -q '^META-INF/native/.*\.so$' <<<"$classes"; then
  die "$jar carries native libraries inside; Netty would load unpinned copies of them (build it with plugin/dist's pom)"
fi
mkdir -p "$payload/native"
cp "$native_src"/*.so "$payload/native/"

# --- 2. the runtime -------------------------------------------------------------------------------
# jdeps sees the modules the jar's classes refer to. Add those that libraries reach only by
# reflection or service lookup, so jdeps cannot see them:
#   jdk.unsupported  sun.misc.Unsafe (Netty, protobuf)
#   java.naming      JNDI (gRPC's DNS resolver and Netty look it up)
# Left out on purpose: java.management. Netty, finding it, calls ManagementFactory to learn the
# direct-memory limit and the process id, which starts JMX: about 100 ms before the handshake.
# Without it Netty takes the heap limit and ProcessHandle instead.
#   jdk.crypto.ec    the EC provider (P-521 AutoMTLS) up to JDK 21; empty since it moved into java.base
#   java.logging     java.util.logging (JulToHclog, gRPC, Guava); jdeps lists it only through java.sql
# Left out although jdeps lists them, because only unused code refers to them:
#   jdk.jfr   Netty's allocator events. Netty calls FlightRecorder.isAvailable() when it starts, and
#             with the module present that loads JFR; the AOT cache then preloaded 113 JFR classes
#             at every start. Without it Netty catches the NoClassDefFoundError and leaves JFR off.
#   java.sql  Gson's java.sql.Date adapters (Gson checks for the module) and BouncyCastle's LDAP
#             helpers; it would bring java.xml and java.transaction.xa along.
feature="$(herald_jdk_version "$JAVA_HOME")"
jdeps_modules="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release "$feature" \
                   --print-module-deps "$jar" 2>"$tmp/jdeps.err")" \
  || { cat "$tmp/jdeps.err" >&2; die "jdeps could not analyse $jar"; }
modules="$(tr ',' '\n' <<<"$jdeps_modules" | grep -vxE 'jdk\.jfr|java\.sql' | paste -sd, -)"
for m in jdk.unsupported java.naming java.logging; do modules+=",$m"; done
if "$JAVA_HOME/bin/java" --describe-module jdk.crypto.ec 2>/dev/null | grep -qE '^(contains|provides) '; then
  modules+=",jdk.crypto.ec"
fi
modules="$(tr ',' '\n' <<<"$modules" | sed '/^$/d' | sort -u | paste -sd, -)"
say "jlink runtime with $modules"
# Compressed: the shim hashes every byte before each start, and nearly every class comes from the
# AOT cache rather than from lib/modules. Measured: lib/modules 40 -> 17 MB, start to handshake
# ~15 ms sooner.
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --output "$payload/runtime" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
  || die "jlink failed (the JDK at $JAVA_HOME must be a full JDK 25)"

# --- 3. the AOT cache -------------------------------------------------------------------------------
# Trained with the packaged runtime, flags and jar. The class path names the jar through descriptor 9,
# open on the payload directory, exactly as the shim does at run time: the JVM then sees the class
# path it was trained with wherever the package is installed. (With the directory's path, the JVM
# accepted the moved cache but, for each archived class of the jar, looked the training-time path
# up and failed: about 50 ms of CPU per start. A relative class path would be resolved against the
# working directory and the cache refused.) The training runs in a scratch directory so that
# nothing it leaves behind (a crash log) lands in the payload. Option variables of the environment
# are dropped, as the shim does at run time.
clean_env=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS -u JAVA_AOT_OPTIONS -u _JAVA_LAUNCHER_DEBUG)
log="$(dirname "$out")/herald-aot-training.log"
# Two steps (record, then create) rather than -XX:AOTCacheOutput, whose assembly runs in a child
# JVM that does not inherit descriptor 9.
jvm=("$payload/runtime/bin/java" "@$payload/jvm.options" "-Djava.library.path=$payload/native"
     -cp /proc/self/fd/9/herald-plugin.jar)
train=("${jvm[@]}" -XX:AOTMode=record "-XX:AOTConfiguration=$tmp/herald.aotconf")

# Both kinds of training run in the environment Vault gives a plugin (magic cookie, protocol 5, a
# fresh P-521 client certificate), so the code paths that read it are trained too.
vault_env=()
make_vault_env() {
  command -v openssl >/dev/null || die "openssl is needed for the AOT training (or use --no-aot)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -nodes -keyout "$tmp/key.pem" \
    -out "$tmp/cert.pem" -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1 \
    || die "openssl could not make a P-521 test certificate"
  vault_env=(VAULT_BACKEND_PLUGIN=6669da05-b1c8-4f49-97d9-c8e5bed98e20 PLUGIN_PROTOCOL_VERSIONS=5
    PLUGIN_MIN_PORT=10000 PLUGIN_MAX_PORT=25000 VAULT_PLUGIN_AUTOMTLS_ENABLED=true
    BAO_PLUGIN_AUTOMTLS_ENABLED=true VAULT_PLUGIN_METADATA_MODE=false VAULT_VERSION=2.7.2
    "PLUGIN_CLIENT_CERT=$(cat "$tmp/cert.pem")")
}

train_with_class() {
  local rc=0
  (cd "$tmp" && exec "${clean_env[@]}" "${vault_env[@]}" timeout 300 "${train[@]}" "$training_class" 9<"$payload") >"$log" 2>&1 </dev/null || rc=$?
  if ((rc != 0)); then
    tail -n 30 "$log" >&2
    die "AOT training ($training_class) failed with exit code $rc; full log: $log"
  fi
}

# Without a training class: start the plugin the way Vault does and stop it (SIGTERM) once it has
# written its handshake line; the JVM writes the cache as it exits.
train_with_handshake() {
  say "WARNING: $jar has no $training_class; training the AOT cache on a bare start-up only (fallback)"
  (cd "$tmp" && exec "${clean_env[@]}" "${vault_env[@]}" "${train[@]}" "$main_class" 9<"$payload") \
    >"$tmp/stdout" 2>"$log" </dev/null &
  local pid=$! waited=0
  until [[ -s "$tmp/stdout" ]]; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; die "the plugin exited before its handshake; log: $log"; }
    ((waited++ < 1200)) || { kill -KILL "$pid"; die "no handshake within 60 s; log: $log"; }
    sleep 0.05
  done
  kill -TERM "$pid"
  wait "$pid" || true  # 143 (SIGTERM) is the normal outcome here
}

if $aot; then
  make_vault_env
  if grep -qx "${training_class//.//}.class" <<<"$classes"; then
    say "training the AOT cache with $training_class"
    train_with_class
  else
    train_with_handshake
  fi
  [[ -s "$tmp/herald.aotconf" ]] || die "the AOT training wrote no configuration; log: $log"
  (cd "$tmp" && exec "${clean_env[@]}" "${jvm[@]}" -XX:AOTMode=create "-XX:AOTConfiguration=$tmp/herald.aotconf" \
     "-XX:AOTCacheOutput=$payload/herald.aot" 9<"$payload") >>"$log" 2>&1 </dev/null \
    || { tail -n 30 "$log" >&2; die "assembling the AOT cache failed; log: $log"; }
  [[ -s "$payload/herald.aot" ]] || die "the AOT training wrote no cache; log: $log"
  rm -f "$payload/herald.aot.config"
fi

# The payload must hold exactly what the shim expects: anything else the training left behind
# (a crash log, a socket) would be pinned and shipped.
extra="$(find "$payload" -mindepth 1 -maxdepth 1 ! -name runtime ! -name herald-plugin.jar \
           ! -name jvm.options ! -name herald.aot ! -name native ! -name VERSION)"
[[ -z "$extra" ]] || die "unexpected files in the payload after training (from $training_class?): $extra"

# --- 4. manifest and shim ---------------------------------------------------------------------------
chmod -R u+rwX,go+rX,go-w "$payload"
[[ -z "$(find "$payload" -name $'*\n*' -o -name '*\\*')" ]] || die "file names with a newline or backslash in $payload"
(cd "$payload" && find . \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum --) \
  >"$tmp/manifest"
mv "$tmp/manifest" "$payload/MANIFEST.sha256"
chmod 644 "$payload/MANIFEST.sha256"
digest="$(sha256sum "$payload/MANIFEST.sha256" | cut -d' ' -f1)"

say "building the shim"
(cd "$root/shim" && CGO_ENABLED=0 go build -trimpath -buildvcs=false \
   -ldflags "-s -w -buildid= -X main.manifestDigest=$digest -X main.jarModTime=$jar_mtime -X main.version=$version" -o "$stage/herald" .) \
  || die "go build of shim/ failed"
shim_sum="$(sha256sum "$stage/herald" | cut -d' ' -f1)"
echo "$shim_sum" >"$stage/herald.sha256"

# Smoke test: the shim must accept its payload. Without Vault's environment the plugin itself then
# refuses to run (no magic cookie); only a complaint from the shim counts as a failure here.
env -i timeout 30 "$stage/herald" </dev/null >/dev/null 2>"$tmp/smoke" || true
if grep -q '"@module":"herald-shim"' "$tmp/smoke"; then
  cat "$tmp/smoke" >&2
  die "the freshly built shim rejects its own payload"
fi

rm -rf "$out.old"
if [[ -e "$out" ]]; then mv "$out" "$out.old"; fi
mv "$stage" "$out"
rm -rf "$out.old"

# The JVM silently starts without an AOT cache it cannot use; check here, at the final location
# (so the cache has been moved once, as it will be when installed), that it is accepted.
if [[ -f "$out/herald.d/herald.aot" ]]; then
  d="$out/herald.d"
  (cd / && "${clean_env[@]}" "$d/runtime/bin/java" "@$d/jvm.options" "-XX:AOTCache=$d/herald.aot" -XX:AOTMode=on \
     -cp /proc/self/fd/9/herald-plugin.jar -version 9<"$d") >"$tmp/aotcheck" 2>&1 \
    || { cat "$tmp/aotcheck" >&2; die "the JVM refuses the AOT cache it was just trained for (see above); package with --no-aot to go on without one"; }
fi

# --- 5. the client: target/client/herald (a launcher for any Java 21+) beside its jar ---------------
client_jar="$root/client/target/herald-client-all.jar"
client_out="$root/target/client"
client_is_stale() {
  [[ -n "$(find "$root/pom.xml" "$root/client" "$root/plugin/sdk" -path '*/target' -prune -o \
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

# --- 6. report --------------------------------------------------------------------------------------
size() { du -sh "$@" | cut -f1; }
shown="${out#"$PWD"/}"  # relative when under the current directory
echo "Herald plugin $version packaged in $shown"
echo "  shim     $shown/herald  sha256 $shim_sum"
echo "  payload  $shown/herald.d  $(size "$out/herald.d"): runtime $(size "$out/herald.d/runtime"), jar $(size "$out/herald.d/herald-plugin.jar")$(
       [[ -f "$out/herald.d/herald.aot" ]] && echo ", AOT cache $(size "$out/herald.d/herald.aot")" || echo ", no AOT cache")"
echo "  modules  $modules"
echo "Install, register and enable it: scripts/register-plugin.sh --plugin-dir <the server's plugin_directory>"
echo "Herald client: ${client_out#"$PWD"/}/herald (with ${client_out#"$PWD"/}/herald-client.jar, $(size "$client_out/herald-client.jar")); runs with any Java 21+"
