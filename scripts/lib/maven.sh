# Sourced by the other scripts (after jdk.sh): sets MVN to a Maven of at least 3.9.6, which the
# protobuf Maven plugin needs. Machines of this kind have Maven 3.8; a newer one comes from Maven
# Central (the apache-maven distribution artifact, fetched with the installed Maven) into a cache
# outside the checkout, once.
herald_maven_version=3.9.9
herald_maven_ok() {  # true if the Maven at $1 is 3.9.6 or newer
  local v
  v=$("$1" -v 2>/dev/null | sed -n 's/^Apache Maven \([0-9][0-9.]*\).*/\1/p' | head -n 1)
  [[ -n "$v" ]] && printf '%s\n3.9.6\n' "$v" | sort -V -C -r 2>/dev/null
}
herald_maven_cache="${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}/maven/$herald_maven_version"
if command -v mvn >/dev/null && herald_maven_ok "$(command -v mvn)"; then
  MVN=$(command -v mvn)
elif [[ -x "$herald_maven_cache/bin/mvn" ]]; then
  MVN="$herald_maven_cache/bin/mvn"
else
  command -v mvn >/dev/null || { echo "herald: Maven is needed (any version; a 3.9 is fetched by it)" >&2; return 1 2>/dev/null || exit 1; }
  echo "herald: fetching Maven $herald_maven_version from Maven Central into $herald_maven_cache" >&2
  herald_maven_tmp=$(mktemp -d)
  mvn -q -B -ntp org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.apache.maven:apache-maven:$herald_maven_version:zip:bin" \
      -DoutputDirectory="$herald_maven_tmp" >&2 \
    || { echo "herald: could not fetch Maven $herald_maven_version" >&2; return 1 2>/dev/null || exit 1; }
  mkdir -p "$(dirname "$herald_maven_cache")"
  (cd "$herald_maven_tmp" && "$JAVA_HOME/bin/jar" xf apache-maven-*-bin.zip)
  chmod +x "$herald_maven_tmp/apache-maven-$herald_maven_version/bin/mvn"
  rm -rf "$herald_maven_cache"
  mv "$herald_maven_tmp/apache-maven-$herald_maven_version" "$herald_maven_cache"
  rm -rf "$herald_maven_tmp"
  MVN="$herald_maven_cache/bin/mvn"
fi
export MVN
