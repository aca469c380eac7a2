# Sourced by scripts/bench/log.sh after common.sh: an earlier Herald, packaged from a commit of this
# repository, to run beside the current one on the same server.
#
#   base_package COMMIT   prints the directory of a package (herald, herald.sha256, herald.d) of the
#                         plugin as of COMMIT. Built once, in a temporary git worktree with that
#                         commit's own scripts/package.sh, and kept in $bench_cache/<full sha>/plugin:
#                         a second run, or another branch, reuses it.
# The build installs nothing into the local Maven repository (maven.install.skip): an old
# 0.1.0-SNAPSHOT there would be picked up by the next build of the current tree.
base_package() {
  local sha dir tree
  sha=$(git rev-parse --verify --quiet "$1^{commit}") || die "no commit $1 in this repository"
  dir="$bench_cache/$sha"
  if [[ ! -x "$dir/plugin/herald" || ! -f "$dir/plugin/herald.sha256" ]]; then
    echo "bench: packaging the plugin as of $1 (${sha:0:12}) once, into $dir (a few minutes)" >&2
    tree=$(mktemp -d "${TMPDIR:-/tmp}/herald-base.XXXXXX")
    git worktree add --quiet --detach "$tree/src" "$sha" >&2
    mkdir -p "$dir"
    if ! (cd "$tree/src" && MAVEN_ARGS="${MAVEN_ARGS:-} -Dmaven.install.skip=true" \
            scripts/package.sh --out "$dir/plugin.new") >"$dir/package.log" 2>&1; then
      git worktree remove --force "$tree/src"; rm -rf "$tree" "$dir/plugin.new"
      tail -20 "$dir/package.log" >&2
      die "packaging $1 failed (the whole log: $dir/package.log)"
    fi
    git worktree remove --force "$tree/src"
    rm -rf "$tree" "$dir/plugin"
    mv "$dir/plugin.new" "$dir/plugin"
  fi
  echo "$dir/plugin"
}
