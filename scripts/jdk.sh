# Sourced by the scripts: selects a JDK 25 for Maven and for running the concentrator.
# Order: $JAVA_HOME if it is a JDK 25, then Temurin 25 at its Debian path, then any JDK 25 under /usr/lib/jvm.
jdk_is_25() { [ -x "$1/bin/javac" ] && "$1/bin/java" -version 2>&1 | grep -q 'version "25'; }
if [ -n "${JAVA_HOME:-}" ] && jdk_is_25 "$JAVA_HOME"; then :
elif jdk_is_25 /usr/lib/jvm/temurin-25-jdk-amd64; then JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
else
  JAVA_HOME=
  for d in /usr/lib/jvm/*; do if jdk_is_25 "$d"; then JAVA_HOME=$d; break; fi; done
  if [ -z "$JAVA_HOME" ]; then
    echo "No JDK 25 found. Install one (e.g. Eclipse Temurin 25 from adoptium.net, or your distribution's" >&2
    echo "openjdk-25-jdk package) and set JAVA_HOME to it." >&2
    exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
