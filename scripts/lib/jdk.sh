# Sourced by the other scripts: finds a JDK 25 and exports JAVA_HOME and PATH for it.
#
# Herald builds with JDK 25 (the plugin ships a jlink-ed runtime made from the build JDK). Machines
# of this kind have OpenJDK 17 as the default `java` and a Temurin 25 JDK beside it, so we look:
#   1. $HERALD_JDK, if set (must be a JDK 25 or newer);
#   2. $JAVA_HOME, if it is a JDK 25 or newer;
#   3. JDK directories under /usr/lib/jvm, /opt/java, /opt, ~/.sdkman/candidates/java, ~/.jdks.
herald_jdk_version() {  # prints the feature version of the JDK at $1, or nothing
  local release="$1/release"
  [[ -x "$1/bin/javac" && -x "$1/bin/jlink" && -f "$release" ]] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
}

herald_find_jdk() {
  local candidate v
  for candidate in "${HERALD_JDK:-}" "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /opt/* \
                   "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [[ -n "$candidate" && -d "$candidate" ]] || continue
    v=$(herald_jdk_version "$candidate")
    if [[ -n "$v" && "$v" -ge 25 ]]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! HERALD_JAVA_HOME=$(herald_find_jdk); then
  echo "herald: no JDK 25 found (looked at \$HERALD_JDK, \$JAVA_HOME, /usr/lib/jvm, /opt/java, /opt, ~/.sdkman, ~/.jdks)." >&2
  echo "herald: install a JDK 25 (e.g. Temurin 25) and point HERALD_JDK at it." >&2
  return 1 2>/dev/null || exit 1
fi
export JAVA_HOME="$HERALD_JAVA_HOME"
export PATH="$JAVA_HOME/bin:$PATH"
# Maven itself runs on this JDK too; silence the JDK's notice about Maven 3.8's bundled Guava.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
