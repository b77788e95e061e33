#!/usr/bin/env bash
# Creates the local user "demo" with a random password in a users file that has no account yet (conf/users ships
# with none), stores only its NT hash (nt:, what MS-CHAPv2 needs; never the password), makes the file mode 0600 and
# prints the password once. Does nothing when the file already holds an account.
# Usage: scripts/demo-user.sh USERS-FILE CONCENTRATOR-JAR      (scripts/start.sh runs it on the first start)
set -euo pipefail
users=${1:?usage: demo-user.sh USERS-FILE CONCENTRATOR-JAR}
jar=${2:?usage: demo-user.sh USERS-FILE CONCENTRATOR-JAR}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# an account line is any line that is neither blank nor a comment
if grep -qvE '^[[:space:]]*(#|$)' "$users"; then exit 0; fi
# 18 random octets: 24 base64 characters, about 22 once '/', '+' and '=' are dropped (over 128 bits)
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
line=$(printf '%s\n' "$password" | "$java" -jar "$jar" nt-hash demo)
case "$line" in
  "demo nt:"????????????????????????????????) ;;
  *) echo "demo-user.sh: unexpected output from nt-hash: $line" >&2; exit 1 ;;
esac
chmod 600 "$users"   # before the hash is in it
printf '%s   # created by scripts/start.sh %s; password shown once at creation\n' "$line" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$users"
echo "created local user demo in $users with the random password: $password"
echo "  (shown only now; $users keeps its NT hash. Set another: java -jar $jar nt-hash demo, replace the line)"
