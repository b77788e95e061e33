#!/usr/bin/env bash
# Builds the concentrator and starts it on the shipped configuration (conf/concentrator.yaml, or the file given).
# Needs root or CAP_NET_ADMIN for the TUN device. Stop with Ctrl-C (sends StopCCN to every tunnel).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
./mvnw -B -q package -DskipTests
# First start on the shipped config: create a random IPsec pre-shared key (never shipped, never committed)
if [ -z "${1:-}" ] && [ ! -f conf/ipsec.psk ]; then
  (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > conf/ipsec.psk)
  echo "created conf/ipsec.psk with a random pre-shared key: configure your clients with it (cat conf/ipsec.psk)"
fi
# likewise the admin interface's bearer token (conf/admin.token, mode 0600)
if [ -z "${1:-}" ] && [ ! -f conf/admin.token ]; then
  (umask 077; head -c 32 /dev/urandom | base64 | tr -d '/+=' > conf/admin.token)
  echo "created conf/admin.token: the admin client reads it (java -jar concentrator/target/l2sec-concentrator.jar admin --config conf/concentrator.yaml status)"
fi
# conf/users ships without accounts: create "demo" with a random password (printed once, stored as an NT hash).
# Secret files must be readable by their owner only (the concentrator refuses others); git checks conf/users out 0644.
if [ -z "${1:-}" ]; then
  chmod 600 conf/users
  scripts/demo-user.sh conf/users concentrator/target/l2sec-concentrator.jar
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar concentrator/target/l2sec-concentrator.jar \
  run "${1:-conf/concentrator.yaml}"
