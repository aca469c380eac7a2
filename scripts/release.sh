#!/usr/bin/env bash
# Builds the release artifact of the commit checked out (HEAD), reproducibly:
#
#   target/release/herald-<version>-linux-amd64.tar.gz
#     herald-<version>-linux-amd64/plugin/herald, herald.sha256, herald.d/   the plugin package (scripts/package.sh)
#     herald-<version>-linux-amd64/client/herald, herald-client.jar          the client launcher and its jar
#     herald-<version>-linux-amd64/scripts/register-plugin.sh                installs, registers and enables the plugin
#     herald-<version>-linux-amd64/README.md                                 how to install and upgrade (from README.md)
#   target/release/SHA256SUMS
#
# Same commit, same bytes: the build runs in a fresh export of the commit (git archive, so no stale
# target/ and no uncommitted file gets in), every time stamp is the commit time (SOURCE_DATE_EPOCH,
# Maven's project.build.outputTimestamp, the jar time the shim pins), the shim is built with
# -trimpath -buildvcs=false and no build id, and the tarball has sorted entries, numeric owner 0
# and a gzip header without name or time.
#
# The release ships no AOT cache (package.sh --no-aot): the JVM writes a different cache on every
# training run, and the cache is code the shim must pin, so it can neither be left out of the
# manifest nor be trained on the operator's machine without rebuilding the shim. See "Installing a
# release" in README.md. The plugin starts without it, only slower.
#
# usage: scripts/release.sh [--version vX.Y.Z] [--allow-dirty]
#        scripts/release.sh --check    build twice, each from a fresh export, and compare the checksums
#
#   --version V     the version to release as (default: the Maven project version without -SNAPSHOT)
#   --allow-dirty   build HEAD even though the working tree has uncommitted changes (they are not
#                   in the release either way: the build uses the committed files only)
#   --check         exits non-zero, naming the files that differ, if two builds are not identical
#
# Needs what scripts/package.sh needs (JDK 25, Go, Maven; MAVEN_ARGS is passed through, e.g. for an
# offline repository), plus git and GNU tar.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "release: $*" >&2; }
die() { echo "release: error: $*" >&2; exit 1; }

version="${HERALD_VERSION:-}" check=false dirty_ok=false
while (($#)); do
  case "$1" in
    --version) [[ $# -ge 2 ]] || die "--version needs a version (v0.1.1)"; version="$2"; shift ;;
    --check) check=true ;;
    --allow-dirty) dirty_ok=true ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

command -v git >/dev/null || die "git is needed"
tar --version 2>/dev/null | grep -q 'GNU tar' || die "GNU tar is needed (for --sort=name)"
cd "$root"
commit="$(git rev-parse --verify HEAD)" || die "$root is not a git checkout with a commit"
if [[ -n "$(git status --porcelain --untracked-files=no)" ]] && ! $dirty_ok && ! $check; then
  die "uncommitted changes: a release is built from the commit alone; commit them, or pass --allow-dirty to build HEAD without them"
fi
# Every time stamp in the release is the commit's.
SOURCE_DATE_EPOCH="$(git log -1 --format=%ct "$commit")"
export SOURCE_DATE_EPOCH
export MAVEN_ARGS="${MAVEN_ARGS:-} -Dproject.build.outputTimestamp=$SOURCE_DATE_EPOCH"
# Nothing of the environment that changes what Go or the JVM write.
unset GOFLAGS JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS
export TZ=UTC LC_ALL=C

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# build DIR: a release of $commit into DIR (the tarball and SHA256SUMS)
build() {
  local out="$1" src="$work/src-$(basename "$1")"
  rm -rf "$src"
  mkdir -p "$src" "$out"
  git archive --format=tar "$commit" | tar -x -C "$src"
  say "building $commit in a fresh export"
  local args=(--rebuild --no-aot)
  [[ -z "$version" ]] || args+=(--version "$version")
  "$src/scripts/package.sh" "${args[@]}" >&2 || die "scripts/package.sh failed (see above)"

  local v name stage
  v="$(cat "$src/target/plugin/herald.d/VERSION")"
  name="herald-$v-linux-amd64"
  stage="$work/stage-$(basename "$out")/$name"
  rm -rf "$(dirname "$stage")"
  mkdir -p "$stage/scripts"
  cp -R -P "$src/target/plugin" "$stage/plugin"
  cp -R -P "$src/target/client" "$stage/client"
  cp "$src/scripts/register-plugin.sh" "$stage/scripts/"
  readme_excerpt "$src/README.md" "$v" >"$stage/README.md"
  chmod -R u+rwX,go+rX,go-w "$stage"

  # Fixed entry order, times, owners and modes; gzip -n leaves the name and time out of its header.
  rm -f "$out/$name.tar.gz" "$out/SHA256SUMS"
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
      --format=gnu -C "$(dirname "$stage")" -c "$name" | gzip -n -9 >"$out/$name.tar.gz"
  (cd "$out" && sha256sum "$name.tar.gz" >SHA256SUMS)
  echo "$name" >"$work/name"
}

# The operator's part of README.md: the sections on installing and upgrading.
readme_excerpt() {
  printf '# Herald %s\n\nA secrets engine plugin for HashiCorp Vault and OpenBao. Source and full documentation:\nthe Herald repository (README.md, docs/).\n\n' "$2"
  awk '/^## /{keep = ($0 ~ /^## (Installing a release|Upgrading Herald)/)} keep' "$1"
}

if $check; then
  build "$work/one"
  build "$work/two"
  name="$(cat "$work/name")"
  if cmp -s "$work/one/$name.tar.gz" "$work/two/$name.tar.gz"; then
    say "reproducible: two builds of $commit give $(cut -d' ' -f1 "$work/one/SHA256SUMS")"
    exit 0
  fi
  say "NOT reproducible: two builds of $commit differ:"
  mkdir -p "$work/x1" "$work/x2"
  tar -xzf "$work/one/$name.tar.gz" -C "$work/x1"
  tar -xzf "$work/two/$name.tar.gz" -C "$work/x2"
  diff -rq "$work/x1" "$work/x2" >&2 || true
  exit 1
fi

out="$root/target/release"
rm -rf "$out"
build "$out"
name="$(cat "$work/name")"
echo "Herald release of $commit in ${out#"$PWD"/}:"
echo "  $name.tar.gz  sha256 $(cut -d' ' -f1 "$out/SHA256SUMS")"
echo "  SHA256SUMS"
