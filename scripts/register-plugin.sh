#!/usr/bin/env bash
# Installs the packaged Herald plugin (or any plugin packaged by scripts/package-plugin.sh) into a Vault / OpenBao plugin directory, registers it in the
# plugin catalog with the shim's SHA-256 and its version, and mounts it. Safe to re-run after
# re-packaging: files are replaced by rename, the catalog entry is updated and running mounts are
# reloaded. Another version installs beside the ones already there (see "Upgrading Herald" in README.md).
# With --declare (OpenBao 2.5+) it only installs the files and prints the server configuration's
# `plugin` stanza, for a server that registers Herald from its configuration file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<'EOF'
usage: scripts/register-plugin.sh --plugin-dir DIR [options]

Copies the packaged plugin (the shim and its payload, made by scripts/package.sh, or by
scripts/package-plugin.sh for another plugin) into the server's plugin directory as NAME-VERSION
and NAME-VERSION.d, registers it as a secrets engine with the shim's sha256 and the package's
version (herald.d/VERSION, or <plugin>.d/VERSION), and enables it at a mount path with
that version. Versions live side by side: installing v0.2.0 leaves v0.1.0 and its mounts as they
are; move a mount with secrets tune -plugin-version=v0.2.0 MOUNT, then plugin reload.

  --plugin-dir DIR   the server's plugin_directory (required); must be on this machine
  --mount PATH       mount path to enable the engine at (default: the package's name, herald)
  --name NAME        catalog name (default: the package's name, herald); the shim is installed as DIR/NAME-VERSION
                     and its payload as DIR/NAME-VERSION.d
  --cli vault|bao    CLI to talk to the server with. Default: bao if BAO_ADDR is set, vault if
                     VAULT_ADDR is set, else whichever is on PATH (bao first)
  --package DIR      packaged plugin to install (default: plugin/ of an extracted release,
                     else target/plugin, built with scripts/package.sh first if it is missing there)
  --no-enable        install and register only; do not mount
  --declare          OpenBao 2.5+: install the files only, talk to no server, and print the
                     `plugin "secret" NAME { ... }` stanza (command, version, sha256sum) for the
                     server's configuration file; the server registers the plugin when it unseals
                     (see "Declaring Herald in OpenBao's configuration" in README.md)
  -h, --help         show this help

The server and token come from the environment, as for the CLI itself: VAULT_ADDR / VAULT_TOKEN
(vault), BAO_ADDR / BAO_TOKEN (bao; it reads the VAULT_ variables too), plus the usual TLS
variables (VAULT_CACERT / BAO_CACERT ...). The token needs sudo on sys/plugins/catalog and
sys/plugins/reload, and write on sys/mounts.

Examples:
  VAULT_ADDR=http://127.0.0.1:8200 VAULT_TOKEN=... scripts/register-plugin.sh --plugin-dir /etc/vault/plugins
  scripts/register-plugin.sh --plugin-dir /var/lib/openbao/plugins --cli bao --mount herald-prod
  scripts/register-plugin.sh --plugin-dir /var/lib/openbao/plugins --declare >> /etc/openbao/herald.hcl
EOF
}

say() { echo "register-plugin: $*" >&2; }
die() { echo "register-plugin: error: $*" >&2; exit 1; }

plugin_dir="" mount="" name="" cli="" package="" enable=true declare=false
while (($#)); do
  case "$1" in
    --plugin-dir|--mount|--name|--cli|--package)
      [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see --help)"
      case "$1" in
        --plugin-dir) plugin_dir="$2" ;; --mount) mount="$2" ;; --name) name="$2" ;;
        --cli) cli="$2" ;; --package) package="$2" ;;
      esac
      shift ;;
    --no-enable) enable=false ;;
    --declare) declare=true ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
  esac
  shift
done

# --- arguments ----------------------------------------------------------------------------------------
[[ -n "$plugin_dir" ]] || die "--plugin-dir is required: the plugin_directory from the server's configuration (see --help)"
[[ -d "$plugin_dir" ]] || die "plugin directory $plugin_dir does not exist; create it, and set plugin_directory in the server configuration to it"
[[ -w "$plugin_dir" ]] || die "cannot write to $plugin_dir; run as the user owning the plugin directory"
plugin_dir="$(cd "$plugin_dir" && pwd -P)"

if $declare; then
  :  # no server to talk to
elif [[ -z "$cli" ]]; then
  if [[ -n "${BAO_ADDR:-}" ]] && command -v bao >/dev/null; then cli=bao
  elif [[ -n "${VAULT_ADDR:-}" ]] && command -v vault >/dev/null; then cli=vault
  elif command -v bao >/dev/null; then cli=bao
  elif command -v vault >/dev/null; then cli=vault
  else die "neither the vault nor the bao CLI is on PATH; install one, or give --cli"
  fi
fi
case "${cli:-none}" in
  none) ;;
  vault|bao) command -v "$cli" >/dev/null || die "the $cli CLI is not on PATH" ;;
  *) die "--cli must be vault or bao, not $cli" ;;
esac

# --- the package --------------------------------------------------------------------------------------
if [[ -z "$package" && -f "$root/plugin/herald.d/MANIFEST.sha256" ]]; then
  package="$root/plugin"  # run from an extracted release (scripts/release.sh): its package is beside it
elif [[ -z "$package" ]]; then
  package="$root/target/plugin"
  if [[ ! -f "$package/herald" || ! -f "$package/herald.d/MANIFEST.sha256" ]]; then
    say "no package in $package yet: running scripts/package.sh"
    "$root/scripts/package.sh" >&2 || die "scripts/package.sh failed (see above)"
  fi
fi
[[ -d "$package" ]] || die "package directory $package does not exist; run scripts/package.sh"
package="$(cd "$package" && pwd -P)"
# The package's own name: its shim is $package/$pkg and its payload $package/$pkg.d (herald for
# Herald's package; for another plugin, the --name package-plugin.sh was given).
if [[ -e "$package/herald.d/MANIFEST.sha256" ]]; then
  pkg=herald
else
  manifests=("$package"/*.d/MANIFEST.sha256)
  [[ ${#manifests[@]} -eq 1 && -f "${manifests[0]}" ]] \
    || die "$package holds no single packaged plugin (<name> and <name>.d/MANIFEST.sha256); run scripts/package.sh or scripts/package-plugin.sh"
  pkg="$(basename "$(dirname "${manifests[0]}")" .d)"
fi
name="${name:-$pkg}" mount="${mount:-$pkg}"
[[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ && "$name" != *..* ]] \
  || die "--name $name: use letters, digits, '.', '_' and '-' only"
mount="${mount#/}"; mount="${mount%/}"
[[ -n "$mount" ]] || die "--mount must not be empty"
for f in "$pkg" "$pkg.sha256" "$pkg.d/MANIFEST.sha256" "$pkg.d/VERSION"; do
  [[ -e "$package/$f" ]] || die "$package/$f is missing; run scripts/package.sh"
done
version="$(tr -d '[:space:]' <"$package/$pkg.d/VERSION")"
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] \
  || die "$package/$pkg.d/VERSION holds '$version', not a version like v0.1.0; run scripts/package.sh again"
# One file name per version: the catalog runs each registered version's own command, and the shim
# finds its payload beside itself, as <its file name>.d.
command_name="$name-$version"
sha="$(tr -d '[:space:]' <"$package/$pkg.sha256")"
[[ "$(sha256sum "$package/$pkg" | cut -d' ' -f1)" == "$sha" ]] \
  || die "$package/$pkg does not match $package/$pkg.sha256; run scripts/package.sh again"

# --- how to install ------------------------------------------------------------------------------------------
# Each part is copied under a temporary name in the plugin directory, then renamed into place, so a
# plugin process starting meanwhile sees either the old or the new file, never half of one. The
# payload goes first: a shim started between the two renames refuses to run (clean error) instead
# of running a mix. The copies keep the jlink-ed runtime's relative symlinks, modes and file times,
# but not the owner: the files belong to whoever installs them (Vault can check the owner).
install_package() {
  local dest="$plugin_dir/$command_name"
  rm -rf "$dest.d.new" "$dest.d.old"
  cp -R -P --preserve=mode,timestamps "$package/$pkg.d" "$dest.d.new" || die "copying the payload to $dest.d.new failed (disk full?)"
  if [[ -e "$dest.d" || -L "$dest.d" ]]; then mv -T "$dest.d" "$dest.d.old"; fi
  mv -T "$dest.d.new" "$dest.d"
  rm -rf "$dest.d.old"

  cp "$package/$pkg" "$dest.new" || die "copying the shim to $dest.new failed"
  chmod 755 "$dest.new"
  mv -f -T "$dest.new" "$dest"
}
install_files() {
  if [[ "$package/$pkg" -ef "$plugin_dir/$command_name" ]]; then
    say "the package is already in the plugin directory; nothing to copy"
  else
    say "installing $plugin_dir/$command_name and $plugin_dir/$command_name.d"
    install_package
  fi
}

# --- declare: the files and the stanza, no server ------------------------------------------------------
if $declare; then
  install_files
  say "add this stanza to the server configuration (plugin_directory = \"$plugin_dir\"), then restart or SIGHUP the server;"
  say "it registers $name $version when it unseals. Mount it with: bao secrets enable -path=$mount $name"
  printf 'plugin "secret" "%s" {\n  command   = "%s"\n  version   = "%s"\n  sha256sum = "%s"\n}\n' \
    "$name" "$command_name" "$version" "$sha"
  exit 0
fi

# Fail before touching anything if the server cannot be reached.
status_rc=0
"$cli" status >/dev/null 2>&1 || status_rc=$?
case "$status_rc" in
  0) ;;
  2) die "the server is sealed; unseal it first" ;;
  *) die "cannot reach the server with '$cli status'; set ${cli^^}_ADDR (and ${cli^^}_TOKEN), or VAULT_ADDR / VAULT_TOKEN" ;;
esac

# The server must load the plugin from this directory; check when the server tells us (needs a
# token allowed to read sys/config/state/sanitized; dev servers do not report it).
server_dir="$("$cli" read -field=plugin_directory sys/config/state/sanitized 2>/dev/null || true)"
if [[ -d "$server_dir" ]]; then server_dir="$(cd "$server_dir" && pwd -P)"; fi
if [[ -n "$server_dir" && "$server_dir" != "$plugin_dir" ]]; then
  say "WARNING: the server's plugin_directory is $server_dir, not $plugin_dir (fine only if they are the same directory)"
fi

# What is mounted at the path now (checked before anything is changed).
mount_type="" mount_version=""
if $enable; then
  rc=0
  mount_out="$("$cli" read -field=type "sys/mounts/$mount" 2>&1)" || rc=$?
  if ((rc == 0)); then
    mount_type="$mount_out"
    mount_version="$("$cli" read -field=plugin_version "sys/mounts/$mount" 2>/dev/null || true)"
  elif [[ "$mount_out" != *"No secret engine mount"* ]]; then
    die "cannot read sys/mounts/$mount (does the token allow it?): $mount_out"
  fi
  if [[ -n "$mount_type" && "$mount_type" != "$name" ]]; then
    die "$mount/ is already taken by a '$mount_type' engine; choose another path with --mount, or disable it first ($cli secrets disable $mount)"
  fi
fi

# --- install ------------------------------------------------------------------------------------------
install_files

# --- register -----------------------------------------------------------------------------------------
old_sha="$("$cli" plugin info -field=sha256 -version="$version" secret "$name" 2>/dev/null || true)"
say "registering secret plugin $name $version (sha256 $sha)"
"$cli" plugin register -sha256="$sha" -command="$command_name" -version="$version" secret "$name" >&2 \
  || die "registration failed (see above); check the token (sudo on sys/plugins/catalog) and that --plugin-dir is the server's plugin_directory"

# Running mounts keep their process (and the files it opened) until they are reloaded. Reload even
# when the build is the same: a re-run may have repaired the files after a failed start.
if [[ -n "$old_sha" ]]; then
  say "$name $version was registered before: reloading the mounts of $name so they run the files just installed"
  "$cli" plugin reload -plugin="$name" >&2 \
    || die "the reload failed; the server log tells why (look for '$pkg shim:' lines); retry with: $cli plugin reload -plugin=$name"
fi

# --- enable ---------------------------------------------------------------------------------------------
if ! $enable; then
  say "registered; not enabled (--no-enable). Enable with: $cli secrets enable -path=$mount $name"
  exit 0
fi
if [[ "$mount_type" == "$name" ]]; then
  if [[ "$mount_version" == "$version" ]]; then
    say "$mount/ already runs $name $version; nothing to enable"
  else
    say "$mount/ runs $name ${mount_version:-(unversioned)}, left as it is. To upgrade it to $version:"
    say "  $cli secrets tune -plugin-version=$version $mount && $cli plugin reload -plugin=$name"
  fi
else
  say "enabling $name $version at $mount/"
  "$cli" secrets enable -path="$mount" -plugin-version="$version" "$name" >&2 \
    || die "enabling failed; the server log tells why (a '$pkg shim:' line means the installed files do not match: re-run scripts/package.sh and this script)"
fi
say "done: $name $version is registered (sha256 $sha) and mounted at $mount/"
