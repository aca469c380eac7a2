#!/usr/bin/env bash
# Packages a Java plugin written with herald-plugin-sdk and herald-plugin-runtime for Vault / OpenBao:
#
#   OUT/NAME                      the shim (static Go binary): the file the server executes and pins
#   OUT/NAME.sha256               its SHA-256, for `plugin register -sha256=...`
#   OUT/NAME.d/NAME-plugin.jar    the plugin's jar (with its dependencies)
#   OUT/NAME.d/runtime/           a Java runtime, jlink-ed from the build JDK with only the modules needed
#   OUT/NAME.d/native/            native libraries (Netty's epoll transport), out of the jar
#   OUT/NAME.d/jvm.options        the JVM flags
#   OUT/NAME.d/NAME.aot           an AOT cache trained with exactly that runtime, jar and flags
#   OUT/NAME.d/VERSION            the plugin's semantic version (v0.1.0), as the jar and the shim report it
#   OUT/NAME.d/MANIFEST.sha256    SHA-256 of every other file in NAME.d; its own SHA-256 is compiled
#                                 into the shim, which checks all of it before it starts the JVM
#
# The shim also has the plugin's name, main class and payload file names compiled in, so that the
# one SHA-256 the server pins covers what runs. scripts/package.sh is this script called for Herald.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<EOF
usage: scripts/package-plugin.sh --jar FILE --main-class CLASS --out DIR [options]

Builds a self-contained plugin package (shim + verified payload) from a plugin's jar. The jar holds
the plugin with all its dependencies (a shaded jar); its main class calls PluginServer.serve.

  --jar FILE             the plugin's jar (required)
  --main-class CLASS     the class the JVM runs (required)
  --out DIR              where to write the package (required); replaced as a whole on success
  --name NAME            the plugin's name: the shim's file name (the catalog's command), the payload's
                         NAME.d. Lower-case letters, digits, '.', '_', '-'. Default: the jar's file
                         name without .jar, a trailing -<version> and a trailing -plugin, -shaded
                         or -all (greeter-plugin.jar: greeter)
  --version V            the semantic version to package as (v0.1.1, v1.0.0-rc.1). Default: the jar
                         manifest's Implementation-Version, without -SNAPSHOT, with a leading v.
                         The packaged jar, the shim (NAME --version) and NAME.d/VERSION carry it
  --jvm-options FILE     the JVM flags (default: scripts/lib/plugin-jvm.options; start from a copy)
  --training-class CLASS a class of the jar whose main method exercises the plugin, for the AOT cache
                         (it must exit by itself). Default: train on a bare start-up, stopped after
                         the handshake
  --native-dir DIR       take the native libraries (*.so) from DIR; the jar must then carry none.
                         Default: those the jar carries under META-INF/native/ are moved out of the
                         packaged copy of it into NAME.d/native
  --exclude-modules LIST modules to leave out of the runtime although jdeps lists them, comma-separated
                         (default: jdk.jfr; see below)
  --add-modules LIST     modules to add to the runtime that jdeps cannot see (reflection, services)
  --no-aot               skip the AOT cache (faster packaging, slower plugin start)
  -h, --help             show this help

Needs a JDK 25 (found by scripts/lib/jdk.sh; set HERALD_JDK to choose one), Go 1.24+ as \`go\`,
sha256sum, and openssl (for the AOT training). SOURCE_DATE_EPOCH, if set, is the jar's packaged
modification time (reproducible builds).
EOF
}

say() { echo "package-plugin: $*" >&2; }
die() { echo "package-plugin: error: $*" >&2; exit 1; }

aot=true jar="" out="" name="" version="" main_class="" training_class="" native_src=""
options_src="$root/scripts/lib/plugin-jvm.options" exclude_modules="jdk.jfr" add_modules=""
need() { [[ $# -ge 3 && -n "$3" ]] || die "$1 needs $2"; }
while (($#)); do
  case "$1" in
    --jar) need "$@" "a file"; jar="$(realpath "$2")"; shift ;;
    --main-class) need "$@" "a class name"; main_class="$2"; shift ;;
    --out) need "$@" "a directory"; out="$(realpath -m "$2")"; shift ;;
    --name) need "$@" "a name"; name="$2"; shift ;;
    --version) need "$@" "a version (v0.1.1)"; version="$2"; shift ;;
    --jvm-options) need "$@" "a file"; options_src="$(realpath "$2")"; shift ;;
    --training-class) need "$@" "a class name"; training_class="$2"; shift ;;
    --native-dir) need "$@" "a directory"; native_src="$(realpath "$2")"; shift ;;
    --exclude-modules) [[ $# -ge 2 ]] || die "--exclude-modules needs a list"; exclude_modules="$2"; shift ;;
    --add-modules) need "$@" "a list"; add_modules="$2"; shift ;;
    --no-aot) aot=false ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
  shift
done
[[ -n "$jar" ]] || { usage >&2; die "--jar is required"; }
[[ -n "$main_class" ]] || { usage >&2; die "--main-class is required"; }
[[ -n "$out" ]] || { usage >&2; die "--out is required"; }
class_name='^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$'
[[ "$main_class" =~ $class_name ]] || die "--main-class $main_class is not a class name"
[[ -z "$training_class" || "$training_class" =~ $class_name ]] || die "--training-class $training_class is not a class name"
if [[ -z "$name" ]]; then
  name="$(basename "$jar" .jar)"
  name="$(sed -E 's/-[0-9]+(\.[0-9]+)*(-SNAPSHOT)?$//; s/-(plugin|shaded|all)$//' <<<"$name" | tr '[:upper:]' '[:lower:]')"
fi
[[ "$name" =~ ^[a-z0-9][a-z0-9._-]*$ ]] || die "plugin name \"$name\" is not lower-case letters, digits, '.', '_', '-' (give --name)"
[[ -f "$options_src" ]] || die "no JVM options file at $options_src"
# The options file is pinned, but what its options name is not: refuse the ones that load code or run
# commands from elsewhere (agents, boot class path, modules, other archives, error hooks).
if bad=$(grep -nE '^[[:space:]]*(-javaagent:|-agentpath:|-agentlib:|-Xbootclasspath|--module-path|-p[[:space:]]|--patch-module|--upgrade-module-path|-Djava\.security\.properties=|-Djava\.system\.class\.loader=|-XX:SharedArchiveFile=|-XX:AOTCache=|-XX:Flags=|-XX:OnError=|-XX:OnOutOfMemoryError=|-cp[[:space:]]|-classpath|--class-path|@)' "$options_src"); then
  die "$options_src has options that load or run what the manifest does not pin: $bad"
fi
[[ -z "${SOURCE_DATE_EPOCH:-}" || "$SOURCE_DATE_EPOCH" =~ ^[0-9]+$ ]] || die "SOURCE_DATE_EPOCH must be whole seconds, got $SOURCE_DATE_EPOCH"
[[ -z "$native_src" || -d "$native_src" ]] || die "--native-dir $native_src is not a directory"

source "$root/scripts/lib/jdk.sh"
command -v go >/dev/null || die "Go is needed to build the shim: install Go 1.24 or newer and put \`go\` on PATH"
command -v sha256sum >/dev/null || die "sha256sum (GNU coreutils) is needed"

jar_name="$name-plugin.jar"
aot_name="$name.aot"

# --- 1. the payload: jar, version, flags, native libraries ------------------------------------------
[[ -f "$jar" ]] || die "no plugin jar at $jar"
classes="$("$JAVA_HOME/bin/jar" --list --file "$jar")" || die "$jar is not a readable jar"
grep -qx "${main_class//.//}.class" <<<"$classes" || die "$jar has no $main_class class"
if [[ -n "$training_class" ]]; then
  grep -qx "${training_class//.//}.class" <<<"$classes" || die "$jar has no $training_class class (--training-class)"
fi
grep -qE '^-XX:\+DisplayVMOutputToStderr$' "$options_src" && grep -qE '^-Xlog:disable$' "$options_src" \
  || say "WARNING: $options_src lacks -Xlog:disable or -XX:+DisplayVMOutputToStderr: the JVM may write to stdout, which belongs to the handshake"

# Build in a staging directory beside the output and swap at the end, so a failed run leaves the
# previous package intact.
stage="$out.new"
payload="$stage/$name.d"
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
say "packaging $name $version"

# Native libraries travel beside the jar, so that the manifest pins them; the shim points
# java.library.path at NAME.d/native. Left inside the jar, Netty would extract them to a temporary
# file at every start and load that unpinned copy.
mkdir -p "$payload/native"
if [[ -n "$native_src" ]]; then
  if grep -q '^META-INF/native/.*\.so$' <<<"$classes"; then
    die "$jar carries native libraries inside, besides those of --native-dir; Netty would load unpinned copies of them"
  fi
  compgen -G "$native_src/*.so" >/dev/null || die "no native libraries (*.so) in $native_src"
  cp "$native_src"/*.so "$payload/native/"
  cp "$jar" "$payload/$jar_name"
elif grep -q '^META-INF/native/.*\.so$' <<<"$classes"; then
  say "moving the jar's native libraries out of it into $name.d/native"
  "$JAVA_HOME/bin/java" "$root/scripts/lib/JarWithoutNatives.java" "$jar" "$payload/$jar_name" "$payload/native" \
    || die "cannot copy $jar without its native libraries"
else
  say "WARNING: no native libraries in $jar (Netty's epoll transport): the runtime needs them for its unix sockets"
  cp "$jar" "$payload/$jar_name"
fi
# A native library left in the jar (JNA, compression or database drivers carry their own) would be
# extracted to a temporary file at run time and loaded unchecked: the manifest pins only what is
# outside the jar.
if left=$("$JAVA_HOME/bin/jar" --list --file "$payload/$jar_name" | grep -E '\.(so|dll|dylib|jnilib)$'); then
  die "$jar carries native libraries that would be loaded unpinned; put them in --native-dir: $(head -3 <<<"$left" | tr '\n' ' ')"
fi

if [[ "$built_version" != "$version" ]]; then
  # Stamp the packaged copy, so that the plugin reports the version it is registered with (the
  # server refuses a registration whose plugin reports another). jar --update replaces the attribute.
  # With SOURCE_DATE_EPOCH (a release) the rewritten entries get that time, not the clock's.
  printf 'Implementation-Version: %s\n' "$version" >"$tmp/version.mf"
  jar_date=()
  [[ -z "${SOURCE_DATE_EPOCH:-}" ]] || jar_date=(--date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)")
  "$JAVA_HOME/bin/jar" --update "${jar_date[@]}" --file "$payload/$jar_name" --manifest "$tmp/version.mf" 2>"$tmp/jar.err" \
    || { cat "$tmp/jar.err" >&2; die "cannot stamp the version into the jar"; }
fi
echo "$version" >"$payload/VERSION"
# The JVM uses an AOT cache only with the very jar it was trained with, which it recognises by size
# and modification time. Stamp the jar with a time the shim knows (compiled into it below), so that
# the shim can put it back when a copy of the package did not keep it. A release sets
# SOURCE_DATE_EPOCH to the commit time, so that the shim's bytes depend on the commit only.
jar_mtime="${SOURCE_DATE_EPOCH:-$(date +%s)}"
touch -d "@$jar_mtime" "$payload/$jar_name"
cp "$options_src" "$payload/jvm.options"

# --- 2. the runtime -------------------------------------------------------------------------------
# jdeps sees the modules the jar's classes refer to. Add those that libraries reach only by
# reflection or service lookup, so jdeps cannot see them:
#   jdk.unsupported  sun.misc.Unsafe (Netty, protobuf)
#   java.naming      JNDI (gRPC's DNS resolver and Netty look it up)
#   java.logging     java.util.logging (the runtime's log bridge, gRPC)
#   jdk.crypto.ec    the EC provider (P-521 AutoMTLS) up to JDK 21; empty since it moved into java.base
# Left out on purpose: java.management. Netty, finding it, calls ManagementFactory to learn the
# direct-memory limit and the process id, which starts JMX: about 100 ms before the handshake.
# Without it Netty takes the heap limit and ProcessHandle instead.
# Left out by default although jdeps lists it (--exclude-modules): jdk.jfr, for Netty's allocator
# events only. Netty calls FlightRecorder.isAvailable() when it starts, and with the module present
# that loads JFR; the AOT cache then preloaded 113 JFR classes at every start. Without it Netty
# catches the NoClassDefFoundError and leaves JFR off.
feature="$(herald_jdk_version "$JAVA_HOME")"
jdeps_modules="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release "$feature" \
                   --print-module-deps "$payload/$jar_name" 2>"$tmp/jdeps.err")" \
  || { cat "$tmp/jdeps.err" >&2; die "jdeps could not analyse $jar"; }
excluded="$(tr ',' '\n' <<<"$exclude_modules" | sed '/^$/d')"
modules="$(tr ',' '\n' <<<"$jdeps_modules" | grep -vxF -e "${excluded:-^}" | paste -sd, -)"
for m in jdk.unsupported java.naming java.logging; do modules+=",$m"; done
[[ -z "$add_modules" ]] || modules+=",$add_modules"
if "$JAVA_HOME/bin/java" --describe-module jdk.crypto.ec 2>/dev/null | grep -qE '^(contains|provides) '; then
  modules+=",jdk.crypto.ec"
fi
modules="$(tr ',' '\n' <<<"$modules" | sed '/^$/d' | sort -u | paste -sd, -)"
say "jlink runtime with $modules"
# Compressed: the shim hashes every byte before each start, and nearly every class comes from the
# AOT cache rather than from lib/modules. Measured on Herald: lib/modules 40 -> 17 MB, start to
# handshake ~15 ms sooner.
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
clean_env=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS -u JAVA_AOT_OPTIONS -u JDK_AOT_VM_OPTIONS -u _JAVA_LAUNCHER_DEBUG)
log="$(dirname "$out")/$name-aot-training.log"
# Two steps (record, then create) rather than -XX:AOTCacheOutput, whose assembly runs in a child
# JVM that does not inherit descriptor 9.
jvm=("$payload/runtime/bin/java" "@$payload/jvm.options" "-Djava.library.path=$payload/native"
     -cp "/proc/self/fd/9/$jar_name")
train=("${jvm[@]}" -XX:AOTMode=record "-XX:AOTConfiguration=$tmp/plugin.aotconf")

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
  if [[ -n "$training_class" ]]; then
    say "training the AOT cache with $training_class"
    train_with_class
  else
    say "training the AOT cache on a start-up to the handshake"
    train_with_handshake
  fi
  [[ -s "$tmp/plugin.aotconf" ]] || die "the AOT training wrote no configuration; log: $log"
  (cd "$tmp" && exec "${clean_env[@]}" "${jvm[@]}" -XX:AOTMode=create "-XX:AOTConfiguration=$tmp/plugin.aotconf" \
     "-XX:AOTCacheOutput=$payload/$aot_name" 9<"$payload") >>"$log" 2>&1 </dev/null \
    || { tail -n 30 "$log" >&2; die "assembling the AOT cache failed; log: $log"; }
  [[ -s "$payload/$aot_name" ]] || die "the AOT training wrote no cache; log: $log"
  rm -f "$payload/$aot_name.config"
fi

# The payload must hold exactly what the shim expects: anything else the training left behind
# (a crash log, a socket) would be pinned and shipped.
extra="$(find "$payload" -mindepth 1 -maxdepth 1 ! -name runtime ! -name "$jar_name" \
           ! -name jvm.options ! -name "$aot_name" ! -name native ! -name VERSION)"
[[ -z "$extra" ]] || die "unexpected files in the payload after training${training_class:+ (from $training_class?)}: $extra"

# --- 4. manifest and shim ---------------------------------------------------------------------------
chmod -R u+rwX,go+rX,go-w "$payload"
[[ -z "$(find "$payload" -name $'*\n*' -o -name '*\\*')" ]] || die "file names with a newline or backslash in $payload"
(cd "$payload" && find . \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum --) \
  >"$tmp/manifest"
mv "$tmp/manifest" "$payload/MANIFEST.sha256"
chmod 644 "$payload/MANIFEST.sha256"
digest="$(sha256sum "$payload/MANIFEST.sha256" | cut -d' ' -f1)"

say "building the shim"
ldflags="-s -w -buildid= -X main.manifestDigest=$digest -X main.jarModTime=$jar_mtime -X main.version=$version"
ldflags+=" -X main.name=$name -X main.mainClass=$main_class -X main.jarPath=$jar_name -X main.aotPath=$aot_name"
(cd "$root/shim" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$stage/$name" .) \
  || die "go build of shim/ failed"
shim_sum="$(sha256sum "$stage/$name" | cut -d' ' -f1)"
echo "$shim_sum" >"$stage/$name.sha256"

# Smoke test: the shim must accept its payload. Without Vault's environment the plugin itself then
# refuses to run (no magic cookie); only a complaint from the shim counts as a failure here.
env -i timeout 30 "$stage/$name" </dev/null >/dev/null 2>"$tmp/smoke" || true
if grep -qF "\"@module\":\"$name-shim\"" "$tmp/smoke"; then
  cat "$tmp/smoke" >&2
  die "the freshly built shim rejects its own payload"
fi

rm -rf "$out.old"
if [[ -e "$out" ]]; then mv "$out" "$out.old"; fi
mv "$stage" "$out"
rm -rf "$out.old"

# The JVM silently starts without an AOT cache it cannot use; check here, at the final location
# (so the cache has been moved once, as it will be when installed), that it is accepted.
if [[ -f "$out/$name.d/$aot_name" ]]; then
  d="$out/$name.d"
  (cd / && "${clean_env[@]}" "$d/runtime/bin/java" "@$d/jvm.options" "-XX:AOTCache=$d/$aot_name" -XX:AOTMode=on \
     -cp "/proc/self/fd/9/$jar_name" -version 9<"$d") >"$tmp/aotcheck" 2>&1 \
    || { cat "$tmp/aotcheck" >&2; die "the JVM refuses the AOT cache it was just trained for (see above); package with --no-aot to go on without one"; }
fi

# --- 5. report --------------------------------------------------------------------------------------
size() { du -sh "$@" | cut -f1; }
shown="${out#"$PWD"/}"  # relative when under the current directory
echo "Plugin $name $version packaged in $shown"
echo "  shim     $shown/$name  sha256 $shim_sum"
echo "  payload  $shown/$name.d  $(size "$out/$name.d"): runtime $(size "$out/$name.d/runtime"), jar $(size "$out/$name.d/$jar_name")$(
       [[ -f "$out/$name.d/$aot_name" ]] && echo ", AOT cache $(size "$out/$name.d/$aot_name")" || echo ", no AOT cache")"
echo "  modules  $modules"
